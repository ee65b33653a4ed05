using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using FunnelMetrics.EntityFrameworkCore;
using FunnelMetrics.Import;
using FunnelMetrics.Recording;
using FunnelMetrics.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// One measured bulk import: <c>import &lt;sqlite|postgres|memory&gt; &lt;records&gt; [chunk size]</c> turns the
/// benchmark generator's history (<see cref="HistoryGenerator"/>, seed 1, 200 owners) into import records (its stage
/// transitions and activities, each with its owner; hand-overs follow from the owners; the first record of a client
/// carries its value and attributes), then imports them through <see cref="FunnelImporter"/> into a new store: a SQLite
/// file in WAL mode, a new PostgreSQL database on <c>FUNNELMETRICS_POSTGRES</c>, or memory. Prints the records per
/// second of <see cref="FunnelImporter.ImportAsync"/> and a stopwatch breakdown: checking and storing (from the
/// progress reports), and the time spent in each store call. Then imports the same records again (all unchanged) and
/// prints that rate too. <c>benchmarks/import.sh</c> runs it.
/// </summary>
public static class ImportRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length is < 3 or > 4)
        {
            Console.Error.WriteLine("usage: import <sqlite|postgres|memory> <records> [chunk size]");
            return 2;
        }

        var target = int.Parse(args[2], CultureInfo.InvariantCulture);
        var options = args.Length == 4 ? new ImportOptions { ChunkSize = int.Parse(args[3], CultureInfo.InvariantCulture) } : ImportOptions.Default;
        var generate = Stopwatch.StartNew();
        var records = Records(target);
        Console.WriteLine($"generated {records.Count:N0} records of {records.Select(r => r.ClientId).Distinct().Count():N0} clients in {generate.Elapsed.TotalSeconds:F1} s");

        var (pipelines, clients, events, describe, cleanup) = await OpenAsync(args[1]);
        try
        {
            await pipelines.AddAsync(HistoryGenerator.Pipeline);
            var timedClients = new TimedClients(clients);
            var timedEvents = new TimedEvents(events);
            var importer = new FunnelImporter(pipelines, timedClients, timedEvents, new FixedClock(HistoryGenerator.End.AddDays(1)), Microsoft.Extensions.Options.Options.Create(new RecordingOptions()));
            Console.WriteLine($"store: {describe}; chunk size {options.ChunkSize:N0} clients");
            foreach (var run in new[] { "first import", "same import again" })
            {
                timedClients.Times.Clear();
                timedEvents.Times.Clear();
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                var checkedAt = TimeSpan.Zero;
                var progress = new Progress(p =>
                {
                    if (p.Phase == ImportPhase.Checking && p.Done == p.Total)
                    {
                        checkedAt = watch.Elapsed;
                    }
                });
                var result = await importer.ImportAsync(HistoryGenerator.Pipeline.Id, records, options, progress);
                var total = watch.Elapsed;
                if (!result.Succeeded)
                {
                    Console.Error.WriteLine($"the import failed: {string.Join("; ", result.Problems.Take(3))}");
                    return 1;
                }

                Console.WriteLine($"{run}: {result.Records:N0} records in {total.TotalSeconds:F2} s = {result.Records / total.TotalSeconds:N0} records/s (added {result.ClientsAdded:N0}, unchanged {result.ClientsUnchanged:N0}, events appended {result.EventsAppended:N0})");
                Console.WriteLine($"  checking {checkedAt.TotalSeconds:F2} s, storing {(total - checkedAt).TotalSeconds:F2} s; this process's CPU time {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F2} s; load average {LoadAverage()}");
                foreach (var (call, time) in timedClients.Times.Concat(timedEvents.Times).OrderByDescending(t => t.Value))
                {
                    Console.WriteLine($"  {call,-18} {time.TotalSeconds,7:F2} s");
                }
            }

            return 0;
        }
        finally
        {
            await cleanup();
        }
    }

    /// <summary>The generator's history as import records: whole clients until there are at least <paramref name="target"/> records.</summary>
    public static List<ImportRecord> Records(int target)
    {
        var (clients, events) = HistoryGenerator.Generate((int)(target * 0.7), seed: 1);
        var byId = clients.ToDictionary(c => c.Id);
        var records = new List<ImportRecord>(target + 64);
        ClientId? current = null;
        foreach (var e in events)
        {
            if (e.ClientId != current)
            {
                if (records.Count >= target)
                {
                    break;
                }

                current = e.ClientId;
            }

            if (e is OwnerReassignment)
            {
                continue;
            }

            var record = e switch
            {
                StageTransition { Kind: TransitionKind.Lost } t => new ImportRecord(t.ClientId, ImportAction.Lost, null, t.OccurredAt, t.Owner) { LostReason = t.LostReason },
                StageTransition t => new ImportRecord(t.ClientId, ImportAction.ReachedStage, t.ToStage, t.OccurredAt, t.Owner),
                _ => new ImportRecord(e.ClientId, ImportAction.Activity, null, e.OccurredAt, e.Owner) { Note = e.Note },
            };
            if (e.Sequence == 1)
            {
                var client = byId[e.ClientId];
                record = record with { Value = client.Value, Attributes = client.Attributes };
            }

            records.Add(record with { Position = records.Count + 1 });
        }

        return records;
    }

    private static async Task<(IPipelineRepository, IClientRepository, IFunnelEventStore, string, Func<Task>)> OpenAsync(string kind)
    {
        switch (kind)
        {
            case "memory":
            {
                var store = new InMemoryFunnelStore();
                return (store.Pipelines, store.Clients, store.Events, "in memory", () => Task.CompletedTask);
            }

            case "sqlite":
            {
                var directory = Directory.CreateTempSubdirectory("funnelmetrics-import-").FullName;
                var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "import.db"), Pooling = true }.ToString();
                await using (var connection = new SqliteConnection(connectionString))
                {
                    await connection.OpenAsync();
                    await using var wal = connection.CreateCommand();
                    wal.CommandText = "PRAGMA journal_mode=WAL;";
                    await wal.ExecuteNonQueryAsync();
                }

                var factory = new Contexts(new DbContextOptionsBuilder<FunnelMetricsDbContext>().UseSqlite(connectionString).Options);
                await using (var context = factory.CreateDbContext())
                {
                    await context.Database.EnsureCreatedAsync();
                }

                return (new EntityFrameworkPipelineRepository<FunnelMetricsDbContext>(factory), new EntityFrameworkClientRepository<FunnelMetricsDbContext>(factory), new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(factory), $"SQLite file {connectionString} (WAL, synchronous default)", () =>
                {
                    SqliteConnection.ClearAllPools();
                    Directory.Delete(directory, recursive: true);
                    return Task.CompletedTask;
                });
            }

            case "postgres":
            {
                var server = Environment.GetEnvironmentVariable("FUNNELMETRICS_POSTGRES") is { Length: > 0 } cs ? cs : throw new InvalidOperationException("Set FUNNELMETRICS_POSTGRES to a PostgreSQL connection string.");
                var name = $"funnelmetrics_import_{Guid.NewGuid():N}";
                await using (var admin = new NpgsqlConnection(server))
                {
                    await admin.OpenAsync();
                    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
                    await create.ExecuteNonQueryAsync();
                }

                var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
                var factory = new Contexts(new DbContextOptionsBuilder<FunnelMetricsDbContext>().UseNpgsql(connectionString).Options);
                await using (var context = factory.CreateDbContext())
                {
                    await context.Database.EnsureCreatedAsync();
                }

                return (new EntityFrameworkPipelineRepository<FunnelMetricsDbContext>(factory), new EntityFrameworkClientRepository<FunnelMetricsDbContext>(factory), new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(factory), $"PostgreSQL database {name}", async () =>
                {
                    NpgsqlConnection.ClearAllPools();
                    await using var admin = new NpgsqlConnection(server);
                    await admin.OpenAsync();
                    await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
                    await drop.ExecuteNonQueryAsync();
                });
            }

            default:
                throw new ArgumentException($"Unknown store '{kind}'; use sqlite, postgres or memory.", nameof(kind));
        }
    }

    /// <summary>The machine's 1-minute load average (Linux), to read the timings by: a shared machine slows every phase.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    private sealed class Contexts(DbContextOptions<FunnelMetricsDbContext> options) : IDbContextFactory<FunnelMetricsDbContext>
    {
        public FunnelMetricsDbContext CreateDbContext() => new(options);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class Progress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }

    private abstract class Timed
    {
        public Dictionary<string, TimeSpan> Times { get; } = [];

        protected async Task<T> TimeAsync<T>(string call, Func<Task<T>> run)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                return await run();
            }
            finally
            {
                Add(call, watch.Elapsed);
            }
        }

        protected async IAsyncEnumerable<T> TimeAsync<T>(string call, IAsyncEnumerable<T> items, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var watch = Stopwatch.StartNew();
            await foreach (var item in items.WithCancellation(cancellationToken))
            {
                watch.Stop();
                yield return item;
                watch.Start();
            }

            Add(call, watch.Elapsed);
        }

        private void Add(string call, TimeSpan time) => Times[call] = Times.GetValueOrDefault(call) + time;
    }

    private sealed class TimedClients(IClientRepository inner) : Timed, IClientRepository
    {
        public ValueTask<Client?> GetAsync(ClientId clientId, CancellationToken cancellationToken = default) => inner.GetAsync(clientId, cancellationToken);

        public Task<bool> AddAsync(Client client, CancellationToken cancellationToken = default) => TimeAsync("AddAsync", () => inner.AddAsync(client, cancellationToken));

        public Task<IReadOnlyList<ClientAddResult>> AddManyAsync(IReadOnlyList<Client> clients, CancellationToken cancellationToken = default) => TimeAsync("AddManyAsync", () => inner.AddManyAsync(clients, cancellationToken));

        public IAsyncEnumerable<Client> GetManyAsync(IReadOnlyCollection<ClientId> clientIds, CancellationToken cancellationToken = default) => TimeAsync("GetManyAsync", inner.GetManyAsync(clientIds, cancellationToken), cancellationToken);

        public IAsyncEnumerable<Client> ListAsync(PipelineId pipelineId, ClientId? after = null, int? limit = null, CancellationToken cancellationToken = default) => inner.ListAsync(pipelineId, after, limit, cancellationToken);
    }

    private sealed class TimedEvents(IFunnelEventStore inner) : Timed, IFunnelEventStore
    {
        public Task<long> AppendAsync(ClientId clientId, long expectedVersion, IReadOnlyList<ClientEvent> events, CancellationToken cancellationToken = default) => TimeAsync("AppendAsync", () => inner.AppendAsync(clientId, expectedVersion, events, cancellationToken));

        public Task<IReadOnlyList<StreamAppendResult>> AppendManyAsync(IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default) => TimeAsync("AppendManyAsync", () => inner.AppendManyAsync(appends, cancellationToken));

        public IAsyncEnumerable<ClientEvent> ReadClientAsync(ClientId clientId, CancellationToken cancellationToken = default) => TimeAsync("ReadClientAsync", inner.ReadClientAsync(clientId, cancellationToken), cancellationToken);

        public ValueTask<ClientEvent?> FindAsync(ClientEventId eventId, CancellationToken cancellationToken = default) => inner.FindAsync(eventId, cancellationToken);

        public IAsyncEnumerable<ClientEvent> FindManyAsync(IReadOnlyCollection<ClientEventId> eventIds, CancellationToken cancellationToken = default) => TimeAsync("FindManyAsync", inner.FindManyAsync(eventIds, cancellationToken), cancellationToken);

        public IAsyncEnumerable<ClientEvent> ReadPipelineAsync(PipelineId pipelineId, PipelineEventQuery query, CancellationToken cancellationToken = default) => inner.ReadPipelineAsync(pipelineId, query, cancellationToken);
    }
}
