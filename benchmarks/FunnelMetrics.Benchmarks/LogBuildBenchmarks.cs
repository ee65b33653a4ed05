using BenchmarkDotNet.Attributes;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Benchmarks;

/// <summary>Building the log from events already ordered per client (no baseline: the others read the event objects as they are).</summary>
public class LogBuildBenchmarks : MetricBenchmark
{
    [Benchmark]
    public object Build() => FunnelEventLog.Build(Pipeline, Clients, Events);
}
