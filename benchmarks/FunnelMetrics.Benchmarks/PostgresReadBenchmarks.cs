using BenchmarkDotNet.Attributes;
using FunnelMetrics.Analytics;
using FunnelMetrics.EntityFrameworkCore;
using FunnelMetrics.Metrics;
using FunnelMetrics.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// Reading a pipeline's events from PostgreSQL through the Entity Framework Core store, alone and into a
/// <see cref="FunnelEventLog"/>. Runs only when <c>FUNNELMETRICS_POSTGRES</c> names a server: the setup loads the
/// generated history into a database <c>funnelmetrics_bench</c> there (dropped and re-created), through the store's bulk writes (binary COPY).
/// Sizes are those of <see cref="BenchmarkData.Sizes"/> up to 1 million transitions.
/// </summary>
[MemoryDiagnoser]
public class PostgresReadBenchmarks
{
    private const string Database = "funnelmetrics_bench";

    private Factory _factory = null!;
    private EntityFrameworkFunnelEventStore<FunnelMetricsDbContext> _events = null!;
    private EntityFrameworkClientRepository<FunnelMetricsDbContext> _clients = null!;
    private FunnelAnalytics _analytics = null!;

    /// <summary>The server's connection string, or null when the benchmarks are off.</summary>
    public static string? ServerConnectionString => Environment.GetEnvironmentVariable("FUNNELMETRICS_POSTGRES") is { Length: > 0 } cs ? cs : null;

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
        var server = ServerConnectionString ?? throw new InvalidOperationException("Set FUNNELMETRICS_POSTGRES to run the PostgreSQL benchmarks.");
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Database} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {Database}", admin);
            await create.ExecuteNonQueryAsync();
        }

        // The forced drop ended every connection to the old database, also the idle ones that earlier benchmarks of
        // this process (in-process runs) left in Npgsql's pools: a pool would hand one out and fail with 57P01.
        NpgsqlConnection.ClearAllPools();

        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = Database }.ToString();
        var options = new DbContextOptionsBuilder<FunnelMetricsDbContext>().UseNpgsql(connectionString).Options;
        _factory = new Factory(options);
        await using (var context = _factory.CreateDbContext())
        {
            await context.Database.EnsureCreatedAsync();
        }

        var (clients, events, _) = BenchmarkData.Get(Transitions);
        Rows = events.Length;
        await LoadAsync(_factory, clients, events);
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var analyze = new NpgsqlCommand("VACUUM ANALYZE", connection);
            await analyze.ExecuteNonQueryAsync();
        }

        _events = new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(_factory);
        _clients = new EntityFrameworkClientRepository<FunnelMetricsDbContext>(_factory);
        _analytics = Analytics(_factory);
        Console.WriteLine($"// PostgreSQL benchmark data: {clients.Length} clients, {Rows} events ({Transitions} transitions)");
    }

    /// <summary>Streams every event of the pipeline, in cursor order, counting them.</summary>
    [Benchmark]
    public async Task<int> ReadPipelineEvents()
    {
        var count = 0;
        await foreach (var _ in _events.ReadPipelineAsync(HistoryGenerator.Pipeline.Id, PipelineEventQuery.All))
        {
            count++;
        }

        return count == Rows ? count : throw new InvalidOperationException($"Read {count} events of {Rows}.");
    }

    /// <summary>Reads the pipeline's clients and events and builds the metrics log from them.</summary>
    [Benchmark]
    public async Task<FunnelEventLog> ReadIntoEventLog()
    {
        var pipeline = HistoryGenerator.Pipeline;
        var clients = new List<Client>();
        await foreach (var client in _clients.ListAsync(pipeline.Id))
        {
            clients.Add(client);
        }

        var events = new List<ClientEvent>(Rows);
        await foreach (var e in _events.ReadPipelineAsync(pipeline.Id, PipelineEventQuery.All))
        {
            events.Add(e);
        }

        return FunnelEventLog.Build(pipeline, clients, events);
    }

    /// <summary>The old path: <see cref="FunnelAnalytics.LoadAsync"/>, the clients and events read as entities and objects through the repositories, then built.</summary>
    [Benchmark]
    public Task<FunnelEventLog> AnalyticsLoad() => _analytics.LoadAsync(HistoryGenerator.Pipeline.Id);

    /// <summary>The fast load: columns by binary COPY straight into a <see cref="FunnelLogBuilder"/>, then its snapshot.</summary>
    [Benchmark]
    public Task<FunnelEventLog> FastLoad() => FastLoadAsync(_events, Rows);

    /// <summary>Loads through the store's <see cref="IFunnelLogSource"/> and takes the log; checks every row came.</summary>
    internal static async Task<FunnelEventLog> FastLoadAsync(IFunnelLogSource source, int rows)
    {
        var builder = new FunnelLogBuilder(HistoryGenerator.Pipeline);
        await source.LoadAsync(builder);
        var log = builder.ToLog();
        return log.EventCount == rows ? log : throw new InvalidOperationException($"Loaded {log.EventCount} events of {rows}.");
    }

    /// <summary>The analytics service over the store, with the pipeline stored so it can be read.</summary>
    internal static FunnelAnalytics Analytics(IDbContextFactory<FunnelMetricsDbContext> factory, bool addPipeline = true)
    {
        var pipelines = new EntityFrameworkPipelineRepository<FunnelMetricsDbContext>(factory);
        if (addPipeline)
        {
            pipelines.AddAsync(HistoryGenerator.Pipeline).GetAwaiter().GetResult();
        }

        return new FunnelAnalytics(pipelines, new EntityFrameworkClientRepository<FunnelMetricsDbContext>(factory), new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(factory), TimeProvider.System, Options.Create(new FunnelMetricsOptions()));
    }

    [GlobalCleanup]
    public void Cleanup() => NpgsqlConnection.ClearAllPools();

    /// <summary>
    /// Loads the history through the store's bulk writes (binary COPY with positions and state rows on PostgreSQL), in
    /// chunks of 2,000 clients as the importer stores them; throws if any part is refused.
    /// </summary>
    internal static async Task LoadAsync(IDbContextFactory<FunnelMetricsDbContext> factory, Client[] clients, ClientEvent[] events)
    {
        var clientStore = new EntityFrameworkClientRepository<FunnelMetricsDbContext>(factory);
        IFunnelEventStore eventStore = new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(factory);
        var streams = events.GroupBy(e => e.ClientId).ToDictionary(g => g.Key, g => g.OrderBy(e => e.Sequence).ToArray());
        foreach (var chunk in clients.Chunk(2_000))
        {
            foreach (var added in await ((IClientRepository)clientStore).AddManyAsync(chunk))
            {
                _ = added.Conflict is null ? added : throw added.Conflict;
            }

            var parts = chunk.Where(c => streams.ContainsKey(c.Id)).Select(c => new StreamAppend(c.Id, 0, streams[c.Id])).ToArray();
            foreach (var result in await eventStore.AppendManyAsync(parts))
            {
                _ = result.Error is null ? result : throw result.Error;
            }
        }
    }

    internal sealed class Factory(DbContextOptions<FunnelMetricsDbContext> options) : IDbContextFactory<FunnelMetricsDbContext>
    {
        public FunnelMetricsDbContext CreateDbContext() => new(options);
    }
}
