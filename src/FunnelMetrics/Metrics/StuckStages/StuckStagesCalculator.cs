namespace FunnelMetrics.Metrics;

/// <summary>
/// Computes <see cref="StuckStages"/>: per window, one stall pass, one time-in-stage pass and one conversion pass, each
/// grouped by owner at once, so the per-owner rankings cost no more passes than the team's.
/// </summary>
public static class StuckStagesCalculator
{
    /// <summary>
    /// Ranks the open stages by how many clients wait too long in them over <paramref name="window"/>, [start, end), compared
    /// with the window of the same length just before it, [start - length, start). Each window's figures come from the events
    /// before its end: the clients stalled at its end (idle times measured up to it), the visits begun in it, the cohorts that
    /// first reached a stage in it.
    /// </summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="window">The current window, [start, end), not empty; for example the last 30 days, <see cref="TimeWindow.Ending"/>.</param>
    /// <param name="stalls">The stall clock and thresholds (the options graph's <c>Stalls</c> section); <see langword="null"/> for the defaults.</param>
    /// <param name="conversion">The skip rule of conversion (the options graph's <c>Conversion</c> section); <see langword="null"/> for the defaults.</param>
    /// <param name="filter">
    /// Which clients and owners; <see langword="null"/> for all. Each figure keeps what its calculator attributes to the
    /// owners: stalled clients by the owner at the window's end, time in stage by the owner on the transition that began the
    /// visit, conversion by the owner when the client first reached the stage. The attribute condition reads the clients as
    /// of each window's last instant (the window asked, and the one before it compared with it).
    /// </param>
    /// <param name="parallelism">How many threads may read the clients (the options graph's <c>Parallelism</c> section); <see langword="null"/> for the defaults. The two windows are read at once on a log of at least two partitions' clients; the ranking is the same whatever the degree.</param>
    /// <param name="calendar">The working calendar idle times, stall thresholds and times in stage are measured in (working time only: docs/metrics.md, "Working-hours clocks"); <see langword="null"/> for elapsed time, the default.</param>
    /// <returns>The ranking, for the team and per owner.</returns>
    /// <exception cref="ArgumentException">The window is empty or the previous one would start before the earliest instant, or a stall option is out of range (the message names it).</exception>
    public static StuckStages Compute(FunnelEventLog log, TimeWindow window, StallOptions? stalls = null, ConversionOptions? conversion = null, FunnelFilter? filter = null, ParallelismOptions? parallelism = null, WorkingCalendar? calendar = null) =>
        ComputeWith(log, window, stalls, conversion, filter, parallelism, calendar, stalledAtEnd: null);

    /// <summary>
    /// The same, given the current window's stalled clients when the caller has them: <see cref="StallCalculator.Compute"/>
    /// at the window's end with the same options, filter and calendar, which is the window's own stall figure when the
    /// log has no event at the end's very tick (the window reads the events before its end, the calculator those at or
    /// before its instant). The dashboard passes its own.
    /// </summary>
    internal static StuckStages ComputeWith(FunnelEventLog log, TimeWindow window, StallOptions? stalls, ConversionOptions? conversion, FunnelFilter? filter, ParallelismOptions? parallelism, WorkingCalendar? calendar, StalledClients? stalledAtEnd)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (window.IsEmpty)
        {
            throw new ArgumentException($"The stuck-stage window {window} is empty.", nameof(window));
        }

        if (window.StartTicks - DateTimeOffset.MinValue.UtcTicks < window.Duration.Ticks)
        {
            throw new ArgumentException($"The window before {window} would start before the earliest representable instant.", nameof(window));
        }

        var settings = StallOptions.Check(stalls, nameof(stalls));
        var threads = ParallelismOptions.Check(parallelism, nameof(parallelism));
        var passSkipped = (conversion ?? ConversionOptions.Defaults).SkippedStagesCountAsPassed;
        filter ??= FunnelFilter.All;

        // The two windows are independent passes over the same immutable log.
        var windows = new Window[2];
        TimeWindow[] spans = [window, window.Previous];
        ClientPartitions.ForEach(2, ClientPartitions.CountFor(log.ClientCount, threads, maxParts: 2), w => windows[w] = Window.Of(log, spans[w], settings, passSkipped, filter, calendar, w == 0 ? stalledAtEnd : null));
        var (current, previous) = (windows[0], windows[1]);
        var team = Rank(log, current.Team, previous.Team);
        var byOwner = current.Stalls.ByOwner
            .Select(o => log.IndexOfOwner(o.Owner))
            .Select(o => new OwnerStuckStages(log.OwnerAt(o), Rank(log, current.ForOwner(o), previous.ForOwner(o))))
            .ToList();
        return new StuckStages(log.Pipeline.Id, window.End, window.Duration, team, byOwner, calendar);
    }

    private static List<StuckStage> Rank(FunnelEventLog log, StageFigures[] current, StageFigures[] previous)
    {
        var pipeline = log.Pipeline;
        var stages = new List<(int Index, StuckStage Stage)>();
        for (var s = 0; s < pipeline.Stages.Count; s++)
        {
            if (s == pipeline.WonStageIndex)
            {
                continue;
            }

            var (c, p) = (current[s], previous[s]);
            var change = new StageChange(
                c.Clients - p.Clients,
                c.Stalled - p.Stalled,
                c.StalledShare - p.StalledShare,
                c.Median.Value - p.Median.Value,
                c.P90.Value - p.P90.Value,
                c.ConversionToNext - p.ConversionToNext);
            stages.Add((s, new StuckStage(pipeline.Stages[s].Key, 0, c.Stalled + (c.StalledShare ?? 0), c, p, change)));
        }

        stages.Sort(static (a, b) =>
        {
            var byScore = b.Stage.Score.CompareTo(a.Stage.Score);
            if (byScore != 0)
            {
                return byScore;
            }

            var byP90 = Bound(b.Stage.Current.P90).CompareTo(Bound(a.Stage.Current.P90));
            return byP90 != 0 ? byP90 : a.Index.CompareTo(b.Index);
        });
        return [.. stages.Select((x, i) => x.Stage.WithRank(i + 1))];
    }

    private static TimeSpan Bound(DurationEstimate estimate) => estimate.Value ?? estimate.MoreThan ?? TimeSpan.Zero;

    /// <summary>One window's raw figures, grouped by owner, from which the team's and every owner's figures are read.</summary>
    private sealed class Window(FunnelEventLog log, StalledClients stalls, List<long>[,] observations, int[,] cohort, int[,] advanced, bool[] ownerMask)
    {
        public StalledClients Stalls => stalls;

        public StageFigures[] Team
        {
            get
            {
                var figures = new StageFigures[log.Pipeline.Stages.Count];
                for (var s = 0; s < figures.Length; s++)
                {
                    var merged = new List<long>();
                    int reached = 0, passed = 0;
                    for (var o = 0; o < log.OwnerCount; o++)
                    {
                        if (ownerMask[o])
                        {
                            merged.AddRange(observations[o, s] ?? []);
                            (reached, passed) = (reached + cohort[o, s], passed + advanced[o, s]);
                        }
                    }

                    figures[s] = Figures(stalls.ByStage[s], merged, reached, passed);
                }

                return figures;
            }
        }

        public static Window Of(FunnelEventLog log, TimeWindow window, StallOptions settings, bool passSkipped, FunnelFilter filter, WorkingCalendar? calendar, StalledClients? stalledAtEnd)
        {
            // Everything from the events before the window's end: the clients stalled at the end, idle up to it; the visits
            // begun in [start, end); the cohorts reaching a stage in [start, end). Clients as of the window's last instant.
            var cut = window.EndTicks - 1;
            var clientMask = filter.ClientMask(log, cut);
            var ownerMask = filter.OwnerMask(log);
            var stalls = stalledAtEnd
                ?? StallIndex.Fold(log, cut, window.End, clientMask, ownerMask, settings.Clock, StallThresholds.Of(log, cut, window.EndTicks, settings, calendar: calendar), calendar).Shape(window.End);
            var observations = OwnerVisits.Collect(log, window, clientMask, calendar);
            var (cohort, advanced) = StageReach.CohortsByOwner(log, window.StartTicks, window.EndTicks, cut, passSkipped, clientMask);
            return new Window(log, stalls, observations, cohort, advanced, ownerMask);
        }

        public StageFigures[] ForOwner(int owner)
        {
            var ownerStalls = stalls.ByOwner.FirstOrDefault(o => o.Owner == log.OwnerAt(owner));
            var figures = new StageFigures[log.Pipeline.Stages.Count];
            for (var s = 0; s < figures.Length; s++)
            {
                var stall = ownerStalls?.Stages[s] ?? new StageStall(log.Pipeline.Stages[s].Key, 0, 0, null, null, null);
                figures[s] = Figures(stall, observations[owner, s] ?? [], cohort[owner, s], advanced[owner, s]);
            }

            return figures;
        }

        private static StageFigures Figures(StageStall stall, List<long> visits, int reached, int passed)
        {
            long[] keys = [.. visits];
            Statistics.SortNonNegative(keys);
            var estimates = Statistics.KaplanMeier(keys, 0.5, 0.9);
            return new StageFigures(stall.Clients, stall.Stalled, stall.Share, estimates[0], estimates[1], Statistics.Share(passed, reached));
        }
    }
}
