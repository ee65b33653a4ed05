namespace FunnelMetrics.Metrics;

/// <summary>Computes <see cref="StageCounts"/>: one pass over the clients, one binary search per client.</summary>
public static class StageCountsCalculator
{
    /// <summary>Counts the clients at each stage as of an instant.</summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="asOf">The instant, inclusive. Before the first event every count is zero.</param>
    /// <param name="filter">Which clients and owners to count; <see langword="null"/> for all. The owner condition uses the owner as of <paramref name="asOf"/>.</param>
    /// <returns>The counts.</returns>
    public static StageCounts Compute(FunnelEventLog log, DateTimeOffset asOf, FunnelFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        filter ??= FunnelFilter.All;
        var clientMask = filter.ClientMask(log);
        var ownerMask = filter.OwnerMask(log);
        var stageCount = log.Pipeline.Stages.Count;
        var won = log.Pipeline.WonStageIndex;

        // Column per owner: stage 0..n-1, then lost.
        var perOwner = new int[log.Owners.Length, stageCount + 1];
        var cut = asOf.UtcTicks;
        for (var c = 0; c < clientMask.Length; c++)
        {
            if (!clientMask[c])
            {
                continue;
            }

            var e = log.LastEventAtOrBefore(c, cut);
            if (e < 0 || log.Statuses[e] == ClientStatus.NotEntered)
            {
                continue;
            }

            var owner = log.EventOwners[e];
            if (!ownerMask[owner])
            {
                continue;
            }

            perOwner[owner, log.Statuses[e] == ClientStatus.Lost ? stageCount : log.Stages[e]]++;
        }

        var totals = new int[stageCount + 1];
        var byOwner = new List<OwnerStageCounts>();
        for (var o = 0; o < log.Owners.Length; o++)
        {
            var row = new int[stageCount + 1];
            var any = false;
            for (var s = 0; s <= stageCount; s++)
            {
                row[s] = perOwner[o, s];
                totals[s] += row[s];
                any |= row[s] != 0;
            }

            if (any)
            {
                var (stages, inWork) = Shape(log.Pipeline, row);
                byOwner.Add(new OwnerStageCounts(log.Owners[o], stages, inWork, row[won], row[stageCount]));
            }
        }

        var (allStages, allInWork) = Shape(log.Pipeline, totals);
        return new StageCounts(log.Pipeline.Id, asOf, allStages, allInWork, totals[won], totals[stageCount], allInWork + totals[won] + totals[stageCount], byOwner);
    }

    private static (StageCount[] Stages, int InWork) Shape(PipelineDefinition pipeline, int[] row)
    {
        var stages = new StageCount[pipeline.Stages.Count];
        var inWork = 0;
        for (var s = 0; s < stages.Length; s++)
        {
            stages[s] = new StageCount(pipeline.Stages[s].Key, row[s]);
            inWork += s == pipeline.WonStageIndex ? 0 : row[s];
        }

        return (stages, inWork);
    }
}
