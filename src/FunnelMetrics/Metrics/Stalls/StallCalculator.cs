namespace FunnelMetrics.Metrics;

/// <summary>Computes <see cref="StalledClients"/>: thresholds once per stage, then one backward scan per client.</summary>
public static class StallCalculator
{
    /// <summary>
    /// The threshold of each open stage as of an instant, from the first source that has one: the stage's definition, the
    /// options (<see cref="StallOptions.StageThresholds"/>), the stage's historical percentile of time in stage (Kaplan–Meier
    /// over all clients' visits up to the instant, when at least <see cref="StallOptions.MinimumVisits"/> have completed and
    /// the estimate reaches <see cref="StallOptions.Percentile"/>), <see cref="StallOptions.DefaultThreshold"/>.
    /// </summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="asOf">The instant the history is read up to, inclusive.</param>
    /// <param name="options">The threshold sources (the options graph's <c>Stalls</c> section); <see langword="null"/> for the defaults.</param>
    /// <param name="calendar">The working calendar the statistical thresholds (percentiles of working time in stage) are measured in (working time only: docs/metrics.md, "Working-hours clocks"); <see langword="null"/> for elapsed time, the default.</param>
    /// <returns>One threshold per open stage, in pipeline order.</returns>
    /// <exception cref="ArgumentException">An option is out of range; the message names it, such as <c>Stalls.Percentile</c>.</exception>
    public static IReadOnlyList<StallThreshold> Thresholds(FunnelEventLog log, DateTimeOffset asOf, StallOptions? options = null, WorkingCalendar? calendar = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        return StallThresholds.Of(log, asOf.UtcTicks, asOf.UtcTicks, StallOptions.Check(options, nameof(options)), calendar: calendar);
    }

    /// <summary>Finds the stalled clients as of an instant.</summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="asOf">The instant, inclusive.</param>
    /// <param name="options">The clock and thresholds (the options graph's <c>Stalls</c> section); <see langword="null"/> for the defaults.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all. The owner condition uses the owner as of <paramref name="asOf"/>, the attribute condition the attributes as of it. Statistical thresholds always come from the whole team's history.</param>
    /// <param name="parallelism">How many threads may fold the clients (the options graph's <c>Parallelism</c> section), for the statistical thresholds too; <see langword="null"/> for the defaults. The result is the same whatever the degree.</param>
    /// <param name="calendar">The working calendar idle times and the statistical thresholds are measured in (working time only: docs/metrics.md, "Working-hours clocks"); <see langword="null"/> for elapsed time, the default.</param> Configured thresholds are then working time too.
    /// <returns>The stalled clients and the per-stage and per-owner summaries.</returns>
    /// <exception cref="ArgumentException">An option is out of range; the message names it, such as <c>Stalls.DefaultThreshold</c> or <c>Parallelism.MaxDegreeOfParallelism</c>.</exception>
    public static StalledClients Compute(FunnelEventLog log, DateTimeOffset asOf, StallOptions? options = null, FunnelFilter? filter = null, ParallelismOptions? parallelism = null, WorkingCalendar? calendar = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        var settings = StallOptions.Check(options, nameof(options));
        var threads = ParallelismOptions.Check(parallelism, nameof(parallelism));
        filter ??= FunnelFilter.All;
        var cut = asOf.UtcTicks;
        var (clientMask, ownerMask, thresholds) = (filter.ClientMask(log, cut), filter.OwnerMask(log), StallThresholds.Of(log, cut, cut, settings, threads, calendar));
        var parts = ClientPartitions.Fold(clientMask.Length, threads, (from, to) => StallIndex.FoldRange(log, cut, asOf, clientMask, ownerMask, settings.Clock, thresholds, from, to, calendar));
        var index = parts[0];
        for (var p = 1; p < parts.Length; p++)
        {
            index = index.Merge(parts[p]);
        }

        return index.Shape(asOf);
    }
}
