namespace FunnelMetrics.Metrics;

/// <summary>Computes <see cref="TimeInStage"/>: one pass over each client's events, then one sort per stage.</summary>
public static class TimeInStageCalculator
{
    /// <summary>Measures the visits in each stage (the won stage's entry stays empty: won is terminal).</summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="asOf">The instant, inclusive.</param>
    /// <param name="from">Only visits that began at or after this instant; <see langword="null"/> for all.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all. The owner condition applies to the owner on the transition that began each visit.</param>
    /// <returns>The durations per stage.</returns>
    /// <exception cref="ArgumentException"><paramref name="from"/> is after <paramref name="asOf"/>.</exception>
    public static TimeInStage Compute(FunnelEventLog log, DateTimeOffset asOf, DateTimeOffset? from = null, FunnelFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (from > asOf)
        {
            throw new ArgumentException($"The window starts at {from:O}, after its end at {asOf:O}.", nameof(from));
        }

        filter ??= FunnelFilter.All;
        using var sample = VisitSample.Collect(log, asOf.UtcTicks, from?.UtcTicks ?? long.MinValue, filter.ClientMask(log), filter.OwnerMask(log), perClient: true);
        var stageCount = log.Pipeline.Stages.Count;
        var result = new StageTime[stageCount];
        for (var s = 0; s < stageCount; s++)
        {
            // The won stage is terminal: no visit of it is measured, and its entry stays empty.
            var keys = sample.SortedKeys(s);
            var estimates = Statistics.KaplanMeier(keys, 0.5, 0.9);
            result[s] = new StageTime(log.Pipeline.Stages[s].Key, Statistics.Completed(keys, sample.Completed[s]), sample.Open[s], estimates[0], estimates[1], Statistics.Durations(sample.PerClient[s].AsSpan()));
        }

        return new TimeInStage(log.Pipeline.Id, from, asOf, result);
    }
}
