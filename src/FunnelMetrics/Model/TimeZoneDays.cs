namespace FunnelMetrics;

/// <summary>
/// Calendar days of a time zone as instants, through daylight-saving changes (NodaTime's <c>AtStartOfDay</c> rules):
/// the one definition the flow ledger, the entry-cohort breakdown and the dashboard sample divide days by.
/// </summary>
/// <remarks>
/// A day starts at the earliest instant whose local date is that day: local midnight; when a clock change skips midnight
/// (America/Havana on 2026-03-08, Atlantic/Azores on 2026-03-29), the first instant after the gap, such as 01:00; when
/// midnight happens twice (America/Havana on 2025-11-02, Atlantic/Azores on 2026-10-25), the first of the two. A day ends
/// where the next begins, so a day is 23, 24 or 25 hours long around a change, and the days cover time without gap or overlap.
/// </remarks>
public static class TimeZoneDays
{
    /// <summary>The instant <paramref name="day"/> begins in <paramref name="zone"/> (see the remarks of <see cref="TimeZoneDays"/>).</summary>
    /// <param name="day">The local calendar date.</param>
    /// <param name="zone">The time zone.</param>
    /// <returns>The day's first instant, with the zone's offset at that instant (so its local time is usually 00:00).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The instant is outside the range of <see cref="DateTimeOffset"/>.</exception>
    public static DateTimeOffset StartOfDay(DateOnly day, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var midnight = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        long utc;
        if (zone.IsAmbiguousTime(midnight))
        {
            // Midnight happens twice: the first has the larger offset, the one in force before the clocks went back.
            utc = midnight.Ticks - zone.GetAmbiguousTimeOffsets(midnight).Max().Ticks;
        }
        else if (!zone.IsInvalidTime(midnight))
        {
            utc = midnight.Ticks - zone.GetUtcOffset(midnight).Ticks;
        }
        else
        {
            utc = EndOfGap(midnight, zone);
        }

        if (utc < DateTimeOffset.MinValue.UtcTicks || utc > DateTimeOffset.MaxValue.UtcTicks)
        {
            throw new ArgumentOutOfRangeException(nameof(day), day, $"The start of {day:yyyy-MM-dd} in {zone.Id} is outside the range of DateTimeOffset.");
        }

        var offset = zone.GetUtcOffset(new DateTime(utc, DateTimeKind.Utc));
        return new DateTimeOffset(utc, TimeSpan.Zero).ToOffset(offset);
    }

    /// <summary>The day <paramref name="day"/> in <paramref name="zone"/>: [its start, the next day's start).</summary>
    /// <param name="day">The local calendar date.</param>
    /// <param name="zone">The time zone.</param>
    /// <returns>The window of the day's instants: 23, 24 or 25 hours around a daylight-saving change.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The day is the last <see cref="DateOnly"/>, or an instant is outside the range of <see cref="DateTimeOffset"/>.</exception>
    public static TimeWindow Day(DateOnly day, TimeZoneInfo zone) => Days(day, day, zone);

    /// <summary>The days from <paramref name="firstDay"/> to <paramref name="lastDay"/>, both inclusive, in <paramref name="zone"/>: [the first's start, the start of the day after the last).</summary>
    /// <param name="firstDay">The first local calendar date, inclusive.</param>
    /// <param name="lastDay">The last local calendar date, inclusive; not before <paramref name="firstDay"/>.</param>
    /// <param name="zone">The time zone.</param>
    /// <returns>The window of the days' instants.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lastDay"/> is before <paramref name="firstDay"/> or is the last <see cref="DateOnly"/>, or an instant is outside the range of <see cref="DateTimeOffset"/>.</exception>
    public static TimeWindow Days(DateOnly firstDay, DateOnly lastDay, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (lastDay < firstDay)
        {
            throw new ArgumentOutOfRangeException(nameof(lastDay), lastDay, $"The last day must not be before the first, {firstDay:yyyy-MM-dd}.");
        }

        if (lastDay == DateOnly.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(lastDay), lastDay, "The last representable day has no next day to end at.");
        }

        return new TimeWindow(StartOfDay(firstDay, zone), StartOfDay(lastDay.AddDays(1), zone));
    }

    /// <summary>The local calendar date of <paramref name="instant"/> in <paramref name="zone"/>: the day whose <see cref="Day"/> contains it.</summary>
    /// <param name="instant">The instant.</param>
    /// <param name="zone">The time zone.</param>
    /// <returns>The local date.</returns>
    public static DateOnly DateOf(DateTimeOffset instant, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);
    }

    /// <summary>
    /// The UTC ticks of the transition that made <paramref name="invalid"/> (a local time in a gap) never happen: the first
    /// instant after the gap, found to the tick, so a gap that does not end on a whole minute is handled too.
    /// </summary>
    private static long EndOfGap(DateTime invalid, TimeZoneInfo zone)
    {
        // The first valid whole local minute after the gap, and its offset: the offset after the transition.
        var after = invalid;
        while (zone.IsInvalidTime(after))
        {
            after = after.AddMinutes(1);
        }

        var offsetAfter = zone.GetUtcOffset(after);
        var hi = after.Ticks - offsetAfter.Ticks;

        // A minute earlier the local time would be in the gap under the new offset, so the old offset was still in force.
        var lo = hi - TimeSpan.TicksPerMinute;
        while (hi - lo > 1)
        {
            var mid = lo + ((hi - lo) / 2);
            if (zone.GetUtcOffset(new DateTime(mid, DateTimeKind.Utc)) == offsetAfter)
            {
                hi = mid;
            }
            else
            {
                lo = mid;
            }
        }

        return hi;
    }
}
