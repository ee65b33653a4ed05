using BenchmarkDotNet.Attributes;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// What the head's dashboard shows that DuckDB can also compute (stage counts, a 30-day flow ledger, completed-visit
/// percentiles, conversion, stalled clients under the fixed thresholds of <see cref="BenchmarkData.FixedThresholds"/>),
/// from a log already built, against the naive LINQ and DuckDB computing the same figures: the five benchmarks of
/// <see cref="StageCountsBenchmarks"/>, <see cref="FlowLedgerBenchmarks"/>, <see cref="TimeInStageBenchmarks"/>,
/// <see cref="ConversionBenchmarks"/> and <see cref="StalledClientsBenchmarks"/> in one operation.
/// </summary>
public class FullDashboardBenchmarks : MetricBenchmark
{
    protected override bool UsesDuckDb => true;

    [Benchmark(Baseline = true)]
    public object NaiveLinq() => (
        Benchmarks.NaiveLinq.StageCounts(Pipeline, Events, AsOf),
        Benchmarks.NaiveLinq.DailyFlow(Pipeline, Events, BenchmarkData.FlowFirstDay, BenchmarkData.FlowLastDay),
        Benchmarks.NaiveLinq.CompletedVisits(Pipeline, Events, AsOf),
        Benchmarks.NaiveLinq.Conversion(Pipeline, Events, BenchmarkData.ConversionCohorts.Start, BenchmarkData.ConversionCohorts.End, AsOf),
        Benchmarks.NaiveLinq.Stalled(Pipeline, Events, AsOf, BenchmarkData.StallThresholds));

    [Benchmark]
    public object DuckDB() => (
        DuckDb.StageCounts(AsOf),
        DuckDb.DailyFlow(BenchmarkData.FlowFirstDay, BenchmarkData.FlowLastDay),
        DuckDb.CompletedVisits(AsOf),
        DuckDb.Conversion(BenchmarkData.ConversionCohorts.Start, BenchmarkData.ConversionCohorts.End, AsOf),
        DuckDb.Stalled(AsOf));

    [Benchmark]
    public object FunnelMetricsFixedThresholds() => (
        StageCountsCalculator.Compute(Log, AsOf),
        FlowLedgerCalculator.Compute(Log, BenchmarkData.FlowFirstDay, BenchmarkData.FlowLastDay, "UTC"),
        TimeInStageCalculator.Compute(Log, TimeWindow.Until(AsOf)),
        ConversionCalculator.Compute(Log, BenchmarkData.ConversionCohorts),
        StallCalculator.Compute(Log, AsOf, BenchmarkData.FixedThresholds));
}
