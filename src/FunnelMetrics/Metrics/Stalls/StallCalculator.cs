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
    /// <returns>One threshold per open stage, in pipeline order.</returns>
    /// <exception cref="ArgumentException">An option is out of range; the message names it, such as <c>Stalls.Percentile</c>.</exception>
    public static IReadOnlyList<StallThreshold> Thresholds(FunnelEventLog log, DateTimeOffset asOf, StallOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        return ThresholdsCore(log, asOf.UtcTicks, asOf.UtcTicks, StallOptions.Check(options, nameof(options)));
    }

    /// <summary>The thresholds from the history of events at or before <paramref name="cut"/>, running visits measured up to <paramref name="measuredAt"/>.</summary>
    internal static IReadOnlyList<StallThreshold> ThresholdsCore(FunnelEventLog log, long cut, long measuredAt, StallOptions settings)
    {
        var pipeline = log.Pipeline;
        VisitSample? history = null;
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

                history ??= TimeInStageCalculator.Collect(log, long.MinValue, cut, measuredAt, null);
                if (history.Completed[s] >= settings.MinimumVisits
                    && Statistics.KaplanMeier(history.SortedKeys(s), settings.Percentile / 100)[0].Value is { } statistical
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
        }
    }

    /// <summary>Finds the stalled clients as of an instant.</summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="asOf">The instant, inclusive.</param>
    /// <param name="options">The clock and thresholds (the options graph's <c>Stalls</c> section); <see langword="null"/> for the defaults.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all. The owner condition uses the owner as of <paramref name="asOf"/>. Statistical thresholds always come from the whole team's history.</param>
    /// <returns>The stalled clients and the per-stage and per-owner summaries.</returns>
    /// <exception cref="ArgumentException">An option is out of range; the message names it, such as <c>Stalls.DefaultThreshold</c>.</exception>
    public static StalledClients Compute(FunnelEventLog log, DateTimeOffset asOf, StallOptions? options = null, FunnelFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        return ComputeCore(log, asOf.UtcTicks, asOf, StallOptions.Check(options, nameof(options)), filter ?? FunnelFilter.All);
    }

    /// <summary>
    /// The stalled clients after the events at or before <paramref name="cut"/>, idle times measured up to <paramref name="asOf"/>:
    /// both the same instant for <see cref="Compute"/>; for the end of a window, whose events are those before its end, the
    /// tick before the end and the end.
    /// </summary>
    internal static StalledClients ComputeCore(FunnelEventLog log, long cut, DateTimeOffset asOf, StallOptions settings, FunnelFilter filter)
    {
        var pipeline = log.Pipeline;
        var stageCount = pipeline.Stages.Count;
        var thresholds = ThresholdsCore(log, cut, asOf.UtcTicks, settings);
        var byIndex = new StallThreshold?[stageCount];
        foreach (var t in thresholds)
        {
            byIndex[pipeline.IndexOf(t.Stage)] = t;
        }

        var clientMask = filter.ClientMask(log);
        var ownerMask = filter.OwnerMask(log);
        var now = asOf.UtcTicks;
        var open = new int[log.Owners.Length, stageCount];
        var stalledCount = new int[log.Owners.Length, stageCount];
        var stalled = new List<StalledClient>();
        for (var c = 0; c < clientMask.Length; c++)
        {
            if (!clientMask[c])
            {
                continue;
            }

            var last = log.LastEventAtOrBefore(c, cut);
            if (last < 0 || log.Statuses[last] != ClientStatus.Open || !ownerMask[log.EventOwners[last]])
            {
                continue;
            }

            // Walk back to the transition that began the visit and to the last action.
            int visit = -1, touch = -1;
            for (var i = last; i >= log.Start[c] && visit < 0; i--)
            {
                var kind = log.Kinds[i];
                if (touch < 0 && kind != EventKind.Reassigned)
                {
                    touch = i;
                }

                if (kind < EventKind.Activity)
                {
                    visit = i;
                }
            }

            var stage = log.Stages[last];
            var owner = log.EventOwners[last];
            var threshold = byIndex[stage]!;
            var idle = now - log.Ticks[settings.Clock == StallClock.LastTouch ? touch : visit];
            open[owner, stage]++;
            if (idle > threshold.Threshold.Ticks)
            {
                stalledCount[owner, stage]++;
                stalled.Add(new StalledClient(
                    log.ClientsArray[c].Id,
                    log.Owners[owner],
                    threshold.Stage,
                    new DateTimeOffset(log.Ticks[visit], TimeSpan.Zero),
                    new DateTimeOffset(log.Ticks[touch], TimeSpan.Zero),
                    TimeSpan.FromTicks(idle),
                    threshold.Threshold,
                    threshold.Source,
                    (double)idle / threshold.Threshold.Ticks));
            }
        }

        stalled.Sort(static (a, b) => b.Overdue != a.Overdue ? b.Overdue.CompareTo(a.Overdue) : a.ClientId.CompareTo(b.ClientId));
        var byOwner = new List<OwnerStall>();
        var totalOpen = new int[stageCount];
        var totalStalled = new int[stageCount];
        for (var o = 0; o < log.Owners.Length; o++)
        {
            int ownerOpen = 0, ownerStalled = 0;
            for (var s = 0; s < stageCount; s++)
            {
                ownerOpen += open[o, s];
                ownerStalled += stalledCount[o, s];
                totalOpen[s] += open[o, s];
                totalStalled[s] += stalledCount[o, s];
            }

            if (ownerOpen > 0)
            {
                var stages = new StageStall[stageCount];
                for (var s = 0; s < stageCount; s++)
                {
                    stages[s] = Summary(pipeline, s, open[o, s], stalledCount[o, s], byIndex[s]);
                }

                byOwner.Add(new OwnerStall(log.Owners[o], ownerOpen, ownerStalled, Statistics.Share(ownerStalled, ownerOpen), stages));
            }
        }

        var byStage = new StageStall[stageCount];
        for (var s = 0; s < stageCount; s++)
        {
            byStage[s] = Summary(pipeline, s, totalOpen[s], totalStalled[s], byIndex[s]);
        }

        return new StalledClients(pipeline.Id, asOf, settings.Clock, thresholds, stalled, byStage, byOwner);
    }

    private static StageStall Summary(PipelineDefinition pipeline, int s, int open, int stalled, StallThreshold? threshold) =>
        new(pipeline.Stages[s].Key, open, stalled, Statistics.Share(stalled, open), threshold?.Threshold, threshold?.Source);

}
