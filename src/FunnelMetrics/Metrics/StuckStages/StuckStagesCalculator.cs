namespace FunnelMetrics.Metrics;

/// <summary>Computes <see cref="StuckStages"/> from the stall, time-in-stage and conversion calculators, for two windows.</summary>
public static class StuckStagesCalculator
{
    /// <summary>Ranks the open stages by how many clients wait too long in them.</summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="asOf">The instant, inclusive.</param>
    /// <param name="period">The window's length, positive; for example 30 days.</param>
    /// <param name="settings">The stall clock and thresholds; <see langword="null"/> for the defaults.</param>
    /// <param name="skippedStagesCountAsPassed">The skip rule of conversion.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all.</param>
    /// <returns>The ranking, for the team and per owner.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="period"/> is not positive.</exception>
    public static StuckStages Compute(FunnelEventLog log, DateTimeOffset asOf, TimeSpan period, StallSettings? settings = null, bool skippedStagesCountAsPassed = true, FunnelFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (period <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "The period of the stuck-stage windows must be positive.");
        }

        settings ??= StallSettings.Default;
        filter ??= FunnelFilter.All;
        var team = Rank(log, asOf, period, settings, skippedStagesCountAsPassed, filter);
        var owners = StageCountsCalculator.Compute(log, asOf, filter).ByOwner.Where(o => o.InWork > 0).Select(o => o.Owner);
        var byOwner = owners
            .Select(o => new OwnerStuckStages(o, Rank(log, asOf, period, settings, skippedStagesCountAsPassed, filter with { Owners = [o] })))
            .ToList();
        return new StuckStages(log.Pipeline.Id, asOf, period, team, byOwner);
    }

    private static List<StuckStage> Rank(FunnelEventLog log, DateTimeOffset asOf, TimeSpan period, StallSettings settings, bool passSkipped, FunnelFilter filter)
    {
        var current = Figures(log, asOf, period, settings, passSkipped, filter);
        var previous = Figures(log, asOf - period, period, settings, passSkipped, filter);
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
        return [.. stages.Select((x, i) => x.Stage with { Rank = i + 1 })];
    }

    private static TimeSpan Bound(DurationEstimate estimate) => estimate.Value ?? estimate.MoreThan ?? TimeSpan.Zero;

    private static StageFigures[] Figures(FunnelEventLog log, DateTimeOffset asOf, TimeSpan period, StallSettings settings, bool passSkipped, FunnelFilter filter)
    {
        var stalls = StallCalculator.Compute(log, asOf, settings, filter);
        // Visits begun in (asOf - period, asOf]: the previous window's visits end where these start, none counted twice.
        var time = TimeInStageCalculator.Compute(log, asOf, asOf - period + TimeSpan.FromTicks(1), filter);
        var conversion = ConversionCalculator.Compute(log, asOf - period, asOf, asOf, null, passSkipped, filter);
        var figures = new StageFigures[log.Pipeline.Stages.Count];
        for (var s = 0; s < figures.Length; s++)
        {
            var stall = stalls.ByStage[s];
            figures[s] = new StageFigures(stall.Clients, stall.Stalled, stall.Share, time.Stages[s].Median, time.Stages[s].P90, conversion.Stages[s].AdvancedShare);
        }

        return figures;
    }
}
