using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using FunnelMetrics.Analytics;
using FunnelMetrics.EntityFrameworkCore;
using FunnelMetrics.Hosting;
using FunnelMetrics.Metrics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// A request from storage to answer, as an application over the EF Core store meets it, with the library's default
/// settings: every figure the dashboard sample shows (<c>FunnelDashboard.Compute</c>, as <see cref="FullDashboardBenchmarks"/>)
/// <list type="bullet">
/// <item><c>ColdRequest</c> (the baseline): no model; <see cref="FunnelAnalytics"/> reads every client and event from the
/// database and builds the log, as every request did before the hosted model;</item>
/// <item><c>ColdRequestFastLoad</c>: no model, but the store's fast load (<see cref="IFunnelLogSource"/>) into a builder;</item>
/// <item><c>WarmRequest</c>: the hosted read model (<c>AddHostedReadModel</c>, started in the setup and following the
/// database); <see cref="FunnelAnalytics"/> answers from its snapshot without a query;</item>
/// <item><c>WarmRequestAfterLastEvent</c>: the same read as a page asking for "now" reads it: the dashboard as of an
/// instant after the snapshot's last event, one second later at each request (so what a snapshot keeps for "now", such
/// as the forecast's fit, serves the requests after the first: docs/architecture.md, "What a snapshot keeps besides its
/// columns"). The generated history's last event is three months after the benchmark's instant, in its thin tail
/// (about 2,100 clients in work at 1M, against 11,130 at the benchmark's instant), so this is not the pipeline's steady
/// state: <c>profile dashboard-advancing</c> reads "now" on the history up to the benchmark's instant (docs/performance.md);</item>
/// <item><c>ColdStart</c>: a new host over the database, started until its model is ready (loaded through the fast load), then stopped;</item>
/// <item><c>WarmSqlSubset</c>: from the warm model, only the three figures the hand-written SQL computes
/// (stage counts, completed visits' median and p90 per stage, stalled clients against fixed thresholds), beside
/// <c>PostgresSql</c> (<see cref="PostgresSqlBaseline"/>, PostgreSQL only) and <c>DuckDbSql</c> (the same three in DuckDB
/// over the same rows held in its memory: <see cref="DuckDbBaseline"/>).</item>
/// </list>
/// The data: the generated history of <see cref="BenchmarkData"/>, put into the database by the setups of
/// <see cref="SqliteReadBenchmarks"/> and <see cref="PostgresReadBenchmarks"/> (PostgreSQL only when
/// <c>FUNNELMETRICS_POSTGRES</c> names a server). Sizes up to 1 million transitions.
/// </summary>
[MinColumn]
[MedianColumn]
[MemoryDiagnoser]
public class EndToEndBenchmarks
{
    private static readonly FunnelMetricsOptions Defaults = new();
    private static readonly PipelineId Pipeline = HistoryGenerator.Pipeline.Id;
    private static readonly string[] OnlySqlite = ["SQLite"];
    private static readonly string[] BothDatabases = ["SQLite", "PostgreSQL"];

    private ServiceProvider _services = null!;
    private FunnelReadModelService _model = null!;
    private FunnelAnalytics _cold = null!;
    private EntityFrameworkFunnelEventStore<FunnelMetricsDbContext> _source = null!;
    private PostgresSqlBaseline? _sql;
    private DuckDbBaseline _duckDb = null!;
    private Action<IServiceCollection> _database = null!;
    private DateTimeOffset? _now;

    /// <summary>The database: SQLite (a file) or PostgreSQL (when FUNNELMETRICS_POSTGRES names a server).</summary>
    [ParamsSource(nameof(Databases))]
    public string Database { get; set; } = "SQLite";

    /// <summary>The history size, in transitions.</summary>
    [ParamsSource(nameof(Sizes))]
    public int Transitions { get; set; }

    /// <summary>SQLite, and PostgreSQL when a server is named; <c>FUNNELMETRICS_BENCH_DATABASES</c> (comma-separated) keeps only some.</summary>
    public static IEnumerable<string> Databases =>
        (PostgresReadBenchmarks.ServerConnectionString is null ? OnlySqlite : BothDatabases)
            .Where(d => Environment.GetEnvironmentVariable("FUNNELMETRICS_BENCH_DATABASES") is not { Length: > 0 } only || only.Split(',').Contains(d, StringComparer.OrdinalIgnoreCase));

    public static IEnumerable<int> Sizes => BenchmarkData.Sizes.Where(s => s <= 1_000_000);

    private static DateTimeOffset AsOf => BenchmarkData.AsOf;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        var connectionString = await PrepareDatabaseAsync(Database, Transitions);
        _database = Register(Database, connectionString);
        if (Database != "SQLite")
        {
            _sql = new PostgresSqlBaseline(connectionString, HistoryGenerator.Pipeline);
        }

        var factory = new PostgresReadBenchmarks.Factory(Options(connectionString));
        _cold = PostgresReadBenchmarks.Analytics(factory, addPipeline: false);
        _source = new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(factory);
        var (clients, events, _) = BenchmarkData.Get(Transitions);
        _duckDb = new DuckDbBaseline(HistoryGenerator.Pipeline, clients, events);
        _duckDb.SetThresholds(BenchmarkData.StallThresholds);

        var watch = Stopwatch.StartNew();
        (_services, _model) = await StartAsync();
        Console.WriteLine($"// {Database}, {Transitions} transitions: the hosted model was ready {watch.ElapsedMilliseconds} ms after the host started");
    }

    /// <summary>
    /// Puts this size's history into the benchmark database (SQLite: a file; PostgreSQL: the database
    /// <c>funnelmetrics_bench</c>, left as it is when it already holds the history) and returns its connection string.
    /// </summary>
    internal static async Task<string> PrepareDatabaseAsync(string database, int transitions)
    {
        if (database == "SQLite")
        {
            new SqliteReadBenchmarks { Transitions = transitions }.Setup();
            var file = Path.Combine(Path.GetTempPath(), "funnelmetrics-bench-sqlite", $"history-{transitions}.db");
            return new SqliteConnectionStringBuilder { DataSource = file, Pooling = true }.ToString();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(PostgresReadBenchmarks.ServerConnectionString) { Database = "funnelmetrics_bench" }.ToString();
        var held = await HoldsHistoryAsync(connectionString, BenchmarkData.Get(transitions).Events.Length);

        // The check's pooled connection must not outlive it: the setup below drops the database, which ends it.
        NpgsqlConnection.ClearAllPools();
        if (!held)
        {
            new PostgresReadBenchmarks { Transitions = transitions }.Setup();
        }

        return connectionString;
    }

    /// <summary>The EF Core context factory's registration for the database.</summary>
    internal static Action<IServiceCollection> Register(string database, string connectionString) =>
        database == "SQLite"
            ? services => services.AddDbContextFactory<FunnelMetricsDbContext>(o => o.UseSqlite(connectionString))
            : services => services.AddDbContextFactory<FunnelMetricsDbContext>(o => o.UseNpgsql(connectionString));

    /// <summary>Whether the benchmark database already holds this size's history (a process before this one loaded it): then it is not loaded again.</summary>
    private static async Task<bool> HoldsHistoryAsync(string connectionString, int rows)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("SELECT (SELECT count(*) FROM funnel_events) = @rows AND EXISTS (SELECT 1 FROM funnel_pipelines WHERE pipeline_id = @pipeline)", connection);
            count.Parameters.AddWithValue("rows", (long)rows);
            count.Parameters.AddWithValue("pipeline", Pipeline.Value);
            return await count.ExecuteScalarAsync() is true;
        }
        catch (PostgresException)
        {
            return false;
        }
    }

    private DbContextOptions<FunnelMetricsDbContext> Options(string connectionString) =>
        Database == "SQLite"
            ? new DbContextOptionsBuilder<FunnelMetricsDbContext>().UseSqlite(connectionString).Options
            : new DbContextOptionsBuilder<FunnelMetricsDbContext>().UseNpgsql(connectionString).Options;

    /// <summary>A host's services with the hosted model, started and loaded.</summary>
    private async Task<(ServiceProvider Services, FunnelReadModelService Model)> StartAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        _database(services);
        services.AddFunnelMetrics().UseEntityFrameworkCore<FunnelMetricsDbContext>().AddHostedReadModel();
        var provider = services.BuildServiceProvider();
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        var model = provider.GetRequiredService<FunnelReadModelService>();
        await model.WaitForReadyAsync();
        return (provider, model);
    }

    /// <summary>No model: the clients and events read as entities and objects, the log built, then every figure.</summary>
    [Benchmark(Baseline = true)]
    public async Task<object> ColdRequest() => FunnelDashboard.Compute(await _cold.LoadFromStorageAsync(Pipeline), AsOf, null, Defaults);

    /// <summary>No model: the store's fast load into a builder, its snapshot, then every figure.</summary>
    [Benchmark]
    public async Task<object> ColdRequestFastLoad()
    {
        var builder = new FunnelLogBuilder(HistoryGenerator.Pipeline);
        await _source.LoadAsync(builder);
        return FunnelDashboard.Compute(builder.ToLog(), AsOf, null, Defaults);
    }

    /// <summary>The hosted model: the snapshot <see cref="FunnelAnalytics"/> answers from, then every figure.</summary>
    [Benchmark]
    public async Task<object> WarmRequest()
    {
        using var scope = _services.CreateScope();
        var analytics = scope.ServiceProvider.GetRequiredService<FunnelAnalytics>();
        return FunnelDashboard.Compute(await analytics.LoadAsync(Pipeline), AsOf, null, Defaults);
    }

    /// <summary>The hosted model's snapshot read as "now" is: one second after the previous request, after the last event.</summary>
    [Benchmark]
    public async Task<object> WarmRequestAfterLastEvent()
    {
        using var scope = _services.CreateScope();
        var analytics = scope.ServiceProvider.GetRequiredService<FunnelAnalytics>();
        var log = await analytics.LoadAsync(Pipeline);
        var last = log.LastEventAt ?? AsOf;
        _now = (_now > last ? _now.Value : last).AddSeconds(1);
        return FunnelDashboard.Compute(log, _now.Value, null, Defaults);
    }

    /// <summary>A new host over the database: started, its model loaded (fast load), stopped.</summary>
    [Benchmark]
    public async Task<long> ColdStart()
    {
        var (services, model) = await StartAsync();
        var position = (await model.GetLagAsync()).Count;
        foreach (var hosted in services.GetServices<IHostedService>())
        {
            await hosted.StopAsync(CancellationToken.None);
        }

        await services.DisposeAsync();
        return position;
    }

    /// <summary>From the warm model, the three figures the SQL baselines compute.</summary>
    [Benchmark]
    public async Task<object> WarmSqlSubset()
    {
        using var scope = _services.CreateScope();
        var log = await scope.ServiceProvider.GetRequiredService<FunnelAnalytics>().LoadAsync(Pipeline);
        return (StageCountsCalculator.Compute(log, AsOf), TimeInStageCalculator.Compute(log, TimeWindow.Until(AsOf)), StallCalculator.Compute(log, AsOf, BenchmarkData.FixedThresholds));
    }

    /// <summary>The three figures as PostgreSQL computes them over the store's tables (PostgreSQL only; on SQLite nothing).</summary>
    [Benchmark]
    public async Task<object?> PostgresSql() => _sql is null
        ? null
        : (await _sql.StageCountsAsync(AsOf), await _sql.CompletedVisitsAsync(AsOf), await _sql.StalledAsync(AsOf, BenchmarkData.StallThresholds));

    /// <summary>The three figures in DuckDB, over the same rows in its memory, on every core.</summary>
    [Benchmark]
    public object DuckDbSql() => (_duckDb.StageCounts(AsOf), _duckDb.CompletedVisits(AsOf), _duckDb.Stalled(AsOf));

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var hosted in _services.GetServices<IHostedService>())
        {
            hosted.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        _services.Dispose();
        _duckDb.Dispose();
        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
    }
}
