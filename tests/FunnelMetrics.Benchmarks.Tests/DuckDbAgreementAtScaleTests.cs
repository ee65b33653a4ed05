using FunnelMetrics.Metrics;

namespace FunnelMetrics.Benchmarks.Tests;

/// <summary>
/// The DuckDB baseline computes the library's figures on the benchmarks' own histories (seed 1, 200 owners) at 100k and
/// 1M transitions, the five figures of the dashboard subset, identical; and the library's figures there are the same on
/// every degree of parallelism. Both sizes run in every <c>dotnet test</c>: the 1M case (generation, log, DuckDB load,
/// the figures) takes about 10 s on the 2-core machine.
/// </summary>
public sealed class DuckDbAgreementAtScaleTests
{
    private static readonly PipelineDefinition Pipeline = HistoryGenerator.Pipeline;
    private static readonly DateTimeOffset AsOf = HistoryGenerator.Start.AddDays(300);

    [Theory]
    [InlineData(100_000)]
    [InlineData(1_000_000)]
    public void TheFiveFigures_AreIdentical_InTheLibraryAndInDuckDb(int transitions)
    {
        var (clients, events) = HistoryGenerator.Generate(transitions, seed: 1);
        var log = FunnelEventLog.Build(Pipeline, clients, events);
        using var duck = new DuckDbBaseline(Pipeline, clients, events);
        var thresholds = Pipeline.Stages.ToDictionary(s => s.Key, s => s.StallThreshold ?? TimeSpan.FromDays(14));
        duck.SetThresholds(thresholds);
        Assert.Equal(Environment.ProcessorCount, duck.Threads); // DuckDB on every core, as the library by default
        var stallOptions = new StallOptions { StageThresholds = thresholds.ToDictionary(kv => kv.Key.Value, kv => kv.Value) };
        var (first, last) = (DateOnly.FromDateTime(AsOf.UtcDateTime.AddDays(-29)), DateOnly.FromDateTime(AsOf.UtcDateTime));
        var cohorts = new TimeWindow(AsOf.AddDays(-90), AsOf);

        // The baselines read the events at or before AsOf: the library's windows that end one tick later read the same.
        var counts = StageCountsCalculator.Compute(log, AsOf);
        var duckCounts = duck.StageCounts(AsOf);
        Assert.Equal(counts.Stages.Select(s => s.Clients), duckCounts.Stages);
        Assert.Equal(counts.Lost, duckCounts.Lost);
        Assert.True(counts.InWork > transitions / 100);

        var visits = TimeInStageCalculator.Compute(log, TimeWindow.Until(AsOf.AddTicks(1))).Stages.Select(s => (s.Completed.Count, s.Completed.Median, s.Completed.P90)).ToList();
        Assert.Equal(visits, duck.CompletedVisits(AsOf));
        Assert.True(visits[0].Count > transitions / 10);

        var conversion = ConversionCalculator.Compute(log, cohorts, AsOf.AddTicks(1)).Stages.Select(s => (s.Cohort, s.Advanced, s.Lost, s.Remaining)).ToList();
        Assert.Equal(conversion, duck.Conversion(cohorts.Start, cohorts.End, AsOf));
        Assert.True(conversion[0].Cohort > transitions / 100);

        var stalled = StallCalculator.Compute(log, AsOf, stallOptions).Clients.Select(c => c.ClientId).Order().ToList();
        Assert.Equal(stalled, duck.Stalled(AsOf).Order());
        Assert.True(stalled.Count > transitions / 1000);

        var flow = FlowLedgerCalculator.Compute(log, first, last, "UTC").Days.Select(d => d.Stages.Select(r => (r.Entered, r.CountAtEnd)).ToList()).ToList();
        Assert.Equal(flow, duck.DailyFlow(first, last).Select(d => d.ToList()));
        Assert.True(flow.Sum(d => d.Sum(s => s.Entered)) > transitions / 100);

        // The library's answers on the same history do not depend on how many threads fold it (real partitions here).
        foreach (var degree in (int[])[1, 2, 3, 5])
        {
            var threads = new ParallelismOptions { MaxDegreeOfParallelism = degree };
            Assert.Equal(counts, StageCountsCalculator.Compute(log, AsOf, parallelism: threads));
            Assert.Equal(TimeInStageCalculator.Compute(log, TimeWindow.Until(AsOf)), TimeInStageCalculator.Compute(log, TimeWindow.Until(AsOf), parallelism: threads));
            Assert.Equal(ConversionCalculator.Compute(log, cohorts), ConversionCalculator.Compute(log, cohorts, parallelism: threads));
            Assert.Equal(StallCalculator.Compute(log, AsOf), StallCalculator.Compute(log, AsOf, parallelism: threads));
            Assert.Equal(FlowLedgerCalculator.Compute(log, first, last, "UTC"), FlowLedgerCalculator.Compute(log, first, last, "UTC", parallelism: threads));
        }
    }
}
