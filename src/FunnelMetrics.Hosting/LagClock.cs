namespace FunnelMetrics.Hosting;

/// <summary>
/// Measures how long a model is behind the head: remembers when each higher head position was first seen, and reports
/// the time since the oldest one the model has not published yet. Thread-safe.
/// </summary>
internal sealed class LagClock
{
    private const int MaxObservations = 4096;

    private readonly Lock _gate = new();
    private readonly Queue<(long Head, DateTimeOffset Seen)> _heads = new();
    private long _lastHead;

    /// <summary>Records a head seen at <paramref name="now"/> and returns how long the model at <paramref name="published"/> has been behind.</summary>
    public TimeSpan Observe(long head, long published, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (head > _lastHead)
            {
                if (_heads.Count < MaxObservations)
                {
                    _heads.Enqueue((head, now));
                }

                _lastHead = head;
            }

            while (_heads.Count > 0 && _heads.Peek().Head <= published)
            {
                _ = _heads.Dequeue();
            }

            if (head <= published)
            {
                return TimeSpan.Zero;
            }

            if (_heads.Count == 0)
            {
                // Behind a head whose first sighting was not kept (too many): behind from now on.
                _heads.Enqueue((head, now));
            }

            return now - _heads.Peek().Seen;
        }
    }
}
