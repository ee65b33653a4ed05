using BenchmarkDotNet.Attributes;
using FunnelMetrics.Forecasting;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// The forecast with the library's default settings and a horizon 30 days on, team and owners (no naive counterpart).
/// Its cost on small histories of expensive shapes is <see cref="ForecastShapeBenchmarks"/>.
/// </summary>
public class ForecastBenchmarks : MetricBenchmark
{
    [Benchmark]
    public object FunnelMetrics() => ForecastCalculator.Compute(Log, AsOf, horizonEnd: AsOf.AddDays(30));
}
