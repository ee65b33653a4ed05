namespace FunnelMetrics.Metrics;

/// <summary>Computes <see cref="Conversion"/>: one pass over each client's events up to the instant.</summary>
public static class ConversionCalculator
{
    /// <summary>
    /// Computes conversion for the cohorts that first reached each stage in <paramref name="cohorts"/>, [start, end), with
    /// their outcomes read from the events before <paramref name="outcomesBefore"/>.
    /// </summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="cohorts">The cohort window, [start, end), not empty: a client first reaching a stage at its start is in that stage's cohort, one reaching it at its end is not. The win rate counts the clients whose closing event is in it.</param>
    /// <param name="outcomesBefore">The outcomes (advanced, lost, still there) are read from the events before this instant, exclusive; <see langword="null"/> for the cohort window's end. Not before that end.</param>
    /// <param name="conversionWindow">When set (positive), advancing counts as <see cref="StageConversion.Advanced"/> only within this time of first reaching the stage (inclusive), and as <see cref="StageConversion.AdvancedLate"/> after it.</param>
    /// <param name="options">The skip rule (the options graph's <c>Conversion</c> section); <see langword="null"/> for the defaults.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all. The owner condition applies to the owner when the client first reached each stage, and for the win rate to the owner on the closing event; the attribute condition reads the clients as of the last instant whose outcomes are read (the tick before <c>outcomesBefore</c>).</param>
    /// <param name="parallelism">How many threads may read the clients (the options graph's <c>Parallelism</c> section); <see langword="null"/> for the defaults. The figures are the same whatever the degree.</param>
    /// <returns>The conversion figures.</returns>
    /// <exception cref="ArgumentException">The cohort window is empty, <paramref name="outcomesBefore"/> is before its end, the conversion window is not positive, or an option is out of range (the message names it, <c>Parallelism.MaxDegreeOfParallelism</c>).</exception>
    public static Conversion Compute(FunnelEventLog log, TimeWindow cohorts, DateTimeOffset? outcomesBefore = null, TimeSpan? conversionWindow = null, ConversionOptions? options = null, FunnelFilter? filter = null, ParallelismOptions? parallelism = null)
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

        var threads = ParallelismOptions.Check(parallelism, nameof(parallelism));
        var skippedStagesCountAsPassed = (options ?? ConversionOptions.Defaults).SkippedStagesCountAsPassed;
        filter ??= FunnelFilter.All;
        var ownerMask = filter.OwnerMask(log);
        var stageCount = log.Pipeline.Stages.Count;
        var won = log.Pipeline.WonStageIndex;
        long lo = from.UtcTicks, hi = to.UtcTicks, cut = at.UtcTicks - 1;

        // Clients as of the last instant whose outcomes are read: attributes then decide the filter.
        var clientMask = filter.ClientMask(log, cut);
        var window = conversionWindow?.Ticks ?? long.MaxValue;

        // Counts add: the partitions' sums, in any order, are the sequential fold's.
        var parts = ClientPartitions.Fold(clientMask.Length, threads, (first, end) => Counts.Fold(log, lo, hi, cut, window, skippedStagesCountAsPassed, clientMask, ownerMask, first, end));
        var counts = parts[0];
        for (var p = 1; p < parts.Length; p++)
        {
            counts.Add(parts[p]);
        }

        var (cohort, advanced, late, lost, reachedFromFirst) = (counts.Cohort, counts.Advanced, counts.Late, counts.Lost, counts.ReachedFromFirst);
        var (cohortValue, advancedValue, lateValue, lostValue, remainingValue, withoutValue) = (counts.CohortValue, counts.AdvancedValue, counts.LateValue, counts.LostValue, counts.RemainingValue, counts.WithoutValue);
        var firstCohort = counts.FirstCohort;
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
                Statistics.Share(reachedFromFirst[s], firstCohort),
                cohortValue[s],
                withoutValue[s],
                advancedValue[s],
                lateValue[s],
                lostValue[s],
                remainingValue[s],
                Statistics.Share(advancedValue[s], cohortValue[s]),
                Statistics.Share(lateValue[s], cohortValue[s]),
                Statistics.Share(lostValue[s], cohortValue[s]),
                Statistics.Share(remainingValue[s], cohortValue[s]));
        }

        var (winsInWindow, lossesInWindow) = (counts.Wins, counts.Losses);
        var closed = winsInWindow + lossesInWindow;
        return new Conversion(log.Pipeline.Id, from, to, at, conversionWindow, skippedStagesCountAsPassed, stages, firstCohort, reachedFromFirst[won], Statistics.Share(reachedFromFirst[won], firstCohort), new WinRate(winsInWindow, lossesInWindow, Statistics.Share(winsInWindow, closed)), StageDropOff.Of(log.Pipeline, stages));
    }

    /// <summary>
    /// The counters of a set of clients: per stage, the cohort and its outcomes by count and by value (each member's value
    /// as of the cut), and the first stage's cohort and closings in the window.
    /// </summary>
    private sealed class Counts
    {
        private Counts(int stageCount)
        {
            Cohort = new int[stageCount];
            Advanced = new int[stageCount];
            Late = new int[stageCount];
            Lost = new int[stageCount];
            ReachedFromFirst = new int[stageCount];
            WithoutValue = new int[stageCount];
            CohortValue = new decimal[stageCount];
            AdvancedValue = new decimal[stageCount];
            LateValue = new decimal[stageCount];
            LostValue = new decimal[stageCount];
            RemainingValue = new decimal[stageCount];
        }

        public int[] Cohort { get; }

        public int[] Advanced { get; }

        public int[] Late { get; }

        public int[] Lost { get; }

        public int[] ReachedFromFirst { get; }

        /// <summary>Per stage, the cohort members without a value as of the cut.</summary>
        public int[] WithoutValue { get; }

        /// <summary>Per stage, the sum of the cohort members' known values as of the cut; the four below partition it.</summary>
        public decimal[] CohortValue { get; }

        public decimal[] AdvancedValue { get; }

        public decimal[] LateValue { get; }

        public decimal[] LostValue { get; }

        public decimal[] RemainingValue { get; }

        public int FirstCohort { get; private set; }

        public int Wins { get; private set; }

        public int Losses { get; private set; }

        /// <summary>The clients [<paramref name="from"/>, <paramref name="to"/>) of the mask, cohorts [lo, hi), outcomes at or before the cut.</summary>
        public static Counts Fold(FunnelEventLog log, long lo, long hi, long cut, long window, bool skippedStagesCountAsPassed, bool[] clientMask, bool[] ownerMask, int from, int to)
        {
            var stageCount = log.Pipeline.Stages.Count;
            var won = log.Pipeline.WonStageIndex;
            var first = log.Pipeline.FirstOpenStageIndex;
            var counts = new Counts(stageCount);
            var (cohort, advanced, late, lost, reachedFromFirst) = (counts.Cohort, counts.Advanced, counts.Late, counts.Lost, counts.ReachedFromFirst);
            var (withoutValue, cohortValue, advancedValue, lateValue, lostValue, remainingValue) = (counts.WithoutValue, counts.CohortValue, counts.AdvancedValue, counts.LateValue, counts.LostValue, counts.RemainingValue);
            int firstCohort = 0, winsInWindow = 0, lossesInWindow = 0;

            var reach = new StageReach(log.Pipeline);
            var (reachedAt, advancedAt, reachOwner, reachedSinceFirst) = (reach.ReachedAt, reach.AdvancedAt, reach.ReachOwner, reach.ReachedSinceFirst);
            for (var c = from; c < to; c++)
            {
                if (!clientMask[c])
                {
                    continue;
                }

                // A client whose events up to the cut all lie before the window, or all after it, reaches nothing in it
                // and closes nothing in it: it counts nowhere.
                var history = log.History(c);
                var last = history.LastAtOrBefore(cut);
                if (last < 0 || history.Ticks(last) < lo || history.Ticks(0) >= hi)
                {
                    continue;
                }

                reach.Read(history, last, skippedStagesCountAsPassed);
                var isLost = history.Status(last) == ClientStatus.Lost;

                // The member's value as of the cut: its latest when the outcomes are read (unknown then: counted apart).
                var value = history.ValueAsOf(cut);
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
                    var passed = advancedAt[s] != StageReach.Never;
                    var inWindow = passed && advancedAt[s] - reachedAt[s] <= window;
                    if (passed)
                    {
                        (inWindow ? advanced : late)[s]++;
                    }
                    else if (isLost)
                    {
                        lost[s]++;
                    }

                    if (value is not { } v)
                    {
                        withoutValue[s]++;
                        continue;
                    }

                    cohortValue[s] += v;
                    (passed ? inWindow ? advancedValue : lateValue : isLost ? lostValue : remainingValue)[s] += v;
                }

                firstCohort += firstInCohort ? 1 : 0;
                var closing = history.ClosingEvent(last);
                if (closing >= 0 && history.Ticks(closing) >= lo && history.Ticks(closing) < hi && ownerMask[history.Owner(closing)])
                {
                    winsInWindow += history.Kind(closing) == EventKind.Won ? 1 : 0;
                    lossesInWindow += history.Kind(closing) == EventKind.Lost ? 1 : 0;
                }
            }

            (counts.FirstCohort, counts.Wins, counts.Losses) = (firstCohort, winsInWindow, lossesInWindow);
            return counts;
        }

        /// <summary>Adds the counts of other clients.</summary>
        public void Add(Counts other)
        {
            for (var s = 0; s < Cohort.Length; s++)
            {
                Cohort[s] += other.Cohort[s];
                Advanced[s] += other.Advanced[s];
                Late[s] += other.Late[s];
                Lost[s] += other.Lost[s];
                ReachedFromFirst[s] += other.ReachedFromFirst[s];
                WithoutValue[s] += other.WithoutValue[s];
                CohortValue[s] += other.CohortValue[s];
                AdvancedValue[s] += other.AdvancedValue[s];
                LateValue[s] += other.LateValue[s];
                LostValue[s] += other.LostValue[s];
                RemainingValue[s] += other.RemainingValue[s];
            }

            FirstCohort += other.FirstCohort;
            Wins += other.Wins;
            Losses += other.Losses;
        }
    }
}
