using BenchmarkDotNet.Attributes;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// Velocity over the last 30 days (<see cref="BenchmarkData.LastThirtyDays"/>): forward moves per stage and owner, the
/// wins' cycle time and the sales velocity formula (the baseline: the moves per stage, the open clients, the win rate and
/// the cycle time's count and median).
/// </summary>
public class VelocityBenchmarks : MetricBenchmark
{
    private static TimeWindow Window => BenchmarkData.LastThirtyDays;

    [Benchmark(Baseline = true)]
    public object NaiveLinq() => Benchmarks.NaiveLinq.Velocity(Pipeline, Events, Window.Start, Window.End);

    [Benchmark]
    public object FunnelMetrics() => VelocityCalculator.Compute(Log, Window);
}
