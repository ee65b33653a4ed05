using BenchmarkDotNet.Attributes;
using FunnelMetrics.Analytics;
using FunnelMetrics.EntityFrameworkCore;
using FunnelMetrics.Metrics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// A pipeline's history from SQLite through the Entity Framework Core store into a <see cref="FunnelEventLog"/>: the old
/// path (<see cref="FunnelAnalytics.LoadAsync"/>, entities and event objects) against the fast load
/// (<see cref="IFunnelLogSource"/>, columns from a data reader). The setup loads the generated history into a database
/// file in the temporary directory (WAL mode) through the store's bulk writes, as <see cref="PostgresReadBenchmarks"/>
/// does, and keeps it for the next process of the same size (a <c>.ready</c> file beside it says it is complete).
/// Sizes are those of <see cref="BenchmarkData.Sizes"/> up to 1 million transitions.
/// </summary>
[MemoryDiagnoser]
public class SqliteReadBenchmarks
{
    private EntityFrameworkFunnelEventStore<FunnelMetricsDbContext> _events = null!;
    private FunnelAnalytics _analytics = null!;

    /// <summary>The history sizes, in transitions.</summary>
    public static IEnumerable<int> Sizes => BenchmarkData.Sizes.Where(s => s <= 1_000_000);

    /// <summary>The store's fast load, once set up.</summary>
    internal Analytics.IFunnelLogSource Source => _events;

    /// <summary>The history size, in transitions.</summary>
    [ParamsSource(nameof(Sizes))]
    public int Transitions { get; set; }

    /// <summary>The number of event rows in the database for this size (transitions plus activities and hand-overs).</summary>
    public int Rows { get; private set; }

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        var directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "funnelmetrics-bench-sqlite")).FullName;
        var file = Path.Combine(directory, $"history-{Transitions}.db");
        var ready = file + ".ready";
        var connectionString = new SqliteConnectionStringBuilder { DataSource = file, Pooling = true }.ToString();
        var options = new DbContextOptionsBuilder<FunnelMetricsDbContext>().UseSqlite(connectionString).Options;
        var factory = new PostgresReadBenchmarks.Factory(options);
        var (clients, events, _) = BenchmarkData.Get(Transitions);
        Rows = events.Length;
        if (!File.Exists(ready))
        {
            SqliteConnection.ClearAllPools();
            foreach (var old in Directory.GetFiles(directory, $"history-{Transitions}.db*"))
            {
                File.Delete(old);
            }

            await using (var connection = new SqliteConnection(connectionString))
            {
                await connection.OpenAsync();
                await using var wal = connection.CreateCommand();
                wal.CommandText = "PRAGMA journal_mode=WAL;";
                await wal.ExecuteNonQueryAsync();
            }

            await using (var context = factory.CreateDbContext())
            {
                await context.Database.EnsureCreatedAsync();
            }

            await PostgresReadBenchmarks.LoadAsync(factory, clients, events);
            await using (var connection = new SqliteConnection(connectionString))
            {
                await connection.OpenAsync();
                await using var analyze = connection.CreateCommand();
                analyze.CommandText = "ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);";
                await analyze.ExecuteNonQueryAsync();
            }

            _analytics = PostgresReadBenchmarks.Analytics(factory);
            await File.WriteAllTextAsync(ready, $"{clients.Length} clients, {Rows} events");
        }
        else
        {
            _analytics = PostgresReadBenchmarks.Analytics(factory, addPipeline: false);
        }

        _events = new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(factory);
        Console.WriteLine($"// SQLite benchmark data: {clients.Length} clients, {Rows} events ({Transitions} transitions) in {file}");
    }

    /// <summary>The old path: <see cref="FunnelAnalytics.LoadAsync"/>, the clients and events read as entities and objects through the repositories, then built.</summary>
    [Benchmark(Baseline = true)]
    public Task<FunnelEventLog> AnalyticsLoad() => _analytics.LoadAsync(HistoryGenerator.Pipeline.Id);

    /// <summary>The fast load: columns from the data reader straight into a <see cref="FunnelLogBuilder"/>, then its snapshot.</summary>
    [Benchmark]
    public Task<FunnelEventLog> FastLoad() => PostgresReadBenchmarks.FastLoadAsync(_events, Rows);

    [GlobalCleanup]
    public void Cleanup() => SqliteConnection.ClearAllPools();
}
