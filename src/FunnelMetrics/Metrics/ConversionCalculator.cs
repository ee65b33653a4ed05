namespace FunnelMetrics.Metrics;

/// <summary>Computes <see cref="Conversion"/>: one pass over each client's events up to the instant.</summary>
public static class ConversionCalculator
{
    /// <summary>Computes conversion for the cohorts that first reached each stage in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="from">The cohort window's start, inclusive.</param>
    /// <param name="to">The cohort window's end, exclusive; after <paramref name="from"/>.</param>
    /// <param name="asOf">The instant outcomes are read at, inclusive; <see langword="null"/> for <paramref name="to"/>. Not before <paramref name="to"/>.</param>
    /// <param name="conversionWindow">When set (positive), advancing counts only within this time of first reaching the stage.</param>
    /// <param name="skippedStagesCountAsPassed">Whether a forward jump counts as reaching the stages jumped over.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all. The owner condition applies to the owner when the client first reached each stage, and for the win rate to the owner on the closing event.</param>
    /// <returns>The conversion figures.</returns>
    /// <exception cref="ArgumentException">The window is empty, <paramref name="asOf"/> is before its end, or the conversion window is not positive.</exception>
    public static Conversion Compute(FunnelEventLog log, DateTimeOffset from, DateTimeOffset to, DateTimeOffset? asOf = null, TimeSpan? conversionWindow = null, bool skippedStagesCountAsPassed = true, FunnelFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (to <= from)
        {
            throw new ArgumentException($"The cohort window [{from:O}, {to:O}) is empty.", nameof(to));
        }

        var at = asOf ?? to;
        if (at < to)
        {
            throw new ArgumentException($"Outcomes are read as of {at:O}, before the cohort window ends at {to:O}.", nameof(asOf));
        }

        if (conversionWindow is { } w && w <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(conversionWindow), w, "The conversion window must be positive.");
        }

        filter ??= FunnelFilter.All;
        var clientMask = filter.ClientMask(log);
        var ownerMask = filter.OwnerMask(log);
        var stageCount = log.Pipeline.Stages.Count;
        var won = log.Pipeline.WonStageIndex;
        long lo = from.UtcTicks, hi = to.UtcTicks, cut = at.UtcTicks;
        var window = conversionWindow?.Ticks ?? long.MaxValue;

        var cohort = new int[stageCount];
        var advanced = new int[stageCount];
        var lost = new int[stageCount];
        var reachedFromFirst = new int[stageCount];
        var firstCohort = 0;
        int winsInWindow = 0, lossesInWindow = 0;

        var reachedAt = new long[stageCount];
        var advancedAt = new long[stageCount];
        var reachOwner = new int[stageCount];
        for (var c = 0; c < clientMask.Length; c++)
        {
            if (!clientMask[c])
            {
                continue;
            }

            Array.Fill(reachedAt, long.MaxValue);
            Array.Fill(advancedAt, long.MaxValue);
            var last = log.LastEventAtOrBefore(c, cut);
            var closing = -1;
            for (var i = log.Start[c]; i <= last; i++)
            {
                var kind = log.Kinds[i];
                if (kind >= EventKind.Activity || kind == EventKind.Lost)
                {
                    closing = kind == EventKind.Lost ? i : closing;
                    continue;
                }

                var t = log.Ticks[i];
                var to2 = log.Stages[i];
                var fromStage = i > log.Start[c] ? log.Stages[i - 1] : -1;
                var forward = kind is EventKind.Advanced or EventKind.Skipped or EventKind.Won;
                if (forward)
                {
                    // Every stage reached before and not yet left forward is now passed.
                    for (var s = 0; s < stageCount; s++)
                    {
                        if (reachedAt[s] != long.MaxValue && advancedAt[s] == long.MaxValue && (s < to2 || kind == EventKind.Won) && s != won)
                        {
                            advancedAt[s] = t;
                        }
                    }

                    if (skippedStagesCountAsPassed)
                    {
                        for (var s = fromStage + 1; s < to2; s++)
                        {
                            if (reachedAt[s] == long.MaxValue && s != won)
                            {
                                reachedAt[s] = t;
                                advancedAt[s] = t;
                                reachOwner[s] = log.EventOwners[i];
                            }
                        }
                    }
                }

                if (reachedAt[to2] == long.MaxValue)
                {
                    reachedAt[to2] = t;
                    reachOwner[to2] = log.EventOwners[i];
                }

                if (kind == EventKind.Won)
                {
                    closing = i;
                }
                else if (kind == EventKind.Reopened)
                {
                    closing = -1;
                }
            }

            var isLost = last >= 0 && log.Statuses[last] == ClientStatus.Lost;
            var firstInCohort = reachedAt[0] >= lo && reachedAt[0] < hi && ownerMask[reachOwner[0]];
            for (var s = 0; s < stageCount; s++)
            {
                if (firstInCohort && reachedAt[s] != long.MaxValue && reachedAt[s] >= reachedAt[0])
                {
                    reachedFromFirst[s]++;
                }

                if (s == won || reachedAt[s] < lo || reachedAt[s] >= hi || !ownerMask[reachOwner[s]])
                {
                    continue;
                }

                cohort[s]++;
                if (advancedAt[s] != long.MaxValue && advancedAt[s] - reachedAt[s] <= window)
                {
                    advanced[s]++;
                }
                else if (isLost && advancedAt[s] == long.MaxValue)
                {
                    lost[s]++;
                }
            }

            firstCohort += firstInCohort ? 1 : 0;
            if (closing >= 0 && log.Ticks[closing] >= lo && log.Ticks[closing] < hi && ownerMask[log.EventOwners[closing]])
            {
                if (log.Kinds[closing] == EventKind.Won)
                {
                    winsInWindow++;
                }
                else
                {
                    lossesInWindow++;
                }
            }
        }

        var stages = new List<StageConversion>(stageCount);
        for (var s = 0; s < stageCount; s++)
        {
            if (s == won)
            {
                continue;
            }

            var remaining = cohort[s] - advanced[s] - lost[s];
            stages.Add(new StageConversion(
                log.Pipeline.Stages[s].Key,
                cohort[s],
                advanced[s],
                lost[s],
                remaining,
                Share(advanced[s], cohort[s]),
                Share(lost[s], cohort[s]),
                Share(remaining, cohort[s]),
                reachedFromFirst[s],
                Share(reachedFromFirst[s], firstCohort)));
        }

        var closed = winsInWindow + lossesInWindow;
        return new Conversion(log.Pipeline.Id, from, to, at, conversionWindow, skippedStagesCountAsPassed, stages, firstCohort, reachedFromFirst[won], Share(reachedFromFirst[won], firstCohort), new WinRate(winsInWindow, lossesInWindow, Share(winsInWindow, closed)));
    }

    private static double? Share(int part, int whole) => whole == 0 ? null : (double)part / whole;
}
