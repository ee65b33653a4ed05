namespace FunnelMetrics.Metrics;

/// <summary>Computes <see cref="Conversion"/>: one pass over each client's events up to the instant.</summary>
public static class ConversionCalculator
{
    private const long Never = long.MaxValue;

    /// <summary>
    /// Computes conversion for the cohorts that first reached each stage in <paramref name="cohorts"/>, [start, end), with
    /// their outcomes read from the events before <paramref name="outcomesBefore"/>.
    /// </summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="cohorts">The cohort window, [start, end), not empty: a client first reaching a stage at its start is in that stage's cohort, one reaching it at its end is not. The win rate counts the clients whose closing event is in it.</param>
    /// <param name="outcomesBefore">The outcomes (advanced, lost, still there) are read from the events before this instant, exclusive; <see langword="null"/> for the cohort window's end. Not before that end.</param>
    /// <param name="conversionWindow">When set (positive), advancing counts as <see cref="StageConversion.Advanced"/> only within this time of first reaching the stage (inclusive), and as <see cref="StageConversion.AdvancedLate"/> after it.</param>
    /// <param name="options">The skip rule (the options graph's <c>Conversion</c> section); <see langword="null"/> for the defaults.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all. The owner condition applies to the owner when the client first reached each stage, and for the win rate to the owner on the closing event.</param>
    /// <returns>The conversion figures.</returns>
    /// <exception cref="ArgumentException">The cohort window is empty, <paramref name="outcomesBefore"/> is before its end, or the conversion window is not positive.</exception>
    public static Conversion Compute(FunnelEventLog log, TimeWindow cohorts, DateTimeOffset? outcomesBefore = null, TimeSpan? conversionWindow = null, ConversionOptions? options = null, FunnelFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (cohorts.IsEmpty)
        {
            throw new ArgumentException($"The cohort window {cohorts} is empty.", nameof(cohorts));
        }

        var (from, to) = (cohorts.Start, cohorts.End);
        var at = outcomesBefore ?? to;
        if (at < to)
        {
            throw new ArgumentException($"Outcomes are read before {at:O}, earlier than the cohort window's end at {to:O}.", nameof(outcomesBefore));
        }

        if (conversionWindow is { } w && w <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(conversionWindow), w, "The conversion window must be positive.");
        }

        var skippedStagesCountAsPassed = (options ?? ConversionOptions.Defaults).SkippedStagesCountAsPassed;
        filter ??= FunnelFilter.All;
        var clientMask = filter.ClientMask(log);
        var ownerMask = filter.OwnerMask(log);
        var stageCount = log.Pipeline.Stages.Count;
        var won = log.Pipeline.WonStageIndex;
        var first = won == 0 ? 1 : 0;
        long lo = from.UtcTicks, hi = to.UtcTicks, cut = at.UtcTicks - 1;
        var window = conversionWindow?.Ticks ?? long.MaxValue;

        var cohort = new int[stageCount];
        var advanced = new int[stageCount];
        var late = new int[stageCount];
        var lost = new int[stageCount];
        var reachedFromFirst = new int[stageCount];
        var firstCohort = 0;
        int winsInWindow = 0, lossesInWindow = 0;

        var reach = new Reach(stageCount);
        var (reachedAt, advancedAt, reachOwner, reachedSinceFirst) = (reach.ReachedAt, reach.AdvancedAt, reach.ReachOwner, reach.ReachedSinceFirst);
        for (var c = 0; c < clientMask.Length; c++)
        {
            if (!clientMask[c])
            {
                continue;
            }

            var last = log.LastEventAtOrBefore(c, cut);
            var closing = Scan(log, c, last, skippedStagesCountAsPassed, first, reach);
            var isLost = last >= 0 && log.Statuses[last] == ClientStatus.Lost;
            var firstInCohort = reachedAt[first] >= lo && reachedAt[first] < hi && ownerMask[reachOwner[first]];
            for (var s = 0; s < stageCount; s++)
            {
                if (firstInCohort && reachedSinceFirst[s])
                {
                    reachedFromFirst[s]++;
                }

                if (s == won || reachedAt[s] < lo || reachedAt[s] >= hi || !ownerMask[reachOwner[s]])
                {
                    continue;
                }

                cohort[s]++;
                if (advancedAt[s] != Never)
                {
                    (advancedAt[s] - reachedAt[s] <= window ? advanced : late)[s]++;
                }
                else if (isLost)
                {
                    lost[s]++;
                }
            }

            firstCohort += firstInCohort ? 1 : 0;
            if (closing >= 0 && log.Ticks[closing] >= lo && log.Ticks[closing] < hi && ownerMask[log.EventOwners[closing]])
            {
                winsInWindow += log.Kinds[closing] == EventKind.Won ? 1 : 0;
                lossesInWindow += log.Kinds[closing] == EventKind.Lost ? 1 : 0;
            }
        }

        var stages = new StageConversion[stageCount];
        for (var s = 0; s < stageCount; s++)
        {
            var remaining = cohort[s] - advanced[s] - late[s] - lost[s];
            stages[s] = new StageConversion(
                log.Pipeline.Stages[s].Key,
                cohort[s],
                advanced[s],
                late[s],
                lost[s],
                remaining,
                Statistics.Share(advanced[s], cohort[s]),
                Statistics.Share(late[s], cohort[s]),
                Statistics.Share(lost[s], cohort[s]),
                Statistics.Share(remaining, cohort[s]),
                reachedFromFirst[s],
                Statistics.Share(reachedFromFirst[s], firstCohort));
        }

        var closed = winsInWindow + lossesInWindow;
        return new Conversion(log.Pipeline.Id, from, to, at, conversionWindow, skippedStagesCountAsPassed, stages, firstCohort, reachedFromFirst[won], Statistics.Share(reachedFromFirst[won], firstCohort), new WinRate(winsInWindow, lossesInWindow, Statistics.Share(winsInWindow, closed)));
    }

    /// <summary>
    /// Reads one client's transitions up to event <paramref name="last"/>: when it first reached each stage (and with which
    /// owner), when it first passed each, whether it reached each at or after reaching the first open stage. Returns the
    /// index of its closing event (its last win or loss not followed by a reopen), or -1.
    /// </summary>
    private static int Scan(FunnelEventLog log, int c, int last, bool passSkipped, int first, Reach reach)
    {
        var (reachedAt, advancedAt, reachOwner, reachedSinceFirst) = (reach.ReachedAt, reach.AdvancedAt, reach.ReachOwner, reach.ReachedSinceFirst);
        var stageCount = reachedAt.Length;
        var won = log.Pipeline.WonStageIndex;
        Array.Fill(reachedAt, Never);
        Array.Fill(advancedAt, Never);
        Array.Clear(reachedSinceFirst);
        var closing = -1;
        for (var i = log.Start[c]; i <= last; i++)
        {
            var kind = log.Kinds[i];
            if (kind >= EventKind.Activity)
            {
                continue;
            }

            if (kind == EventKind.Lost)
            {
                closing = i;
                continue;
            }

            var t = log.Ticks[i];
            var target = log.Stages[i];
            var owner = log.EventOwners[i];

            // Arriving above a stage reached before passes it; a win passes every stage reached before.
            for (var s = 0; s < stageCount; s++)
            {
                if (reachedAt[s] != Never && advancedAt[s] == Never && s != won && (s < target || kind == EventKind.Won))
                {
                    advancedAt[s] = t;
                }
            }

            // A forward jump reaches and passes the stages jumped over, when the option says so.
            if (passSkipped && kind is EventKind.Skipped or EventKind.Won)
            {
                for (var s = log.Stages[i - 1] + 1; s < target; s++)
                {
                    if (s == won)
                    {
                        continue;
                    }

                    if (reachedAt[s] == Never)
                    {
                        (reachedAt[s], advancedAt[s], reachOwner[s]) = (t, t, owner);
                    }

                    reachedSinceFirst[s] |= reachedAt[first] != Never;
                }
            }

            if (reachedAt[target] == Never)
            {
                (reachedAt[target], reachOwner[target]) = (t, owner);
            }

            reachedSinceFirst[target] |= reachedAt[first] != Never;
            closing = kind switch
            {
                EventKind.Won => i,
                EventKind.Reopened => -1,
                _ => closing,
            };
        }

        return closing;
    }

    /// <summary>
    /// Per owner (who first reached the stage) and stage: the clients who first reached it in [lo, hi) and, of them, those
    /// who passed it by <paramref name="cut"/> (inclusive: the events at or before it are read). One pass for every owner at once.
    /// </summary>
    internal static (int[,] Cohort, int[,] Advanced) CohortsByOwner(FunnelEventLog log, long lo, long hi, long cut, bool passSkipped, bool[] clientMask)
    {
        var stageCount = log.Pipeline.Stages.Count;
        var won = log.Pipeline.WonStageIndex;
        var first = won == 0 ? 1 : 0;
        var cohort = new int[log.Owners.Length, stageCount];
        var advanced = new int[log.Owners.Length, stageCount];
        var reach = new Reach(stageCount);
        var (reachedAt, advancedAt, reachOwner, reachedSinceFirst) = (reach.ReachedAt, reach.AdvancedAt, reach.ReachOwner, reach.ReachedSinceFirst);
        for (var c = 0; c < clientMask.Length; c++)
        {
            if (!clientMask[c])
            {
                continue;
            }

            Scan(log, c, log.LastEventAtOrBefore(c, cut), passSkipped, first, reach);
            for (var s = 0; s < stageCount; s++)
            {
                if (s != won && reachedAt[s] >= lo && reachedAt[s] < hi)
                {
                    cohort[reachOwner[s], s]++;
                    advanced[reachOwner[s], s] += advancedAt[s] != Never ? 1 : 0;
                }
            }
        }

        return (cohort, advanced);
    }

    /// <summary>One client's reach of each stage, reused from client to client: when first reached, by which owner, when first passed.</summary>
    private sealed class Reach(int stageCount)
    {
        public long[] ReachedAt { get; } = new long[stageCount];

        public long[] AdvancedAt { get; } = new long[stageCount];

        public int[] ReachOwner { get; } = new int[stageCount];

        public bool[] ReachedSinceFirst { get; } = new bool[stageCount];
    }
}
