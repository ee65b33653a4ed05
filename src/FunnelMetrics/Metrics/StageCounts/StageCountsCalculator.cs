namespace FunnelMetrics.Metrics;

/// <summary>Computes <see cref="StageCounts"/>: one pass over the clients, one binary search per client.</summary>
public static class StageCountsCalculator
{
    /// <summary>Counts the clients at each stage as of an instant.</summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="asOf">The instant, inclusive. Before the first event every count is zero.</param>
    /// <param name="filter">Which clients and owners to count; <see langword="null"/> for all. The owner condition uses the owner as of <paramref name="asOf"/>, the attribute condition the attributes as of it.</param>
    /// <param name="parallelism">How many threads may count (the options graph's <c>Parallelism</c> section); <see langword="null"/> for the defaults. The counts are the same whatever the degree.</param>
    /// <returns>The counts.</returns>
    /// <exception cref="ArgumentException">An option is out of range; the message names it, <c>Parallelism.MaxDegreeOfParallelism</c>.</exception>
    public static StageCounts Compute(FunnelEventLog log, DateTimeOffset asOf, FunnelFilter? filter = null, ParallelismOptions? parallelism = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        var settings = ParallelismOptions.Check(parallelism, nameof(parallelism));
        filter ??= FunnelFilter.All;
        var (cut, clientMask, ownerMask) = (asOf.UtcTicks, filter.ClientMask(log, asOf.UtcTicks), filter.OwnerMask(log));
        var parts = ClientPartitions.Fold(clientMask.Length, settings, (from, to) => StageCountsAccumulator.FoldRange(log, cut, clientMask, ownerMask, from, to));
        var counts = parts[0];
        for (var p = 1; p < parts.Length; p++)
        {
            counts = counts.Merge(parts[p]);
        }

        return counts.Shape(asOf);
    }
}
