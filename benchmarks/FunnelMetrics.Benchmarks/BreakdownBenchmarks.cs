using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// The breakdowns (<see cref="FunnelBreakdowns"/>) of stage counts as of an instant: per owner (200 groups), per value of
/// the clients' <c>source</c> attribute (5), per UTC month of entry (13). Each is one category with its naive LINQ
/// baseline, the same figures grouped by the same key.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class BreakdownBenchmarks : MetricBenchmark
{
    private const string Source = "source";

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("ByOwner")]
    public object NaiveLinqByOwner() => NaiveLinq.StageCountsByOwner(Pipeline, Events, AsOf);

    [Benchmark]
    [BenchmarkCategory("ByOwner")]
    public object FunnelMetricsByOwner() => FunnelBreakdowns.ByOwner(Log, f => StageCountsCalculator.Compute(Log, AsOf, f));

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("ByAttribute")]
    public object NaiveLinqByAttribute() => NaiveLinq.StageCountsByAttribute(Pipeline, Clients, Events, Source, AsOf);

    [Benchmark]
    [BenchmarkCategory("ByAttribute")]
    public object FunnelMetricsByAttribute() => FunnelBreakdowns.ByAttribute(Log, Source, f => StageCountsCalculator.Compute(Log, AsOf, f));

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("ByEntryCohort")]
    public object NaiveLinqByEntryMonth() => NaiveLinq.StageCountsByEntryMonth(Pipeline, Events, AsOf);

    [Benchmark]
    [BenchmarkCategory("ByEntryCohort")]
    public object FunnelMetricsByEntryMonth() => FunnelBreakdowns.ByEntryCohort(Log, CohortPeriod.Month, "UTC", f => StageCountsCalculator.Compute(Log, AsOf, f));
}
