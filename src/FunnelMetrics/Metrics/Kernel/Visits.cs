using System.Runtime.CompilerServices;

namespace FunnelMetrics.Metrics;

/// <summary>
/// One visit of an open stage: from the transition that brought the client there (<see cref="Entered"/>) to the next
/// transition (<see cref="Left"/>: an advance, skip, regression, win or loss), or still running (<see cref="IsOpen"/>).
/// Event numbers are the client's (<see cref="FunnelEventLog.ClientHistory"/>); read the owner on either end from there.
/// </summary>
/// <param name="Stage">The stage visited, never the won stage.</param>
/// <param name="Entered">The transition that began the visit.</param>
/// <param name="EnteredAt">Its UTC ticks.</param>
/// <param name="Left">The transition that ended it, or -1 while it runs.</param>
/// <param name="LeftAt">Its UTC ticks; 0 while the visit runs.</param>
/// <param name="Ended">How it ended: the kind of <paramref name="Left"/>; meaningless while the visit runs.</param>
internal readonly record struct Visit(int Stage, int Entered, long EnteredAt, int Left, long LeftAt, EventKind Ended)
{
    /// <summary>Whether the visit still runs after the last event read.</summary>
    public bool IsOpen => Left < 0;

    /// <summary>The visit's elapsed duration: to its end, or to <paramref name="cut"/> (censored) while it runs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Duration(long cut) => Duration(cut, default(ElapsedClock));

    /// <summary>The visit's duration on <paramref name="clock"/>: to its end, or to <paramref name="cut"/> (censored) while it runs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Duration<TClock>(long cut, TClock clock)
        where TClock : struct, IClock => clock.Between(EnteredAt, IsOpen ? cut : LeftAt);
}

/// <summary>
/// The visits of one client's events 0 to a last one, in order: the one definition of a visit shared by time in stage,
/// the stall thresholds, the stuck stages and the forecast's chain. A visit begins at every transition after which the
/// client is open, and ends at its next transition; the last visit is open when the client is open after the last event.
/// </summary>
internal ref struct VisitEnumerator
{
    private readonly FunnelEventLog.ClientHistory _history;
    private readonly int _last;
    private int _next;
    private int _entered;

    internal VisitEnumerator(FunnelEventLog.ClientHistory history, int first, int last)
    {
        _history = history;
        _next = first;
        _last = last;
        _entered = -1;
    }

    /// <summary>The visit just read.</summary>
    public Visit Current { get; private set; }

    /// <summary>Itself, for <see langword="foreach"/>.</summary>
    public readonly VisitEnumerator GetEnumerator() => this;

    /// <summary>Reads the next visit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool MoveNext()
    {
        while (_next <= _last)
        {
            var i = _next++;
            if (!_history.IsTransition(i))
            {
                continue;
            }

            var began = _entered;
            _entered = _history.Status(i) == ClientStatus.Open ? i : -1;
            if (began >= 0)
            {
                Current = new Visit(_history.Stage(began), began, _history.Ticks(began), i, _history.Ticks(i), _history.Kind(i));
                return true;
            }
        }

        if (_entered >= 0)
        {
            Current = new Visit(_history.Stage(_entered), _entered, _history.Ticks(_entered), -1, 0, default);
            _entered = -1;
            return true;
        }

        return false;
    }
}
