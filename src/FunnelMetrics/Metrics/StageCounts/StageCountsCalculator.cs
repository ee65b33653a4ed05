namespace FunnelMetrics.Metrics;

/// <summary>Computes <see cref="StageCounts"/>: one pass over the clients, one binary search per client.</summary>
public static class StageCountsCalculator
{
    /// <summary>Counts the clients at each stage as of an instant.</summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="asOf">The instant, inclusive. Before the first event every count is zero.</param>
    /// <param name="filter">Which clients and owners to count; <see langword="null"/> for all. The owner condition uses the owner as of <paramref name="asOf"/>, the attribute condition the attributes as of it.</param>
    /// <returns>The counts.</returns>
    public static StageCounts Compute(FunnelEventLog log, DateTimeOffset asOf, FunnelFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        filter ??= FunnelFilter.All;
        return StageCountsAccumulator.Fold(log, asOf.UtcTicks, filter.ClientMask(log, asOf.UtcTicks), filter.OwnerMask(log)).Shape(asOf);
    }
}
