using BenchmarkDotNet.Attributes;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Benchmarks;

/// <summary>Conversion of the cohorts of the last 90 days (<see cref="BenchmarkData.ConversionCohorts"/>).</summary>
public class ConversionBenchmarks : MetricBenchmark
{
    protected override bool UsesDuckDb => true;

    private static TimeWindow Cohorts => BenchmarkData.ConversionCohorts;

    [Benchmark(Baseline = true)]
    public object NaiveLinq() => Benchmarks.NaiveLinq.Conversion(Pipeline, Events, Cohorts.Start, Cohorts.End, AsOf);

    [Benchmark]
    public object DuckDB() => DuckDb.Conversion(Cohorts.Start, Cohorts.End, AsOf);

    [Benchmark]
    public object FunnelMetrics() => ConversionCalculator.Compute(Log, Cohorts);
}
