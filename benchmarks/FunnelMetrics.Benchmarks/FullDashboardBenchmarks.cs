using BenchmarkDotNet.Attributes;
using FunnelMetrics.Analytics;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// Everything the dashboard sample shows, from a log already built, with the library's default settings: the sample's
/// computation (<c>FunnelDashboard.Compute</c>, the library's dashboard the sample shows), read as of
/// <see cref="BenchmarkData.AsOf"/> for the whole team (<c>--at</c> that instant): the funnel per manager, today against
/// the previous 20 working days (the flow ledger from the month's start or the 20th working day before, whichever is
/// earlier), time in stage, conversion and velocity over 90 days, the stuck stages of the last 14 days against the 14
/// before, the stalled clients (statistical thresholds) and the month's forecast with the wins still missing.
/// What DuckDB can also compute is <see cref="DashboardSubsetBenchmarks"/>.
/// </summary>
// On a shared machine the mean carries the load; the minimum and median are what compare.
[MinColumn]
[MedianColumn]
public class FullDashboardBenchmarks : MetricBenchmark
{
    /// <summary>The options the sample runs with when nothing is configured.</summary>
    private static readonly FunnelMetricsOptions Defaults = new();

    /// <summary>As the sample reads an instant given with <c>--at</c>: "today" is the UTC day it falls in.</summary>

    [Benchmark]
    public object FunnelMetrics() => FunnelDashboard.Compute(Log, AsOf, null, Defaults);
}
