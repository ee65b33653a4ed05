using System.Globalization;
using System.Text.Json.Serialization;

namespace FunnelMetrics;

/// <summary>
/// A working calendar: the working days of the week, one interval of working hours that is the same on every working
/// day, and holidays, all in one time zone's local wall-clock time. Under a calendar, time in stage, stall clocks, cycle
/// time and velocity count only working time (docs/metrics.md, "Working-hours clocks"); without one they count elapsed
/// time.
/// </summary>
/// <remarks>
/// <para>
/// An instant is working time when its local date in <see cref="TimeZoneId"/> is one of <see cref="WorkingDays"/> and
/// not one of <see cref="Holidays"/>, and its local time of day is in [<see cref="Start"/>, <see cref="End"/>). The
/// working time between two instants is the measure of the working instants in [from, to): exact to the tick, additive
/// (from a to b plus b to c is a to c), never more than the elapsed time, and, for <see cref="AllHours"/>, exactly it.
/// </para>
/// <para>
/// Daylight-saving changes follow from that definition: a local hour the clocks skip (spring forward) is never worked, a
/// local hour they repeat (fall back) is worked twice when it is in working hours. So in Europe/Berlin a 00:00-24:00
/// calendar has a 23-hour 2026-03-29 and a 25-hour 2026-10-25, and a 09:00-18:00 calendar has 9 hours on both days.
/// No local time needs resolving: there is nothing ambiguous to pick or invalid to move.
/// </para>
/// <para>One interval per day only: a lunch break, or different hours on Fridays, is not modelled.</para>
/// </remarks>
public sealed class WorkingCalendar : IEquatable<WorkingCalendar>
{
    private readonly long _start;
    private readonly long _end;
    private readonly int _weekMask;
    private readonly int _perWeek;
    private readonly int[] _weekPrefix = new int[8];

    // Day numbers (days since 0001-01-01) of the holidays that fall on working weekdays: the only ones that change anything.
    private readonly long[] _holidayDays;
    private readonly WorkingTimeline _timeline;

    /// <summary>Creates a calendar.</summary>
    /// <param name="timeZoneId">The IANA id of the time zone whose local dates and wall-clock hours the calendar is in, such as <c>Europe/Berlin</c> (usually <c>FunnelMetricsOptions.TimeZone</c>); must be known to the system.</param>
    /// <param name="workingDays">The working days of the week: at least one, and nothing but days.</param>
    /// <param name="start">The local time of day working hours begin, inclusive: from 00:00 to before 24:00.</param>
    /// <param name="end">The local time of day working hours end, exclusive: after <paramref name="start"/>, at most 24:00 (<c>1.00:00:00</c>, the end of the day).</param>
    /// <param name="holidays">Local dates that are not worked even on a working weekday; <see langword="null"/> for none. Order and repeats do not matter.</param>
    /// <exception cref="ArgumentException"><paramref name="timeZoneId"/> is empty or not a time zone known to the system.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workingDays"/> names no day or something else, or the hours are out of range or <paramref name="end"/> is not after <paramref name="start"/>.</exception>
    [JsonConstructor]
    public WorkingCalendar(string timeZoneId, Weekdays workingDays, TimeSpan start, TimeSpan end, IReadOnlyList<DateOnly>? holidays = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(timeZoneId);
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out var zone))
        {
            throw new ArgumentException($"'{timeZoneId}' is not a time zone known to this system; use an IANA id such as 'Europe/Sofia' or 'UTC'.", nameof(timeZoneId));
        }

        if ((workingDays & Weekdays.All) == 0 || (workingDays & ~Weekdays.All) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(workingDays), workingDays, "A working calendar needs at least one working day of the week, and nothing but days, such as 'Monday, Tuesday, Wednesday, Thursday, Friday'.");
        }

        if (start < TimeSpan.Zero || start >= TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(start), start, "Working hours must start at a local time of day from 00:00 to before 24:00.");
        }

        if (end <= start || end > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(end), end, $"Working hours must end after they start ({Format(start)}) and at 24:00 at the latest.");
        }

        Zone = zone;
        TimeZoneId = timeZoneId;
        WorkingDays = workingDays;
        Start = start;
        End = end;
        Holidays = holidays is null ? [] : [.. holidays.Distinct().Order()];
        (_start, _end) = (start.Ticks, end.Ticks);
        _weekMask = (int)workingDays;
        for (var d = 0; d < 7; d++)
        {
            _weekPrefix[d + 1] = _weekPrefix[d] + ((_weekMask >> d) & 1);
        }

        _perWeek = _weekPrefix[7];
        _holidayDays = [.. Holidays.Select(static h => (long)h.DayNumber).Where(n => IsWorkingWeekday(n))];
        _timeline = new WorkingTimeline(zone, this);
    }

    /// <summary>The IANA id of the calendar's time zone.</summary>
    public string TimeZoneId { get; }

    /// <summary>The working days of the week.</summary>
    public Weekdays WorkingDays { get; }

    /// <summary>The local time of day working hours begin, inclusive, as the time since local midnight.</summary>
    public TimeSpan Start { get; }

    /// <summary>The local time of day working hours end, exclusive, as the time since local midnight: at most one day (24:00).</summary>
    public TimeSpan End { get; }

    /// <summary>The holidays, in date order, without repeats.</summary>
    public IReadOnlyList<DateOnly> Holidays { get; }

    /// <summary>The working time of a working day without a clock change: <see cref="End"/> - <see cref="Start"/>. The length of a "working day" in per-day rates.</summary>
    [JsonIgnore]
    public TimeSpan WorkingDayLength => End - Start;

    /// <summary>The time zone.</summary>
    internal TimeZoneInfo Zone { get; }

    /// <summary>
    /// The calendar of every hour of every day in <paramref name="timeZoneId"/>: Monday to Sunday, 00:00 to 24:00, no
    /// holidays. Its working time is the elapsed time, exactly, daylight-saving days included.
    /// </summary>
    /// <param name="timeZoneId">The IANA id of the time zone.</param>
    /// <returns>The calendar.</returns>
    /// <exception cref="ArgumentException"><paramref name="timeZoneId"/> is not a time zone known to the system.</exception>
    public static WorkingCalendar AllHours(string timeZoneId) => new(timeZoneId, Weekdays.All, TimeSpan.Zero, TimeSpan.FromDays(1));

    /// <summary>The working time in [<paramref name="from"/>, <paramref name="to"/>): how much of it falls in working hours of working days that are not holidays.</summary>
    /// <param name="from">The first instant, inclusive.</param>
    /// <param name="to">The instant after the last, exclusive; not before <paramref name="from"/>.</param>
    /// <returns>The working time, from zero to <c>to - from</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="to"/> is before <paramref name="from"/>.</exception>
    public TimeSpan WorkingTime(DateTimeOffset from, DateTimeOffset to)
    {
        if (to < from)
        {
            throw new ArgumentOutOfRangeException(nameof(to), to, $"The end of the span must not be before its start, {from.ToString("O", CultureInfo.InvariantCulture)}.");
        }

        return TimeSpan.FromTicks(Between(from.UtcTicks, to.UtcTicks));
    }

    /// <summary>Whether <paramref name="day"/> is worked: one of <see cref="WorkingDays"/> and not a holiday.</summary>
    /// <param name="day">The local date.</param>
    /// <returns><see langword="true"/> for a working day.</returns>
    public bool IsWorkingDay(DateOnly day) => IsWorkingWeekday(day.DayNumber) && Array.BinarySearch(_holidayDays, (long)day.DayNumber) < 0;

    /// <summary>
    /// The instant's position on the working clock, in ticks: a non-decreasing function of the UTC ticks whose
    /// difference between two instants is the working time between them. O(log transitions + log holidays).
    /// </summary>
    internal long At(long utcTicks) => _timeline.At(utcTicks);

    /// <summary>The working ticks in [<paramref name="from"/>, <paramref name="to"/>), for UTC ticks with <paramref name="from"/> at most <paramref name="to"/>.</summary>
    internal long Between(long from, long to) => _timeline.At(to) - _timeline.At(from);

    /// <summary>Whether <paramref name="other"/> is the same calendar: zone id, days, hours and holidays.</summary>
    /// <param name="other">The other calendar.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(WorkingCalendar? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && string.Equals(TimeZoneId, other.TimeZoneId, StringComparison.Ordinal)
            && WorkingDays == other.WorkingDays
            && Start == other.Start
            && End == other.End
            && Holidays.SequenceEqual(other.Holidays));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as WorkingCalendar);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(TimeZoneId, WorkingDays, Start, End, Holidays.Count);

    /// <summary>The calendar in words, such as <c>MondayToFriday 09:00-18:00 Europe/Berlin, 2 holidays</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{WorkingDays} {Format(Start)}-{Format(End)} {TimeZoneId}, {Holidays.Count} holiday{(Holidays.Count == 1 ? "" : "s")}";

    private static string Format(TimeSpan timeOfDay) =>
        timeOfDay == TimeSpan.FromDays(1) ? "24:00" : timeOfDay.ToString(timeOfDay.Seconds == 0 && timeOfDay.Milliseconds == 0 ? @"hh\:mm" : @"hh\:mm\:ss\.FFFFFFF", CultureInfo.InvariantCulture);

    private bool IsWorkingWeekday(long dayNumber) => ((_weekMask >> (int)Mod7(dayNumber)) & 1) != 0;

    private static long Mod7(long n) => ((n % 7) + 7) % 7;

    /// <summary>
    /// The working ticks of local wall-clock time from 0001-01-01 00:00 to the local ticks <paramref name="local"/>, as if
    /// the clocks never changed: whole working days before its date, then the working part of its own day. Exact for
    /// any long (floor division), so the all-hours calendar gives the identity.
    /// </summary>
    internal long Local(long local)
    {
        var day = local >= 0 ? local / TimeSpan.TicksPerDay : ((local + 1) / TimeSpan.TicksPerDay) - 1;
        var timeOfDay = local - (day * TimeSpan.TicksPerDay);
        var weekday = Mod7(day);
        var weeks = (day - weekday) / 7;
        var days = (weeks * _perWeek) + _weekPrefix[weekday];
        var working = ((_weekMask >> (int)weekday) & 1) != 0;
        if (_holidayDays.Length > 0)
        {
            var i = Array.BinarySearch(_holidayDays, day);
            working &= i < 0;
            days -= i < 0 ? ~i : i;
        }

        var ticks = days * (_end - _start);
        return working ? ticks + Math.Clamp(timeOfDay, _start, _end) - _start : ticks;
    }
}
