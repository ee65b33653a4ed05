using BenchmarkDotNet.Attributes;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Benchmarks;

/// <summary>Time in stage with the censoring-aware percentiles (the baselines: the completed visits' count, median and 90th percentile).</summary>
public class TimeInStageBenchmarks : MetricBenchmark
{
    protected override bool UsesDuckDb => true;

    [Benchmark(Baseline = true)]
    public object NaiveLinq() => Benchmarks.NaiveLinq.CompletedVisits(Pipeline, Events, AsOf);

    [Benchmark]
    public object DuckDB() => DuckDb.CompletedVisits(AsOf);

    [Benchmark]
    public object FunnelMetrics() => TimeInStageCalculator.Compute(Log, TimeWindow.Until(AsOf));
}
