using BenchmarkDotNet.Attributes;
using FunnelMetrics.Forecasting;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// The forecast with the library's default settings (<see cref="ForecastOptions"/>'s defaults, every core) and a horizon
/// 30 days on, team and owners (no naive counterpart): what a dashboard's month forecast costs. Run with
/// <c>DOTNET_PROCESSOR_COUNT=1</c> in the environment for its cost on one thread (the figures are the same).
/// Its cost on small histories of expensive shapes is <see cref="ForecastShapeBenchmarks"/>.
/// </summary>
public class ForecastBenchmarks : MetricBenchmark
{
    [Benchmark]
    public object ForecastDefaults() => ForecastCalculator.Compute(Log, AsOf, horizonEnd: AsOf.AddDays(30));
}
