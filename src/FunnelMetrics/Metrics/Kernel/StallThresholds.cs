namespace FunnelMetrics.Metrics;

/// <summary>The stall thresholds of the open stages as of an instant: shared by the stall calculator, the stuck stages and the live view.</summary>
internal static class StallThresholds
{
    /// <summary>
    /// From the first source that has one: the stage's definition, the settings, the stage's historical percentile of
    /// time in stage (Kaplan–Meier over every client's visits up to the instant, when enough have completed and the
    /// estimate reaches the percentile), the default.
    /// </summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="cut">The history is the events at or before this (UTC ticks).</param>
    /// <param name="measuredAt">Visits still running are measured up to this (UTC ticks).</param>
    /// <param name="settings">The threshold sources, checked.</param>
    /// <param name="parallelism">How many threads may read the visits; <see langword="null"/> for one.</param>
    /// <param name="calendar">The working calendar the percentiles are learned in (working time in stage); <see langword="null"/> for elapsed time. Configured thresholds are read on the same clock by the index.</param>
    public static IReadOnlyList<StallThreshold> Of(FunnelEventLog log, long cut, long measuredAt, StallOptions settings, ParallelismOptions? parallelism = null, WorkingCalendar? calendar = null)
    {
        var pipeline = log.Pipeline;
        VisitSample? history = null;
        CompletedVisits.Sample? known = null;
        try
        {
            var thresholds = new List<StallThreshold>(pipeline.Stages.Count);
            for (var s = 0; s < pipeline.Stages.Count; s++)
            {
                if (s == pipeline.WonStageIndex)
                {
                    continue;
                }

                var stage = pipeline.Stages[s];
                if (stage.StallThreshold is { } own)
                {
                    thresholds.Add(new StallThreshold(stage.Key, own, StallThresholdSource.Stage));
                    continue;
                }

                if (settings.StageThresholds.TryGetValue(stage.Key.Value, out var configured))
                {
                    thresholds.Add(new StallThreshold(stage.Key, configured, StallThresholdSource.Settings));
                    continue;
                }

                // On elapsed time, every visit's keys come from the log's sorted completed visits, less what the cut
                // leaves out; on a working clock, from a fold of every visit.
                int completed;
                if (calendar is null)
                {
                    known ??= log.CompletedVisits.At(log, cut, measuredAt);
                    completed = known.Completed(s);
                }
                else
                {
                    history ??= VisitSample.Collect(log, long.MinValue, cut, measuredAt, log.AllClientsMask, log.AllOwnersMask, perClient: false, parallelism, calendar);
                    completed = history.Completed[s];
                }

                if (completed >= settings.MinimumVisits
                    && Statistics.KaplanMeier(known is not null ? known.SortedKeys(s) : history!.SortedKeys(s), settings.Percentile / 100)[0].Value is { } statistical
                    && statistical > TimeSpan.Zero)
                {
                    thresholds.Add(new StallThreshold(stage.Key, statistical, StallThresholdSource.Statistical));
                    continue;
                }

                thresholds.Add(new StallThreshold(stage.Key, settings.DefaultThreshold, StallThresholdSource.Default));
            }

            return thresholds;
        }
        finally
        {
            // The pooled observation buffers go back to the pool.
            history?.Dispose();
            known?.Dispose();
        }
    }
}
