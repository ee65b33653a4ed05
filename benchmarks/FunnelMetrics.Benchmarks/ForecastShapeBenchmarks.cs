using BenchmarkDotNet.Attributes;
using FunnelMetrics.Forecasting;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// The forecast, default settings and a 30-day horizon, on the 2,000-client histories whose shape makes it expensive
/// (<see cref="PathologicalHistories"/>): clients cycling between open stages, frequent regressions, and 5,000 stages.
/// The forecast's second file: its parameter is the shape, not the size, so it does not derive from <see cref="MetricBenchmark"/>.
/// </summary>
[MemoryDiagnoser]
public class ForecastShapeBenchmarks
{
    private FunnelEventLog _log = null!;

    [Params("cycling", "regressions", "many-stages")]
    public string Shape { get; set; } = "cycling";

    [GlobalSetup]
    public void Setup()
    {
        var (pipeline, clients, events) = PathologicalHistories.Generate(Shape);
        _log = FunnelEventLog.Build(pipeline, clients, events);
    }

    [Benchmark]
    public object FunnelMetrics() => ForecastCalculator.Compute(_log, PathologicalHistories.AsOf, horizonEnd: PathologicalHistories.AsOf.AddDays(30));
}
