namespace FunnelMetrics;

/// <summary>
/// A working calendar's clock over UTC: the time zone's offset changes, found once per span of years and cached, and per
/// span of constant offset a correction, so that an instant's working position is the local working function of its
/// local time plus its span's correction, continuous across every change. Thread-safe: the table is immutable and
/// replaced whole when an instant outside it is asked for.
/// </summary>
/// <remarks>
/// Within a span of constant offset, local time runs with UTC, so the working time between two of its instants is the
/// difference of the local working function at their local times. At a change the local time jumps (forward over a
/// skipped hour, back over a repeated one); the correction cancels the jump, so a skipped hour adds nothing and a
/// repeated one counts again. Every table holds the span of the first instant ever asked for (the anchor) with
/// correction 0, so positions never change when the table grows. Offset changes are found by reading the offset once per
/// day and bisecting to the tick where it changed: two changes within one day that cancel out would be missed (no zone
/// in the IANA database has one).
/// </remarks>
internal sealed class WorkingTimeline(TimeZoneInfo zone, WorkingCalendar calendar)
{
    private const long MaxTicks = 3_155_378_975_999_999_999; // DateTime.MaxValue.Ticks
    private readonly Lock _gate = new();
    private Table? _table;
    private long _anchor;

    /// <summary>The working position of <paramref name="utcTicks"/> (see <see cref="WorkingCalendar.At"/>).</summary>
    public long At(long utcTicks)
    {
        var table = Volatile.Read(ref _table);
        if (table is null || utcTicks < table.Lo || utcTicks >= table.Hi)
        {
            table = Extend(utcTicks);
        }

        var starts = table.Starts;
        var i = 0;
        if (starts.Length > 1)
        {
            i = Array.BinarySearch(starts, utcTicks);
            i = i >= 0 ? i : ~i - 1;
        }

        return calendar.Local(utcTicks + table.Offsets[i]) + table.Corrections[i];
    }

    private Table Extend(long utcTicks)
    {
        lock (_gate)
        {
            var table = _table;
            if (table is not null && utcTicks >= table.Lo && utcTicks < table.Hi)
            {
                return table;
            }

            // Whole UTC years around the instant (and what the table held), a year of margin on each side.
            var year = new DateTime(utcTicks, DateTimeKind.Utc).Year;
            var lo = new DateTime(Math.Max(1, year - 1), 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
            var hi = year + 2 > 9999 ? MaxTicks + 1 : new DateTime(year + 2, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
            if (table is null)
            {
                _anchor = utcTicks;
            }
            else
            {
                (lo, hi) = (Math.Min(lo, table.Lo), Math.Max(hi, table.Hi));
            }

            table = Build(lo, hi);
            Volatile.Write(ref _table, table);
            return table;
        }
    }

    private Table Build(long lo, long hi)
    {
        var starts = new List<long> { lo };
        var offsets = new List<long> { Offset(lo) };
        if (zone.GetAdjustmentRules().Length > 0)
        {
            for (var t = lo; t < hi - 1;)
            {
                var next = Math.Min(t + TimeSpan.TicksPerDay, hi - 1);
                if (Offset(next) == offsets[^1])
                {
                    t = next;
                    continue;
                }

                // The offset changed in (t, next]: bisect to the first tick of the new offset.
                var (before, after) = (t, next);
                while (after - before > 1)
                {
                    var mid = before + ((after - before) / 2);
                    (before, after) = Offset(mid) == offsets[^1] ? (mid, after) : (before, mid);
                }

                starts.Add(after);
                offsets.Add(Offset(after));
                t = after;
            }
        }

        // The anchor's span has correction 0; each change adds the jump it cancels: the local position just before it
        // (old offset) minus the one just after (new offset), at the same instant.
        var count = starts.Count;
        var corrections = new long[count];
        var anchor = starts.BinarySearch(_anchor);
        anchor = anchor >= 0 ? anchor : ~anchor - 1;
        for (var i = anchor + 1; i < count; i++)
        {
            corrections[i] = corrections[i - 1] + calendar.Local(starts[i] + offsets[i - 1]) - calendar.Local(starts[i] + offsets[i]);
        }

        for (var i = anchor - 1; i >= 0; i--)
        {
            corrections[i] = corrections[i + 1] - calendar.Local(starts[i + 1] + offsets[i]) + calendar.Local(starts[i + 1] + offsets[i + 1]);
        }

        return new Table(lo, hi, [.. starts], [.. offsets], corrections);
    }

    private long Offset(long utcTicks) => zone.GetUtcOffset(new DateTime(utcTicks, DateTimeKind.Utc)).Ticks;

    /// <summary>The spans of constant offset in [<paramref name="Lo"/>, <paramref name="Hi"/>): where each starts (UTC ticks), its offset and its correction.</summary>
    private sealed record Table(long Lo, long Hi, long[] Starts, long[] Offsets, long[] Corrections);
}
