using System.Globalization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// Splits any metric into groups: per owner, per value of a client attribute, or per entry cohort. Each group's result
/// is the metric computed with the group's condition added to the base filter, so a group's figures mean exactly what the
/// metric's figures mean. (A breakdown by pipeline is one log per pipeline.)
/// </summary>
/// <example>
/// <code>
/// var bySource = FunnelBreakdowns.ByAttribute(log, "source", f => StageCountsCalculator.Compute(log, asOf, f));
/// </code>
/// </example>
public static class FunnelBreakdowns
{
    /// <summary>One group per owner named in the log, ordered by owner id, each restricted to what the metric attributes to that owner.</summary>
    /// <typeparam name="T">The metric's result type.</typeparam>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="compute">Computes the metric under a filter.</param>
    /// <param name="filter">The base filter; its own owner condition, if any, limits which owners get a group.</param>
    /// <returns>The groups.</returns>
    public static IReadOnlyList<Breakdown<T>> ByOwner<T>(FunnelEventLog log, Func<FunnelFilter, T> compute, FunnelFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(compute);
        filter ??= FunnelFilter.All;
        return [.. log.Owners
            .Where(o => filter.Owners is null || filter.Owners.Contains(o))
            .Select(o => new Breakdown<T>(o.Value, compute(filter with { Owners = [o] })))];
    }

    /// <summary>
    /// One group per value of a client attribute, ordered by value (ordinal); clients without the attribute belong to no
    /// group.
    /// </summary>
    /// <remarks>
    /// Attributes change over a client's life (<see cref="ClientUpdate"/>): each group is the metric filtered on the value,
    /// so a client belongs to the group of the value it holds as of the metric's instant (the instant the metric reads
    /// clients at, see <see cref="FunnelFilter.Attributes"/>), to one group at most. The groups are the values any client
    /// holds at any instant of the log (its record or after one of its updates), so every client is in the group of its
    /// value then; a value no client holds at the metric's instant gives a group with the metric's empty figures.
    /// </remarks>
    /// <typeparam name="T">The metric's result type.</typeparam>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="attribute">The attribute key, such as <c>source</c>.</param>
    /// <param name="compute">Computes the metric under a filter.</param>
    /// <param name="filter">The base filter.</param>
    /// <returns>The groups.</returns>
    public static IReadOnlyList<Breakdown<T>> ByAttribute<T>(FunnelEventLog log, string attribute, Func<FunnelFilter, T> compute, FunnelFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentException.ThrowIfNullOrWhiteSpace(attribute);
        ArgumentNullException.ThrowIfNull(compute);
        filter ??= FunnelFilter.All;
        var values = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var client in log.Clients)
        {
            if (client.Attributes.TryGetValue(attribute, out var value))
            {
                values.Add(value);
            }
        }

        foreach (var client in log.UpdatedClients)
        {
            if (client.Attributes.TryGetValue(attribute, out var value))
            {
                values.Add(value);
            }
        }

        return [.. values.Select(v =>
        {
            var attributes = new Dictionary<string, string>(filter.Attributes ?? new Dictionary<string, string>(), StringComparer.Ordinal) { [attribute] = v };
            return new Breakdown<T>(v, compute(filter with { Attributes = attributes }));
        })];
    }

    /// <summary>
    /// One group per period in which clients first entered the pipeline, in order, from the first period with an entry to
    /// the last; periods follow local midnights of <paramref name="timeZoneId"/>.
    /// </summary>
    /// <typeparam name="T">The metric's result type.</typeparam>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="period">Days, ISO weeks or months.</param>
    /// <param name="timeZoneId">The IANA time zone of the calendar.</param>
    /// <param name="compute">Computes the metric under a filter.</param>
    /// <param name="filter">The base filter; its own entry bounds are replaced by each period's.</param>
    /// <returns>The groups, empty when nobody entered.</returns>
    /// <exception cref="ArgumentException">The time zone is unknown.</exception>
    public static IReadOnlyList<Breakdown<T>> ByEntryCohort<T>(FunnelEventLog log, CohortPeriod period, string timeZoneId, Func<FunnelFilter, T> compute, FunnelFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(compute);
        var zone = TimeZones.Find(timeZoneId, nameof(timeZoneId));
        filter ??= FunnelFilter.All;
        long first = long.MaxValue, last = long.MinValue;
        for (var c = 0; c < log.ClientCount; c++)
        {
            if (log.History(c).FirstEntryTicks is var t && t != long.MaxValue)
            {
                first = Math.Min(first, t);
                last = Math.Max(last, t);
            }
        }

        var groups = new List<Breakdown<T>>();
        if (first == long.MaxValue)
        {
            return groups;
        }

        var day = PeriodStart(LocalDay(first, zone), period);
        var lastDay = LocalDay(last, zone);
        while (day <= lastDay)
        {
            var next = NextPeriod(day, period);
            var cohort = filter with { EnteredFrom = TimeZoneDays.StartOfDay(day, zone), EnteredTo = TimeZoneDays.StartOfDay(next, zone) };
            groups.Add(new Breakdown<T>(Key(day, period), compute(cohort)));
            day = next;
        }

        return groups;
    }

    private static DateOnly LocalDay(long utcTicks, TimeZoneInfo zone) => TimeZoneDays.DateOf(new DateTimeOffset(utcTicks, TimeSpan.Zero), zone);

    /// <summary>The first day of the period after the one starting on <paramref name="start"/>.</summary>
    internal static DateOnly NextPeriod(DateOnly start, CohortPeriod period) => period switch
    {
        CohortPeriod.Day => start.AddDays(1),
        CohortPeriod.Week => start.AddDays(7),
        _ => start.AddMonths(1),
    };

    /// <summary>The first day of the period holding <paramref name="day"/>: itself, its ISO week's Monday, or the 1st of its month.</summary>
    internal static DateOnly PeriodStart(DateOnly day, CohortPeriod period) => period switch
    {
        CohortPeriod.Day => day,
        CohortPeriod.Week => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
        _ => new DateOnly(day.Year, day.Month, 1),
    };

    /// <summary>The period's key: <c>2026-03-02</c>, <c>2026-W10</c> or <c>2026-03</c>.</summary>
    internal static string Key(DateOnly start, CohortPeriod period) => period switch
    {
        CohortPeriod.Day => start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        CohortPeriod.Week => string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(start.ToDateTime(TimeOnly.MinValue))}-W{ISOWeek.GetWeekOfYear(start.ToDateTime(TimeOnly.MinValue)):D2}"),
        _ => start.ToString("yyyy-MM", CultureInfo.InvariantCulture),
    };
}
