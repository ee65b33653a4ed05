using FunnelMetrics.Metrics;

namespace FunnelMetrics.Benchmarks.Tests;

/// <summary>The benchmarks compare equal work: on a generated history, the naive LINQ and DuckDB baselines give the library's figures.</summary>
public sealed class BaselineAgreementTests
{

    private static readonly Lazy<(Client[] Clients, ClientEvent[] Events, FunnelEventLog Log)> Data = new(() =>
    {
        var (clients, events) = HistoryGenerator.Generate(20_000, seed: 5, owners: 20);
        return (clients, events, FunnelEventLog.Build(HistoryGenerator.Pipeline, clients, events));
    });

    private static PipelineDefinition Pipeline => HistoryGenerator.Pipeline;

    private static readonly Lazy<DuckDbBaseline> DuckDb = new(() =>
    {
        var (clients, events, _) = Data.Value;
        var duck = new DuckDbBaseline(Pipeline, clients, events);
        duck.SetThresholds(Pipeline.Stages.ToDictionary(s => s.Key, s => s.StallThreshold ?? TimeSpan.FromDays(14)));
        return duck;
    });

    private static readonly DateTimeOffset AsOf = HistoryGenerator.Start.AddDays(300);

    [Fact]
    public void Generator_IsDeterministic_AndProducesValidHistoriesWithEveryKindOfEvent()
    {
        var (clients, events) = HistoryGenerator.Generate(5_000, seed: 5, owners: 20);
        var (_, again) = HistoryGenerator.Generate(5_000, seed: 5, owners: 20);
        var (_, other) = HistoryGenerator.Generate(5_000, seed: 6, owners: 20);

        Assert.Equal(events, again);
        Assert.False(events.SequenceEqual(other));
        var log = FunnelEventLog.Build(Pipeline, clients, events);
        Assert.True(events.OfType<StageTransition>().Count() >= 5_000);
        var kinds = events.OfType<StageTransition>().GroupBy(t => t.Kind).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Enum.GetValues<TransitionKind>().Order(), kinds.Keys.Order());
        Assert.Contains(events, e => e is ClientActivity);
        Assert.Contains(events, e => e is OwnerReassignment);
        Assert.Equal(20, log.Clients.Select(c => c.Owner).Distinct().Count());
        Assert.InRange(kinds[TransitionKind.Won] / (double)(kinds[TransitionKind.Won] + kinds[TransitionKind.Lost]), 0.1, 0.5);
    }

    [Fact]
    public void StageCounts_AgreeWithTheNaiveBaseline()
    {
        var (_, events, log) = Data.Value;
        var (stages, lost) = NaiveLinq.StageCounts(Pipeline, events, AsOf);
        var ours = StageCountsCalculator.Compute(log, AsOf);

        Assert.Equal(stages, ours.Stages.Select(s => s.Clients));
        Assert.Equal(lost, ours.Lost);
        var duck = DuckDb.Value.StageCounts(AsOf);
        Assert.Equal(stages, duck.Stages);
        Assert.Equal(lost, duck.Lost);
        Assert.True(ours.InWork > 100);
    }

    [Fact]
    public void CompletedVisits_AgreeWithTheNaiveBaseline()
    {
        var (_, events, log) = Data.Value;
        var naive = NaiveLinq.CompletedVisits(Pipeline, events, AsOf);
        // The baselines read the events at or before AsOf: the window that ends one tick later reads the same.
        var ours = TimeInStageCalculator.Compute(log, TimeWindow.Until(AsOf.AddTicks(1))).Stages;

        Assert.Equal(naive, ours.Select(s => (s.Completed.Count, s.Completed.Median, s.Completed.P90)));
        Assert.Equal(naive, DuckDb.Value.CompletedVisits(AsOf));
        Assert.True(naive[0].Count > 1000);
    }

    [Fact]
    public void Conversion_AgreesWithTheNaiveBaseline()
    {
        var (_, events, log) = Data.Value;
        var naive = NaiveLinq.Conversion(Pipeline, events, AsOf.AddDays(-90), AsOf, AsOf);
        // The baselines read outcomes at or before AsOf: the same as before one tick later.
        var ours = ConversionCalculator.Compute(log, new TimeWindow(AsOf.AddDays(-90), AsOf), AsOf.AddTicks(1)).Stages;

        Assert.Equal(naive, ours.Select(s => (s.Cohort, s.Advanced, s.Lost, s.Remaining)));
        Assert.Equal(naive, DuckDb.Value.Conversion(AsOf.AddDays(-90), AsOf, AsOf));
        Assert.True(naive[0].Cohort > 100);
    }

    [Fact]
    public void StalledClients_AgreeWithTheNaiveBaseline()
    {
        var (_, events, log) = Data.Value;
        var thresholds = Pipeline.Stages.ToDictionary(s => s.Key, s => s.StallThreshold ?? TimeSpan.FromDays(14));
        var naive = NaiveLinq.Stalled(Pipeline, events, AsOf, thresholds);
        var ours = StallCalculator.Compute(log, AsOf, new StallOptions { StageThresholds = thresholds.ToDictionary(kv => kv.Key.Value, kv => kv.Value) });

        Assert.Equal(naive.Order(), ours.Clients.Select(c => c.ClientId).Order());
        Assert.Equal(naive.Order(), DuckDb.Value.Stalled(AsOf).Order());
        Assert.NotEmpty(naive);
    }

    [Fact]
    public void DailyFlow_AgreesWithTheNaiveBaseline()
    {
        var (_, events, log) = Data.Value;
        var first = DateOnly.FromDateTime(AsOf.UtcDateTime.AddDays(-6));
        var last = DateOnly.FromDateTime(AsOf.UtcDateTime);
        var naive = NaiveLinq.DailyFlow(Pipeline, events, first, last);
        var ours = FlowLedgerCalculator.Compute(log, first, last, "UTC").Days;

        Assert.Equal(naive.Select(d => d.ToList()), ours.Select(d => d.Stages.Select(r => (r.Entered, r.CountAtEnd)).ToList()));
        Assert.Equal(naive.Select(d => d.ToList()), DuckDb.Value.DailyFlow(first, last).Select(d => d.ToList()));
        Assert.True(naive.Sum(d => d.Sum(s => s.Entered)) > 50);
    }

    [Fact]
    public void Velocity_AgreesWithTheNaiveBaseline()
    {
        var (_, events, log) = Data.Value;
        var window = TimeWindow.Ending(AsOf, TimeSpan.FromDays(30));
        var (moves, open, winRate, wins, medianCycle) = NaiveLinq.Velocity(Pipeline, events, window.Start, window.End);
        var ours = VelocityCalculator.Compute(log, window);

        Assert.Equal(moves, ours.Stages.Select(s => s.ForwardMoves));
        Assert.Equal(moves.Sum(), ours.ByOwner.Sum(o => o.ForwardMoves));
        Assert.Equal(open, ours.SalesVelocity.OpenClients);
        Assert.Equal(winRate, ours.SalesVelocity.WinRate);
        Assert.Equal(wins, ours.CycleTime.Count);
        Assert.Equal(medianCycle, ours.CycleTime.Median);
        Assert.True(moves.Sum() > 500);
        Assert.True(wins > 50);
        Assert.True(open > 100);
    }

    [Fact]
    public void StageCountsByOwner_AgreeWithTheNaiveBaseline()
    {
        var (_, events, log) = Data.Value;
        var naive = NaiveLinq.StageCountsByOwner(Pipeline, events, AsOf);
        var ours = FunnelBreakdowns.ByOwner(log, f => StageCountsCalculator.Compute(log, AsOf, f));

        Assert.Equal(naive.Keys.Select(o => o.Value).Order(StringComparer.Ordinal), ours.Select(g => g.Key));
        AssertSameGroups(naive.ToDictionary(kv => kv.Key.Value, kv => kv.Value), ours);
        Assert.Equal(20, naive.Count);
    }

    [Fact]
    public void StageCountsByAttribute_AgreeWithTheNaiveBaseline()
    {
        var (clients, events, log) = Data.Value;
        var naive = NaiveLinq.StageCountsByAttribute(Pipeline, clients, events, "source", AsOf);
        var ours = FunnelBreakdowns.ByAttribute(log, "source", f => StageCountsCalculator.Compute(log, AsOf, f));

        Assert.Equal(naive.Keys.Order(StringComparer.Ordinal), ours.Select(g => g.Key));
        AssertSameGroups(naive, ours);
        Assert.Equal(5, naive.Count);
    }

    [Fact]
    public void StageCountsByEntryMonth_AgreeWithTheNaiveBaseline()
    {
        var (_, events, log) = Data.Value;
        var naive = NaiveLinq.StageCountsByEntryMonth(Pipeline, events, AsOf);
        var ours = FunnelBreakdowns.ByEntryCohort(log, CohortPeriod.Month, "UTC", f => StageCountsCalculator.Compute(log, AsOf, f));

        Assert.Equal(naive.Keys.Order(StringComparer.Ordinal), ours.Select(g => g.Key));
        AssertSameGroups(naive, ours);
        Assert.Equal(13, naive.Count);
    }

    /// <summary>Every group of the library's breakdown holds the naive figures of its key (zero for a key the naive grouping never met), and the groups' clients add up to those counted.</summary>
    private static void AssertSameGroups(Dictionary<string, (int[] Stages, int Lost)> naive, IReadOnlyList<Breakdown<StageCounts>> ours)
    {
        foreach (var group in ours)
        {
            var (stages, lost) = naive.TryGetValue(group.Key, out var counts) ? counts : (new int[Pipeline.Stages.Count], 0);
            Assert.Equal(stages, group.Result.Stages.Select(s => s.Clients));
            Assert.Equal(lost, group.Result.Lost);
        }

        Assert.All(naive.Keys, key => Assert.Contains(ours, g => g.Key == key));
        Assert.True(naive.Values.Sum(v => v.Stages.Sum()) > 500);
        Assert.True(naive.Values.Sum(v => v.Lost) > 500);
    }
}
