namespace FunnelMetrics.Metrics;

/// <summary>Computes <see cref="StalledClients"/>: thresholds once per stage, then one backward scan per client.</summary>
public static class StallCalculator
{
    /// <summary>
    /// The threshold of each open stage as of an instant, from the first source that has one: the stage's definition, the
    /// settings, the stage's historical percentile of time in stage (Kaplan–Meier over all clients' visits up to the
    /// instant, when at least <see cref="StallSettings.MinimumVisits"/> have completed and the estimate reaches the
    /// percentile), the default.
    /// </summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="asOf">The instant the history is read up to, inclusive.</param>
    /// <param name="settings">The settings; <see langword="null"/> for the defaults.</param>
    /// <returns>One threshold per open stage, in pipeline order.</returns>
    public static IReadOnlyList<StallThreshold> Thresholds(FunnelEventLog log, DateTimeOffset asOf, StallSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        return StallThresholds.Of(log, asOf, settings ?? StallSettings.Default);
    }

    /// <summary>Finds the stalled clients as of an instant.</summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="asOf">The instant, inclusive.</param>
    /// <param name="settings">The clock and thresholds; <see langword="null"/> for the defaults.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all. The owner condition uses the owner as of <paramref name="asOf"/>. Statistical thresholds always come from the whole team's history.</param>
    /// <returns>The stalled clients and the per-stage and per-owner summaries.</returns>
    public static StalledClients Compute(FunnelEventLog log, DateTimeOffset asOf, StallSettings? settings = null, FunnelFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        settings ??= StallSettings.Default;
        filter ??= FunnelFilter.All;
        var thresholds = StallThresholds.Of(log, asOf, settings);
        return StallIndex.Fold(log, asOf, filter.ClientMask(log), filter.OwnerMask(log), settings.Clock, thresholds).Shape(asOf);
    }
}
