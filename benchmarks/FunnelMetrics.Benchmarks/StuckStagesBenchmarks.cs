using BenchmarkDotNet.Attributes;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Benchmarks;

/// <summary>The stuck-stage ranking over the last 30 days against the 30 before, team and owners (no naive counterpart).</summary>
public class StuckStagesBenchmarks : MetricBenchmark
{
    [Benchmark]
    public object FunnelMetrics() => StuckStagesCalculator.Compute(Log, BenchmarkData.LastThirtyDays);
}
