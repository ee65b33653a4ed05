using BenchmarkDotNet.Attributes;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Benchmarks;

/// <summary>Clients per stage as of an instant.</summary>
public class StageCountsBenchmarks : MetricBenchmark
{
    protected override bool UsesDuckDb => true;

    [Benchmark(Baseline = true)]
    public object NaiveLinq() => Benchmarks.NaiveLinq.StageCounts(Pipeline, Events, AsOf);

    [Benchmark]
    public object DuckDB() => DuckDb.StageCounts(AsOf);

    [Benchmark]
    public object FunnelMetrics() => StageCountsCalculator.Compute(Log, AsOf);
}
