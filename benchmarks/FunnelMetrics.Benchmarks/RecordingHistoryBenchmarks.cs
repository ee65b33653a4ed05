using BenchmarkDotNet.Attributes;
using FunnelMetrics.EntityFrameworkCore;
using FunnelMetrics.Recording;
using FunnelMetrics.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// Recording cost against history length: one move through <see cref="FunnelRecorder"/> (default options, every rule
/// checked) onto a new client (its entry) against onto a client that already has <see cref="PriorEvents"/> events (an
/// advance or a regression between the first two stages). The target: 10,000 prior events within 2x of the new
/// client, in memory and on SQLite. Each iteration starts from a fresh store; an operation is <c>Moves</c> moves, one
/// per new client or all onto the one long history (which then holds <see cref="PriorEvents"/> to that + <c>Moves</c>
/// events).
/// </summary>
public abstract class RecordingHistoryBenchmarks
{
    /// <summary>The long histories' lengths: 10,000; <c>FUNNELMETRICS_BENCH_PRIOR_EVENTS</c> (comma-separated) overrides them.</summary>
    public static IEnumerable<int> PriorEventCounts =>
        Environment.GetEnvironmentVariable("FUNNELMETRICS_BENCH_PRIOR_EVENTS") is { Length: > 0 } counts
            ? counts.Split(',').Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture))
            : [10_000];

    /// <summary>The events already in the long history (the new client's case ignores it).</summary>
    [ParamsSource(nameof(PriorEventCounts))]
    public int PriorEvents { get; set; }

    private static readonly StageId First = HistoryGenerator.Pipeline.Stages[0].Key;
    private static readonly StageId Second = HistoryGenerator.Pipeline.Stages[1].Key;
    private static readonly DateTimeOffset Start = HistoryGenerator.Start;

    private FunnelRecorder _recorder = null!;
    private ClientId[] _targets = [];
    private int _version;

    /// <summary>The moves an operation records.</summary>
    protected abstract int Moves { get; }

    /// <summary>A fresh, empty store.</summary>
    protected abstract Task<(IPipelineRepository Pipelines, IClientRepository Clients, IFunnelEventStore Events)> CreateStoreAsync();

    /// <summary>A fresh store with <c>Moves</c> clients added and no events: each gets one move, its entry.</summary>
    protected void NewClients() => SetUpAsync(longHistory: false).GetAwaiter().GetResult();

    /// <summary>A fresh store with one client of <see cref="PriorEvents"/> events, appended in one batch: it gets every move.</summary>
    protected void LongHistory() => SetUpAsync(longHistory: true).GetAwaiter().GetResult();

    /// <summary>The operation: <c>Moves</c> recorder calls.</summary>
    protected async Task RecordAsync()
    {
        var moves = Moves;
        if (_targets.Length == 1)
        {
            // The long history is at the second stage after an even count: back to the first, then forth.
            var id = _targets[0];
            for (var i = 0; i < moves; i++)
            {
                _version++;
                await _recorder.MoveAsync(id, _version % 2 == 1 ? First : Second, Start.AddSeconds(_version)).ConfigureAwait(false);
            }
        }
        else
        {
            for (var i = 0; i < moves; i++)
            {
                await _recorder.MoveAsync(_targets[i], First, Start.AddHours(1)).ConfigureAwait(false);
            }
        }
    }

    private async Task SetUpAsync(bool longHistory)
    {
        var (pipelines, clients, events) = await CreateStoreAsync().ConfigureAwait(false);
        await pipelines.AddAsync(HistoryGenerator.Pipeline).ConfigureAwait(false);
        _recorder = new FunnelRecorder(pipelines, clients, events, new FixedClock(HistoryGenerator.End), Microsoft.Extensions.Options.Options.Create(new RecordingOptions()));
        var owner = new OwnerId("o");
        if (!longHistory)
        {
            _targets = [.. Enumerable.Range(0, Moves).Select(i => new ClientId($"new{i}"))];
            foreach (var id in _targets)
            {
                await clients.AddAsync(new Client(id, HistoryGenerator.Pipeline.Id, owner, Start)).ConfigureAwait(false);
            }

            await SettleAsync().ConfigureAwait(false);
            return;
        }

        var client = new ClientId("long");
        _targets = [client];
        await clients.AddAsync(new Client(client, HistoryGenerator.Pipeline.Id, owner, Start)).ConfigureAwait(false);
        var prior = new ClientEvent[PriorEvents];
        for (var s = 1; s <= PriorEvents; s++)
        {
            var (kind, from, to) = s == 1 ? (TransitionKind.Entered, (StageId?)null, First) : s % 2 == 0 ? (TransitionKind.Advanced, First, Second) : (TransitionKind.Regressed, Second, First);
            prior[s - 1] = new StageTransition(new ClientEventId($"prior-{s}"), client, HistoryGenerator.Pipeline.Id, s, kind, from, to, Start.AddSeconds(s), Start.AddSeconds(s), owner);
        }

        await events.AppendAsync(client, 0, prior).ConfigureAwait(false);
        _version = PriorEvents;
        await SettleAsync().ConfigureAwait(false);
    }

    /// <summary>Runs after the setup's writes, before the moves: a database store flushes them (as an old history would be long since).</summary>
    protected virtual Task SettleAsync() => Task.CompletedTask;

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

/// <summary><see cref="RecordingHistoryBenchmarks"/> in the in-memory store: 2,000 moves an operation.</summary>
[MemoryDiagnoser]
public class RecordingHistoryInMemoryBenchmarks : RecordingHistoryBenchmarks
{
    private const int MovesPerOperation = 2_000;

    protected override int Moves => MovesPerOperation;

    [IterationSetup(Target = nameof(OntoANewClient))]
    public void SetUpNewClients() => NewClients();

    [IterationSetup(Target = nameof(OntoALongHistory))]
    public void SetUpLongHistory() => LongHistory();

    [Benchmark(Baseline = true, OperationsPerInvoke = MovesPerOperation)]
    public Task OntoANewClient() => RecordAsync();

    [Benchmark(OperationsPerInvoke = MovesPerOperation)]
    public Task OntoALongHistory() => RecordAsync();

    protected override Task<(IPipelineRepository Pipelines, IClientRepository Clients, IFunnelEventStore Events)> CreateStoreAsync()
    {
        var store = new InMemoryFunnelStore();
        return Task.FromResult<(IPipelineRepository, IClientRepository, IFunnelEventStore)>((store.Pipelines, store.Clients, store.Events));
    }
}

/// <summary>
/// <see cref="RecordingHistoryBenchmarks"/> in the Entity Framework Core store on a SQLite file (WAL, the provider's
/// defaults otherwise): 200 moves an operation, a new file each iteration.
/// </summary>
[MemoryDiagnoser]
public class RecordingHistorySqliteBenchmarks : RecordingHistoryBenchmarks
{
    private const int MovesPerOperation = 200;
    private readonly string _directory = Directory.CreateTempSubdirectory("funnelmetrics-bench-").FullName;
    private int _files;

    protected override int Moves => MovesPerOperation;

    [IterationSetup(Target = nameof(OntoANewClient))]
    public void SetUpNewClients() => NewClients();

    [IterationSetup(Target = nameof(OntoALongHistory))]
    public void SetUpLongHistory() => LongHistory();

    [Benchmark(Baseline = true, OperationsPerInvoke = MovesPerOperation)]
    public Task OntoANewClient() => RecordAsync();

    [Benchmark(OperationsPerInvoke = MovesPerOperation)]
    public Task OntoALongHistory() => RecordAsync();

    private string _connectionString = "";

    [GlobalCleanup]
    public void Cleanup()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    protected override async Task<(IPipelineRepository Pipelines, IClientRepository Clients, IFunnelEventStore Events)> CreateStoreAsync()
    {
        SqliteConnection.ClearAllPools();
        var connectionString = _connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_directory, $"store{++_files}.db"), Pooling = true }.ToString();
        var options = new DbContextOptionsBuilder<FunnelMetricsDbContext>().UseSqlite(connectionString).Options;
        var factory = new SqliteFactory(options);
        await using (var context = factory.CreateDbContext())
        {
            await context.Database.EnsureCreatedAsync().ConfigureAwait(false);
            await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;").ConfigureAwait(false);
        }

        return (new EntityFrameworkPipelineRepository<FunnelMetricsDbContext>(factory), new EntityFrameworkClientRepository<FunnelMetricsDbContext>(factory), new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(factory));
    }

    /// <summary>Checkpoints the write-ahead log the setup filled: the moves are measured without the setup's pages to copy back.</summary>
    protected override async Task SettleAsync()
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private sealed class SqliteFactory(DbContextOptions<FunnelMetricsDbContext> options) : IDbContextFactory<FunnelMetricsDbContext>
    {
        public FunnelMetricsDbContext CreateDbContext() => new(options);
    }
}
