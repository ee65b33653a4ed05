using System.Globalization;

namespace FunnelMetrics;

/// <summary>
/// A span of time between two instants: <see cref="Start"/> inclusive, <see cref="End"/> exclusive, the half-open
/// interval [Start, End) (as NodaTime's <c>Interval</c>). Every metric computed over a window reads only the events in
/// it or before it: an event at <see cref="Start"/> belongs to the window, an event at <see cref="End"/> to the next
/// one, and durations still running at the end are measured up to <see cref="End"/>. So consecutive windows, such as
/// the days of <see cref="TimeZoneDays.Day"/>, cover time without gap or overlap.
/// </summary>
/// <remarks>The default value is the empty window at <see cref="DateTimeOffset.MinValue"/>. Equality compares instants, not offsets.</remarks>
public readonly struct TimeWindow : IEquatable<TimeWindow>
{
    /// <summary>Creates the window [<paramref name="start"/>, <paramref name="end"/>).</summary>
    /// <param name="start">The first instant in the window, inclusive.</param>
    /// <param name="end">The first instant after the window, exclusive; equal to or later than <paramref name="start"/> (equal for an empty window).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="end"/> is earlier than <paramref name="start"/>.</exception>
    public TimeWindow(DateTimeOffset start, DateTimeOffset end)
    {
        if (end < start)
        {
            throw new ArgumentOutOfRangeException(nameof(end), end, $"A time window's end must be equal to or later than its start; the window would run from {start.ToString("O", CultureInfo.InvariantCulture)} to {end.ToString("O", CultureInfo.InvariantCulture)}.");
        }

        Start = start;
        End = end;
    }

    /// <summary>The first instant in the window, inclusive: an event at this instant is in the window.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>The first instant after the window, exclusive: an event at this instant is not in the window.</summary>
    public DateTimeOffset End { get; }

    /// <summary>The window's length, <c>End - Start</c>; zero for an empty window.</summary>
    public TimeSpan Duration => End - Start;

    /// <summary>Whether the window holds no instant at all (<see cref="Start"/> equals <see cref="End"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => End == Start;

    /// <summary>Whether there is no lower bound: <see cref="Start"/> is <see cref="DateTimeOffset.MinValue"/>, as in <see cref="Until"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsOpenStart => Start == DateTimeOffset.MinValue;

    /// <summary>The window of the same length just before this one: [<c>Start - Duration</c>, <see cref="Start"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">That window would start before <see cref="DateTimeOffset.MinValue"/>.</exception>
    [System.Text.Json.Serialization.JsonIgnore]
    public TimeWindow Previous => Ending(Start, Duration);

    /// <summary>The window [<paramref name="end"/> - <paramref name="duration"/>, <paramref name="end"/>), such as "the last 30 days".</summary>
    /// <param name="end">The first instant after the window, exclusive.</param>
    /// <param name="duration">The window's length, zero or more.</param>
    /// <returns>The window.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative, or the window would start before <see cref="DateTimeOffset.MinValue"/>.</exception>
    public static TimeWindow Ending(DateTimeOffset end, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        if (end.UtcTicks - DateTimeOffset.MinValue.UtcTicks < duration.Ticks)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, $"A window of {duration} ending at {end.ToString("O", CultureInfo.InvariantCulture)} would start before the earliest representable instant.");
        }

        return new TimeWindow(end - duration, end);
    }

    /// <summary>The window [<paramref name="start"/>, <paramref name="start"/> + <paramref name="duration"/>).</summary>
    /// <param name="start">The first instant in the window, inclusive.</param>
    /// <param name="duration">The window's length, zero or more.</param>
    /// <returns>The window.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative, or the window would end after <see cref="DateTimeOffset.MaxValue"/>.</exception>
    public static TimeWindow Starting(DateTimeOffset start, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        if (DateTimeOffset.MaxValue.UtcTicks - start.UtcTicks < duration.Ticks)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, $"A window of {duration} starting at {start.ToString("O", CultureInfo.InvariantCulture)} would end after the latest representable instant.");
        }

        return new TimeWindow(start, start + duration);
    }

    /// <summary>Everything before <paramref name="end"/>: [<see cref="DateTimeOffset.MinValue"/>, <paramref name="end"/>).</summary>
    /// <param name="end">The first instant after the window, exclusive.</param>
    /// <returns>The window.</returns>
    public static TimeWindow Until(DateTimeOffset end) => new(DateTimeOffset.MinValue, end);

    /// <summary>Whether <paramref name="instant"/> is in the window: at or after <see cref="Start"/> and before <see cref="End"/>.</summary>
    /// <param name="instant">The instant.</param>
    /// <returns><see langword="true"/> when <c>Start &lt;= instant &lt; End</c>.</returns>
    public bool Contains(DateTimeOffset instant) => instant >= Start && instant < End;

    /// <summary>Whether two windows hold the same instants (<see cref="Start"/> and <see cref="End"/> equal as instants).</summary>
    /// <param name="other">The other window.</param>
    /// <returns><see langword="true"/> when both bounds are equal instants.</returns>
    public bool Equals(TimeWindow other) => Start == other.Start && End == other.End;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is TimeWindow other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Start.UtcTicks, End.UtcTicks);

    /// <summary>The window as <c>[start, end)</c> in ISO 8601 (round-trip) form.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"[{Start.ToString("O", CultureInfo.InvariantCulture)}, {End.ToString("O", CultureInfo.InvariantCulture)})";

    /// <summary>Whether two windows hold the same instants.</summary>
    /// <param name="left">A window.</param>
    /// <param name="right">Another window.</param>
    /// <returns><see langword="true"/> when both bounds are equal instants.</returns>
    public static bool operator ==(TimeWindow left, TimeWindow right) => left.Equals(right);

    /// <summary>Whether two windows differ in either bound.</summary>
    /// <param name="left">A window.</param>
    /// <param name="right">Another window.</param>
    /// <returns><see langword="true"/> when a bound differs.</returns>
    public static bool operator !=(TimeWindow left, TimeWindow right) => !left.Equals(right);

    /// <summary>The start in UTC ticks, for the calculators' comparisons: an event is in the window when <c>StartTicks &lt;= ticks &lt; EndTicks</c>.</summary>
    internal long StartTicks => Start.UtcTicks;

    /// <summary>The end in UTC ticks, exclusive.</summary>
    internal long EndTicks => End.UtcTicks;
}
