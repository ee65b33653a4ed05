namespace FunnelMetrics.Metrics;

/// <summary>Computes <see cref="TimeInStage"/>: one pass over each client's events, then one sort per stage.</summary>
public static class TimeInStageCalculator
{
    /// <summary>
    /// Measures the visits that began in <paramref name="window"/>, in each stage (the won stage's entry stays empty: won is
    /// terminal), from the events before the window's end: a visit begun at <see cref="TimeWindow.Start"/> counts, one begun
    /// at <see cref="TimeWindow.End"/> does not, and a visit not ended before <see cref="TimeWindow.End"/> is open, measured up to it.
    /// </summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="window">The visits' window, [start, end); <see cref="TimeWindow.Until"/> for every visit begun before an instant.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all. The owner condition applies to the owner on the transition that began each visit; the attribute condition reads the clients as of the window's last instant.</param>
    /// <param name="parallelism">How many threads may read the visits and sort each stage's (the options graph's <c>Parallelism</c> section); <see langword="null"/> for the defaults. The durations are the same whatever the degree.</param>
    /// <param name="calendar">The working calendar the visits are measured in (working time only: docs/metrics.md, "Working-hours clocks"); <see langword="null"/> for elapsed time, the default.</param>
    /// <returns>The durations per stage.</returns>
    /// <exception cref="ArgumentException">An option is out of range; the message names it, <c>Parallelism.MaxDegreeOfParallelism</c>.</exception>
    public static TimeInStage Compute(FunnelEventLog log, TimeWindow window, FunnelFilter? filter = null, ParallelismOptions? parallelism = null, WorkingCalendar? calendar = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        var settings = ParallelismOptions.Check(parallelism, nameof(parallelism));
        filter ??= FunnelFilter.All;
        using var sample = VisitSample.Collect(log, window.StartTicks, window.EndTicks - 1, window.EndTicks, filter.ClientMask(log, window.EndTicks - 1), filter.OwnerMask(log), perClient: true, settings, calendar);
        var stageCount = log.Pipeline.Stages.Count;
        var result = new StageTime[stageCount];

        // Each stage's sort and statistics are its own: on a log large enough to have been split, stages run in parallel.
        ClientPartitions.ForEach(stageCount, sample.Partitions > 1 ? settings.MaxDegreeOfParallelism : 1, s =>
        {
            // The won stage is terminal: no visit of it is measured, and its entry stays empty.
            var keys = sample.SortedKeys(s);
            var estimates = Statistics.KaplanMeier(keys, 0.5, 0.9);
            result[s] = new StageTime(log.Pipeline.Stages[s].Key, Statistics.Completed(keys, sample.Completed[s]), sample.Open[s], estimates[0], estimates[1], Statistics.Durations(sample.PerClient[s].AsSpan()));
        });

        return new TimeInStage(log.Pipeline.Id, window.IsOpenStart ? null : window.Start, window.End, result, calendar);
    }
}
