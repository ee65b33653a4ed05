namespace FunnelMetrics.Metrics;

/// <summary>
/// What a <see cref="VisitFold"/> feeds each visit to: a struct (of references, passed by value), so the fold is
/// specialised and inlined per sink.
/// </summary>
internal interface IVisitSink
{
    /// <summary>One visit of <paramref name="stage"/>, begun by <paramref name="owner"/>: completed, or open and censored at the cut.</summary>
    void Add(int stage, int owner, long duration, bool completed);

    /// <summary>The current client's visits are all in (called only after a client with at least one).</summary>
    void EndClient();
}

/// <summary>The one pass over visits that time in stage, the stall thresholds and the stuck stages share.</summary>
internal static class VisitFold
{
    /// <summary>
    /// Feeds <paramref name="sink"/> the visits in the events at or before <paramref name="cut"/> of the clients of
    /// <paramref name="clientMask"/> that began at or after <paramref name="from"/>, with an owner of
    /// <paramref name="ownerMask"/> on the transition that began them; a visit still running is measured up to
    /// <paramref name="measuredAt"/>; durations on <paramref name="calendar"/>'s working clock, elapsed for none.
    /// </summary>
    public static void Fold<TSink>(FunnelEventLog log, long from, long cut, long measuredAt, bool[] clientMask, bool[] ownerMask, TSink sink, WorkingCalendar? calendar = null)
        where TSink : struct, IVisitSink =>
        FoldRange(log, from, cut, measuredAt, clientMask, ownerMask, sink, 0, clientMask.Length, calendar);

    /// <summary>The same for the clients [<paramref name="first"/>, <paramref name="end"/>) only: one partition of a parallel fold (<see cref="ClientPartitions"/>).</summary>
    public static void FoldRange<TSink>(FunnelEventLog log, long from, long cut, long measuredAt, bool[] clientMask, bool[] ownerMask, TSink sink, int first, int end, WorkingCalendar? calendar = null)
        where TSink : struct, IVisitSink
    {
        // The clock is chosen once per fold: the elapsed one is specialised to the plain subtraction.
        if (calendar is null)
        {
            FoldRange(log, from, cut, measuredAt, clientMask, ownerMask, sink, first, end, default(ElapsedClock));
        }
        else
        {
            FoldRange(log, from, cut, measuredAt, clientMask, ownerMask, sink, first, end, new WorkingClock(calendar));
        }
    }

    private static void FoldRange<TSink, TClock>(FunnelEventLog log, long from, long cut, long measuredAt, bool[] clientMask, bool[] ownerMask, TSink sink, int first, int end, TClock clock)
        where TSink : struct, IVisitSink
        where TClock : struct, IClock
    {
        for (var c = first; c < end; c++)
        {
            if (!clientMask[c])
            {
                continue;
            }

            // A visit begun at or after `from` begins with a transition at or after it: a client with no event there
            // (most of a long history, for a recent window) has none, and the others' visits are read from there on.
            var history = log.History(c);
            var last = history.LastAtOrBefore(cut);
            if (last < 0 || history.Ticks(last) < from)
            {
                continue;
            }

            var any = false;
            foreach (var visit in history.Visits(history.FirstAtOrAfter(from), last))
            {
                if (visit.EnteredAt >= from && history.Owner(visit.Entered) is var owner && ownerMask[owner])
                {
                    sink.Add(visit.Stage, owner, visit.Duration(measuredAt, clock), !visit.IsOpen);
                    any = true;
                }
            }

            if (any)
            {
                sink.EndClient();
            }
        }
    }
}

/// <summary>
/// The visits of each stage, by stage index: completed counts, observation keys (<see cref="Statistics.Key"/>), open
/// counts and, when asked, per-client totals. Time in stage's figures and the stall thresholds' percentiles.
/// </summary>
/// <remarks>The buffers are pooled: dispose the sample when done with it.</remarks>
internal sealed class VisitSample : IDisposable
{
    private VisitSample(int stageCount)
    {
        Completed = new int[stageCount];
        Open = new int[stageCount];
        Keys = new PooledLongBuffer[stageCount];
        PerClient = new PooledLongBuffer[stageCount];
        for (var s = 0; s < stageCount; s++)
        {
            Keys[s] = new PooledLongBuffer();
            PerClient[s] = new PooledLongBuffer();
        }
    }

    public int[] Completed { get; }

    public int[] Open { get; }

    public PooledLongBuffer[] Keys { get; }

    /// <summary>Per stage, each client's total time in it over its visits; empty unless collected with per-client totals.</summary>
    public PooledLongBuffer[] PerClient { get; }

    /// <summary>How many partitions the sample was collected in: more than one when the log was large enough to split.</summary>
    public int Partitions { get; private set; } = 1;

    /// <summary>
    /// The visits begun at or after <paramref name="from"/> in the events at or before <paramref name="cut"/> of the clients
    /// of the masks, running ones measured up to <paramref name="measuredAt"/> (see <see cref="VisitFold"/>); folded in
    /// client partitions on up to <paramref name="parallelism"/>'s degree of threads (<see langword="null"/>: one) and
    /// concatenated in client order, so every list holds the sequential fold's values in the same order. Durations are
    /// working time under <paramref name="calendar"/>, elapsed for none.
    /// </summary>
    public static VisitSample Collect(FunnelEventLog log, long from, long cut, long measuredAt, bool[] clientMask, bool[] ownerMask, bool perClient, ParallelismOptions? parallelism = null, WorkingCalendar? calendar = null)
    {
        var stageCount = log.Pipeline.Stages.Count;
        var parts = ClientPartitions.Fold(clientMask.Length, parallelism ?? ParallelismOptions.Sequential, (first, end) =>
        {
            var part = new VisitSample(stageCount);
            var sink = new Sink(part, perClient ? new long[stageCount] : null, new bool[stageCount]);
            VisitFold.FoldRange(log, from, cut, measuredAt, clientMask, ownerMask, sink, first, end, calendar);
            return part;
        });

        var sample = parts[0];
        sample.Partitions = parts.Length;
        for (var p = 1; p < parts.Length; p++)
        {
            using var part = parts[p];
            for (var s = 0; s < stageCount; s++)
            {
                sample.Completed[s] += part.Completed[s];
                sample.Open[s] += part.Open[s];
                sample.Keys[s].AddRange(part.Keys[s].AsSpan());
                sample.PerClient[s].AddRange(part.PerClient[s].AsSpan());
            }
        }

        return sample;
    }

    /// <summary>The stage's keys sorted in place (radix sort: keys are non-negative).</summary>
    public ReadOnlySpan<long> SortedKeys(int stage)
    {
        var keys = Keys[stage].AsSpan();
        Statistics.SortNonNegative(keys);
        return keys;
    }

    public void Dispose()
    {
        foreach (var buffer in Keys)
        {
            buffer.Dispose();
        }

        foreach (var buffer in PerClient)
        {
            buffer.Dispose();
        }
    }

    private readonly struct Sink(VisitSample sample, long[]? cumulative, bool[] visited) : IVisitSink
    {
        private readonly int[] _completed = sample.Completed;
        private readonly int[] _open = sample.Open;
        private readonly PooledLongBuffer[] _keys = sample.Keys;
        private readonly PooledLongBuffer[] _perClient = sample.PerClient;

        public void Add(int stage, int owner, long duration, bool completed)
        {
            (completed ? _completed : _open)[stage]++;
            _keys[stage].Add(Statistics.Key(duration, completed));
            if (cumulative is not null)
            {
                cumulative[stage] += duration;
                visited[stage] = true;
            }
        }

        public void EndClient()
        {
            if (cumulative is null)
            {
                return;
            }

            for (var s = 0; s < visited.Length; s++)
            {
                if (visited[s])
                {
                    _perClient[s].Add(cumulative[s]);
                    (visited[s], cumulative[s]) = (false, 0);
                }
            }
        }
    }
}

/// <summary>The visits of each stage grouped by the owner on the transition that began them: the stuck stages' time-in-stage figures per owner.</summary>
internal static class OwnerVisits
{
    /// <summary>
    /// Observation keys (<see cref="Statistics.Key"/>) per [owner, stage], for visits begun in <paramref name="window"/> by
    /// any owner, from the events before its end, running visits measured up to its end (working time under
    /// <paramref name="calendar"/>, elapsed for none); in one pass for every owner, null where none.
    /// </summary>
    public static List<long>[,] Collect(FunnelEventLog log, TimeWindow window, bool[] clientMask, WorkingCalendar? calendar = null)
    {
        var sink = new Sink(new List<long>[log.OwnerCount, log.Pipeline.Stages.Count]);
        VisitFold.Fold(log, window.StartTicks, window.EndTicks - 1, window.EndTicks, clientMask, log.AllOwnersMask, sink, calendar);
        return sink.Observations;
    }

    private readonly struct Sink(List<long>[,] observations) : IVisitSink
    {
        public List<long>[,] Observations => observations;

        public void Add(int stage, int owner, long duration, bool completed) =>
            (observations[owner, stage] ??= []).Add(Statistics.Key(duration, completed));

        public void EndClient()
        {
        }
    }
}
