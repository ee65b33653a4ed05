using BenchmarkDotNet.Attributes;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// The live view: applying the last month of events one by one (<see cref="BenchmarkData.LastMonthInOrder"/>) to a view
/// built at the month's start, with the library's default stall settings and with the fixed thresholds of
/// <see cref="BenchmarkData.FixedThresholds"/>. Only the applying is timed; each iteration starts from a fresh view.
/// </summary>
public class LiveViewBenchmarks : MetricBenchmark
{
    private ClientEvent[] _month = [];
    private FunnelLiveView _view = null!;

    private static DateTimeOffset MonthStart => AsOf.AddDays(-30);

    [GlobalSetup(Targets = [nameof(ApplyMonth), nameof(ApplyMonthFixedThresholds)])]
    public void SetupMonth()
    {
        Setup();
        _month = BenchmarkData.LastMonthInOrder(Events);
    }

    [IterationSetup(Target = nameof(ApplyMonth))]
    public void FreshView() => _view = FunnelLiveView.Create(Log, MonthStart);

    [IterationSetup(Target = nameof(ApplyMonthFixedThresholds))]
    public void FreshViewFixedThresholds() => _view = FunnelLiveView.Create(Log, MonthStart, BenchmarkData.FixedThresholds);

    /// <summary>Applies the month's events; divide the event count (reported in docs/performance.md) by the time for events per second.</summary>
    [Benchmark]
    public long ApplyMonth() => ApplyAll();

    /// <summary>The same, on a view created with the fixed thresholds.</summary>
    [Benchmark]
    public long ApplyMonthFixedThresholds() => ApplyAll();

    private long ApplyAll()
    {
        foreach (var e in _month)
        {
            _view.Apply(e);
        }

        return _view.EventsApplied;
    }
}
