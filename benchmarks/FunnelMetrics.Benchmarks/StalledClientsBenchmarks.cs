using BenchmarkDotNet.Attributes;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// Stalled clients as of an instant. The baselines and <see cref="FunnelMetricsFixedThresholds"/> use the fixed
/// thresholds of <see cref="BenchmarkData.StallThresholds"/>; <see cref="FunnelMetrics"/> the library's default settings,
/// under which a stage without a threshold of its own gets the 90th percentile of its time in stage (Kaplan–Meier over the
/// visits up to the instant), so it also reads every visit.
/// </summary>
public class StalledClientsBenchmarks : MetricBenchmark
{
    protected override bool UsesDuckDb => true;

    [Benchmark(Baseline = true)]
    public object NaiveLinq() => Benchmarks.NaiveLinq.Stalled(Pipeline, Events, AsOf, BenchmarkData.StallThresholds);

    [Benchmark]
    public object DuckDB() => DuckDb.Stalled(AsOf);

    [Benchmark]
    public object FunnelMetricsFixedThresholds() => StallCalculator.Compute(Log, AsOf, BenchmarkData.FixedThresholds);

    [Benchmark]
    public object FunnelMetrics() => StallCalculator.Compute(Log, AsOf);
}
