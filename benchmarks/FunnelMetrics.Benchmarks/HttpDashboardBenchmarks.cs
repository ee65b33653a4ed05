using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using FunnelMetrics.Analytics;
using FunnelMetrics.Serialization;
using Microsoft.Extensions.DependencyInjection;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// The head's dashboard over HTTP, as a browser asks for it: <c>GET /pipelines/{id}/dashboard?asOf=...</c> on Kestrel
/// (loopback), served by <c>MapFunnelMetrics</c> from the hosted read model over the EF Core store, with the library's
/// default settings, the whole response body read. <c>InProcess</c> (the baseline) is the same dashboard computed in
/// the application without HTTP (<see cref="FunnelAnalytics.GetDashboardAsync"/>, then its JSON written to a buffer), so
/// the ratio is what HTTP, routing, parameter checks and the response add. The median and the 99th percentile columns
/// are the figures docs/performance.md reports. SQLite, and PostgreSQL when <c>FUNNELMETRICS_POSTGRES</c> names a server.
/// </summary>
[MinColumn]
[MedianColumn]
[MemoryDiagnoser]
[Config(typeof(PercentilesConfig))]
public class HttpDashboardBenchmarks
{
    private static readonly PipelineId Pipeline = HistoryGenerator.Pipeline.Id;

    private WarmHost _host = null!;
    private string _path = null!;

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

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _host = await WarmHost.StartAsync(Database, Transitions);
        _path = $"/pipelines/{Pipeline}/dashboard?asOf={Uri.EscapeDataString(BenchmarkData.AsOf.ToString("O", CultureInfo.InvariantCulture))}";
        Console.WriteLine($"// {Database}, {Transitions} transitions: the dashboard's JSON is {await _host.BodyLengthAsync(_path):N0} bytes");
    }

    [GlobalCleanup]
    public void Cleanup() => _host.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The dashboard computed in the application from the warm model and written as JSON, without HTTP.</summary>
    [Benchmark(Baseline = true)]
    public async Task<int> InProcess()
    {
        using var scope = _host.App.Services.CreateScope();
        var analytics = scope.ServiceProvider.GetRequiredService<FunnelAnalytics>();
        var dashboard = await analytics.GetDashboardAsync(Pipeline, new DashboardRequest { AsOf = BenchmarkData.AsOf });
        return System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(dashboard, FunnelMetricsJsonContext.Default.FunnelDashboard).Length;
    }

    /// <summary>The dashboard requested over HTTP and its whole body read.</summary>
    [Benchmark]
    public Task<int> OverHttp() => _host.BodyLengthAsync(_path);

    /// <summary>Adds the 99th percentile of the iterations beside the median.</summary>
    private sealed class PercentilesConfig : ManualConfig
    {
        public PercentilesConfig() => AddColumn(new PercentileColumn(99));
    }

    /// <summary>A percentile of a benchmark's iteration times.</summary>
    private sealed class PercentileColumn(int percentile) : IColumn
    {
        public string Id => $"P{percentile}";

        public string ColumnName => $"P{percentile}";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Statistics;

        public int PriorityInCategory => 10;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Time;

        public string Legend => $"The {percentile}th percentile of the iteration times";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var statistics = summary[benchmarkCase]?.ResultStatistics;
            return statistics is null ? "-" : $"{statistics.Percentiles.Percentile(percentile) / 1_000_000:N1} ms";
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
