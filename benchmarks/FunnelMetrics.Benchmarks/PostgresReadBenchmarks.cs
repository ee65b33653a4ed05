using BenchmarkDotNet.Attributes;
using FunnelMetrics.EntityFrameworkCore;
using FunnelMetrics.Metrics;
using FunnelMetrics.Storage;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// Reading a pipeline's events from PostgreSQL through the Entity Framework Core store, alone and into a
/// <see cref="FunnelEventLog"/>. Runs only when <c>FUNNELMETRICS_POSTGRES</c> names a server: the setup loads the
/// generated history into a database <c>funnelmetrics_bench</c> there (dropped and re-created), with binary COPY.
/// Sizes are those of <see cref="BenchmarkData.Sizes"/> up to 1 million transitions.
/// </summary>
[MemoryDiagnoser]
public class PostgresReadBenchmarks
{
    private const string Database = "funnelmetrics_bench";

    private Factory _factory = null!;
    private EntityFrameworkFunnelEventStore<FunnelMetricsDbContext> _events = null!;
    private EntityFrameworkClientRepository<FunnelMetricsDbContext> _clients = null!;

    /// <summary>The server's connection string, or null when the benchmarks are off.</summary>
    public static string? ServerConnectionString => Environment.GetEnvironmentVariable("FUNNELMETRICS_POSTGRES") is { Length: > 0 } cs ? cs : null;

    /// <summary>The history sizes, in transitions.</summary>
    public static IEnumerable<int> Sizes => BenchmarkData.Sizes.Where(s => s <= 1_000_000);

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

        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = Database }.ToString();
        var options = new DbContextOptionsBuilder<FunnelMetricsDbContext>().UseNpgsql(connectionString).Options;
        _factory = new Factory(options);
        await using (var context = _factory.CreateDbContext())
        {
            await context.Database.EnsureCreatedAsync();
        }

        var (clients, events, _) = BenchmarkData.Get(Transitions);
        Rows = events.Length;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await CopyAsync(connection, clients, events);
            await using var analyze = new NpgsqlCommand("VACUUM ANALYZE", connection);
            await analyze.ExecuteNonQueryAsync();
        }

        _events = new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(_factory);
        _clients = new EntityFrameworkClientRepository<FunnelMetricsDbContext>(_factory);
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

    [GlobalCleanup]
    public void Cleanup() => NpgsqlConnection.ClearAllPools();

    private static async Task CopyAsync(NpgsqlConnection connection, Client[] clients, ClientEvent[] events)
    {
        await using (var writer = await connection.BeginBinaryImportAsync("COPY funnel_clients (client_id, pipeline_id, owner, created_at_utc_ticks, value) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var c in clients)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(c.Id.Value, NpgsqlDbType.Text);
                await writer.WriteAsync(c.PipelineId.Value, NpgsqlDbType.Text);
                await writer.WriteAsync(c.Owner.Value, NpgsqlDbType.Text);
                await writer.WriteAsync(c.CreatedAt.UtcTicks, NpgsqlDbType.Bigint);
                await WriteNullableAsync(writer, c.Value, NpgsqlDbType.Numeric);
            }

            await writer.CompleteAsync();
        }

        await using (var writer = await connection.BeginBinaryImportAsync("COPY funnel_client_attributes (client_id, key, value) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var c in clients)
            {
                foreach (var (key, value) in c.Attributes)
                {
                    await writer.StartRowAsync();
                    await writer.WriteAsync(c.Id.Value, NpgsqlDbType.Text);
                    await writer.WriteAsync(key, NpgsqlDbType.Text);
                    await writer.WriteAsync(value, NpgsqlDbType.Text);
                }
            }

            await writer.CompleteAsync();
        }

        const string Columns = "event_id, client_id, pipeline_id, sequence, type, occurred_at_utc_ticks, recorded_at_utc_ticks, owner, note, transition_kind, from_stage, to_stage, lost_reason, previous_owner";
        await using (var writer = await connection.BeginBinaryImportAsync($"COPY funnel_events ({Columns}) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var e in events)
            {
                var (type, kind, from, to, lostReason, previousOwner) = e switch
                {
                    StageTransition t => ("transition", t.Kind.ToString(), t.FromStage?.Value, t.ToStage?.Value, t.LostReason, (string?)null),
                    ClientActivity => ("activity", null, null, null, null, null),
                    OwnerReassignment r => ("reassignment", null, null, null, null, r.PreviousOwner.Value),
                    _ => throw new InvalidOperationException(e.GetType().Name),
                };
                await writer.StartRowAsync();
                await writer.WriteAsync(e.Id.Value, NpgsqlDbType.Text);
                await writer.WriteAsync(e.ClientId.Value, NpgsqlDbType.Text);
                await writer.WriteAsync(e.PipelineId.Value, NpgsqlDbType.Text);
                await writer.WriteAsync(e.Sequence, NpgsqlDbType.Bigint);
                await writer.WriteAsync(type, NpgsqlDbType.Text);
                await writer.WriteAsync(e.OccurredAt.UtcTicks, NpgsqlDbType.Bigint);
                await writer.WriteAsync(e.RecordedAt.UtcTicks, NpgsqlDbType.Bigint);
                await writer.WriteAsync(e.Owner.Value, NpgsqlDbType.Text);
                await WriteNullableAsync(writer, e.Note, NpgsqlDbType.Text);
                await WriteNullableAsync(writer, kind, NpgsqlDbType.Text);
                await WriteNullableAsync(writer, from, NpgsqlDbType.Text);
                await WriteNullableAsync(writer, to, NpgsqlDbType.Text);
                await WriteNullableAsync(writer, lostReason, NpgsqlDbType.Text);
                await WriteNullableAsync(writer, previousOwner, NpgsqlDbType.Text);
            }

            await writer.CompleteAsync();
        }
    }

    private static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type)
    {
        if (value is null)
        {
            await writer.WriteNullAsync();
        }
        else
        {
            await writer.WriteAsync(value, type);
        }
    }

    private sealed class Factory(DbContextOptions<FunnelMetricsDbContext> options) : IDbContextFactory<FunnelMetricsDbContext>
    {
        public FunnelMetricsDbContext CreateDbContext() => new(options);
    }
}
