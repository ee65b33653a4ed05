using BenchmarkDotNet.Attributes;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// The part of the dashboard DuckDB can also compute (stage counts, a 30-day flow ledger, completed-visit percentiles,
/// conversion, stalled clients under the fixed thresholds of <see cref="BenchmarkData.FixedThresholds"/>), from a log
/// already built, against the naive LINQ and DuckDB (<see cref="DuckDbBaseline"/>, the SQL an expert writes) computing the
/// same figures: the five benchmarks of <see cref="StageCountsBenchmarks"/>, <see cref="FlowLedgerBenchmarks"/>,
/// <see cref="TimeInStageBenchmarks"/>, <see cref="ConversionBenchmarks"/> and <see cref="StalledClientsBenchmarks"/>
/// in one operation. Both the library (<see cref="ParallelismOptions"/> at its default, every processor) and DuckDB (its
/// default threads, every processor) use every core; <c>FunnelMetricsSequentialFixedThresholds</c> is the library on one.
/// </summary>
// On a shared machine the mean carries the load; the minimum and median are what compare.
[MinColumn]
[MedianColumn]
public class DashboardSubsetBenchmarks : MetricBenchmark
{
    private static readonly ParallelismOptions OneThread = new() { MaxDegreeOfParallelism = 1 };

    // DuckDB is loaded on first use, in the DuckDB benchmark's own process only: at 10M its load takes minutes and
    // gigabytes the library's processes do not need.
    protected override bool UsesDuckDb => false;

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

    [Benchmark]
    public object FunnelMetricsSequentialFixedThresholds() => (
        StageCountsCalculator.Compute(Log, AsOf, parallelism: OneThread),
        FlowLedgerCalculator.Compute(Log, BenchmarkData.FlowFirstDay, BenchmarkData.FlowLastDay, "UTC", parallelism: OneThread),
        TimeInStageCalculator.Compute(Log, TimeWindow.Until(AsOf), parallelism: OneThread),
        ConversionCalculator.Compute(Log, BenchmarkData.ConversionCohorts, parallelism: OneThread),
        StallCalculator.Compute(Log, AsOf, BenchmarkData.FixedThresholds, parallelism: OneThread));
}
