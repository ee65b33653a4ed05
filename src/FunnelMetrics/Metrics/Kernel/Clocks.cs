using System.Runtime.CompilerServices;

namespace FunnelMetrics.Metrics;

/// <summary>
/// The clock durations are measured on: a non-decreasing position per UTC instant, a duration being the difference of
/// two positions. The one definition of a duration shared by time in stage, the stall clocks and thresholds, the stuck
/// stages and cycle time (<see cref="Visit.Duration{TClock}"/>, <see cref="Clocks.Between{TClock}"/>). A struct, so the
/// folds are specialised per clock and the elapsed clock costs nothing.
/// </summary>
internal interface IClock
{
    /// <summary>The position of the UTC ticks <paramref name="utcTicks"/> on the clock.</summary>
    long At(long utcTicks);
}

/// <summary>Elapsed time: the position is the instant itself. The clock of every metric without a working calendar.</summary>
internal readonly struct ElapsedClock : IClock
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long At(long utcTicks) => utcTicks;
}

/// <summary>Working time under a <see cref="WorkingCalendar"/>: only its working hours advance the clock.</summary>
internal readonly struct WorkingClock(WorkingCalendar calendar) : IClock
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long At(long utcTicks) => calendar.At(utcTicks);
}

/// <summary>Durations on a clock, and the choice of clock from an optional calendar.</summary>
internal static class Clocks
{
    /// <summary>The time from <paramref name="from"/> to <paramref name="to"/> (UTC ticks, in order) on <paramref name="clock"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Between<TClock>(this TClock clock, long from, long to)
        where TClock : struct, IClock => clock.At(to) - clock.At(from);

    /// <summary>The time from <paramref name="from"/> to <paramref name="to"/> (UTC ticks, in order) under <paramref name="calendar"/>, elapsed for none: for figures measured a few times per result, not per visit.</summary>
    public static long Between(WorkingCalendar? calendar, long from, long to) => calendar is null ? to - from : calendar.Between(from, to);
}
