using System.Globalization;
using BenchmarkDotNet.Attributes;
using FunnelMetrics.Analytics;
using FunnelMetrics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// The revenue figures as an application asks for them: an ASP.NET Core host with the hosted read model over the EF Core
/// store and <c>MapFunnelMetrics</c>, the library's default settings, and every figure through <see cref="FunnelAnalytics"/>
/// (which answers from the warm model's snapshot) or over HTTP. <c>WaterfallAndTrends</c> is the request the issue sets a
/// 100 ms target for: this month's waterfall (from the month's first midnight to the instant) and the trends of the last
/// 13 ISO weeks of entry. <c>Dashboard</c> (the baseline) is the whole dashboard, which holds both and every other
/// figure, so each ratio is that figure's share of a dashboard request. SQLite, and PostgreSQL when
/// <c>FUNNELMETRICS_POSTGRES</c> names a server; the history of <see cref="BenchmarkData"/>, read at its <c>AsOf</c>.
/// </summary>
[MinColumn]
[MedianColumn]
[MemoryDiagnoser]
public class RevenueBenchmarks
{
    private static readonly PipelineId Pipeline = HistoryGenerator.Pipeline.Id;

    private WarmHost _host = null!;
    private string _waterfallPath = null!;
    private string _trendsPath = null!;

    /// <summary>The database.</summary>
    [ParamsSource(nameof(Databases))]
    public string Database { get; set; } = "SQLite";

    /// <summary>The history size, in transitions.</summary>
    [ParamsSource(nameof(Sizes))]
    public int Transitions { get; set; }

    /// <summary>As <see cref="EndToEndBenchmarks.Databases"/>.</summary>
    public static IEnumerable<string> Databases => EndToEndBenchmarks.Databases;

    /// <summary>As <see cref="EndToEndBenchmarks.Sizes"/>.</summary>
    public static IEnumerable<int> Sizes => EndToEndBenchmarks.Sizes;

    /// <summary>The instant read at.</summary>
    private static DateTimeOffset AsOf => BenchmarkData.AsOf;

    /// <summary>This month: from the first midnight (UTC, the default time zone) of the month holding <see cref="AsOf"/>.</summary>
    private static DateTimeOffset MonthStart => new(AsOf.Year, AsOf.Month, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The last 13 ISO weeks up to <see cref="AsOf"/>: from the Monday 12 weeks before the current week's.</summary>
    private static TimeWindow Weeks
    {
        get
        {
            var day = AsOf.UtcDateTime.Date;
            var monday = day.AddDays(-(((int)day.DayOfWeek + 6) % 7) - (7 * 12));
            return new TimeWindow(new DateTimeOffset(monday, TimeSpan.Zero), AsOf);
        }
    }

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _host = await WarmHost.StartAsync(Database, Transitions);
        static string At(DateTimeOffset instant) => Uri.EscapeDataString(instant.ToString("O", CultureInfo.InvariantCulture));
        _waterfallPath = $"/pipelines/{Pipeline}/waterfall?from={At(MonthStart)}&to={At(AsOf)}";
        _trendsPath = $"/pipelines/{Pipeline}/trends?period=week&from={At(Weeks.Start)}&to={At(Weeks.End)}";
        Console.WriteLine($"// {Database}, {Transitions} transitions: waterfall {await _host.BodyLengthAsync(_waterfallPath):N0} bytes, trends {await _host.BodyLengthAsync(_trendsPath):N0} bytes of JSON");
    }

    [GlobalCleanup]
    public void Cleanup() => _host.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The whole dashboard, the new parts included, from the warm model.</summary>
    [Benchmark(Baseline = true)]
    public Task<object> Dashboard() => Request(async a => await a.GetDashboardAsync(Pipeline, new DashboardRequest { AsOf = AsOf }));

    /// <summary>This month's waterfall and the last 13 weeks' trends, from the warm model: the request.</summary>
    [Benchmark]
    public Task<object> WaterfallAndTrends() =>
        Request(async a => (await a.GetWaterfallAsync(Pipeline, MonthStart, AsOf), await a.GetTrendsAsync(Pipeline, Weeks, CohortPeriod.Week)));

    /// <summary>The same two over HTTP (<c>GET .../waterfall</c> and <c>GET .../trends</c>), both bodies read.</summary>
    [Benchmark]
    public async Task<int> WaterfallAndTrendsOverHttp() => await _host.BodyLengthAsync(_waterfallPath) + await _host.BodyLengthAsync(_trendsPath);

    /// <summary>This month's waterfall alone.</summary>
    [Benchmark]
    public Task<object> Waterfall() => Request(async a => await a.GetWaterfallAsync(Pipeline, MonthStart, AsOf));

    /// <summary>The last 13 weeks' trends alone.</summary>
    [Benchmark]
    public Task<object> Trends() => Request(async a => await a.GetTrendsAsync(Pipeline, Weeks, CohortPeriod.Week));

    /// <summary>Money per stage, weighted by the configured and the chain's win probabilities (the chain built for it).</summary>
    [Benchmark]
    public Task<object> PipelineValue() => Request(async a => await a.GetPipelineValueAsync(Pipeline, AsOf));

    /// <summary>The slipped expected close dates.</summary>
    [Benchmark]
    public Task<object> Slipped() => Request(async a => await a.GetSlippedClientsAsync(Pipeline, AsOf));

    /// <summary>One request's scope, as ASP.NET Core makes one per request: <see cref="FunnelAnalytics"/> is scoped.</summary>
    private async Task<object> Request(Func<FunnelAnalytics, Task<object>> compute)
    {
        using var scope = _host.App.Services.CreateScope();
        return await compute(scope.ServiceProvider.GetRequiredService<FunnelAnalytics>());
    }
}
