using System.Data.Common;
using FunnelMetrics.Storage;
using Microsoft.EntityFrameworkCore.Diagnostics;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.EntityFrameworkCore.Tests;

/// <summary>
/// Failures the conformance suite cannot provoke: a connection lost in the middle of a batch, and writers that lose a
/// race after their version check, so that the database (the state row's update guarded by its version, the unique
/// indexes), not the store's own check, refuses them.
/// </summary>
public abstract class FaultTests(ITestDatabase database)
{
    private static ClientActivity Activity(string client, long sequence, string id) =>
        new(new ClientEventId(id), new ClientId(client), SalesId, sequence, T0.AddMinutes(sequence), T0.AddMinutes(sequence), Anna);

    /// <summary>Whether the writer can be paused after its version check and before its insert while another writer commits.</summary>
    /// <remarks>Not on SQLite: the appending transaction holds the database's write lock from its start, so the other writer waits.</remarks>
    protected abstract bool WritersInterleave { get; }

    [SkippableFact]
    public async Task ConnectionLost_InTheMiddleOfABatch_LeavesNoPartialBatch()
    {
        Skip.IfNot(database.Available, database.SkipReason);
        var dropper = new CommandHook(command => command.CommandText.Contains("INSERT", StringComparison.OrdinalIgnoreCase) && command.CommandText.Contains("funnel_events", StringComparison.Ordinal), insert => insert == 2 ? database.DropConnectionAsync : null);
        var faulty = Stores.Events(await database.CreateStoreAsync(dropper));
        var c = new ClientId("c1");
        await faulty.AppendAsync(c, 0, [Activity("c1", 1, "e1")]);
        dropper.Count = 0;
        ClientEvent[] batch = [Activity("c1", 2, "e2"), Activity("c1", 3, "e3"), Activity("c1", 4, "e4")];

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => faulty.AppendAsync(c, 1, batch));

        Assert.IsNotAssignableFrom<FunnelMetricsException>(ex);
        Assert.True(dropper.Count >= 2, $"The batch's inserts ran {dropper.Count} commands; the connection was to drop at the second.");
        dropper.Enabled = false;
        Assert.Equal([Activity("c1", 1, "e1")], await faulty.ReadClientAsync(c).ToListAsync());
        Assert.Null(await faulty.FindAsync(new ClientEventId("e2")));
        Assert.Equal(4, await faulty.AppendAsync(c, 1, batch));
        Assert.Equal([1L, 2, 3, 4], (await faulty.ReadClientAsync(c).ToListAsync()).Select(e => e.Sequence));
    }

    [SkippableFact]
    public async Task TwoImports_OfTheSameRecordsAtOnce_BothSucceed_AndStoreEachEventOnce()
    {
        var repositories = await Stores.CreateAsync(database);
        await repositories.Pipelines.AddAsync(Pipeline);
        var records = Enumerable.Range(0, 60).SelectMany(i => new[]
        {
            new Import.ImportRecord(new ClientId($"c{i:00}"), Import.ImportAction.ReachedStage, DecisionMaker, T0, Anna),
            new Import.ImportRecord(new ClientId($"c{i:00}"), Import.ImportAction.ReachedStage, Interest, T0.AddHours(1)),
        }).ToArray();
        Import.FunnelImporter Importer() => new(repositories.Pipelines, repositories.Clients, repositories.Events, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(T0.AddDays(30)), Microsoft.Extensions.Options.Options.Create(new FunnelMetrics.Recording.RecordingOptions()));

        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => Importer().ImportAsync(SalesId, records))));

        Assert.All(results, r => Assert.True(r.Succeeded, string.Join("; ", r.Problems)));
        for (var i = 0; i < 60; i++)
        {
            Assert.Equal([1L, 2L], (await repositories.Events.ReadClientAsync(new ClientId($"c{i:00}")).ToListAsync()).Select(e => e.Sequence));
        }
    }

    [SkippableFact]
    public async Task Writer_LosingAVersionRace_GetsAConcurrencyConflict()
    {
        Skip.IfNot(database.Available, database.SkipReason);
        IFunnelEventStore? other = null;
        var c = new ClientId("c1");
        var hook = new RaceHook(WritersInterleave, () => other!.AppendAsync(c, 1, [Activity("c1", 2, "theirs")]));
        var factory = await database.CreateStoreAsync(hook);
        var mine = Stores.Events(factory);
        other = Stores.Events(factory);
        await other.AppendAsync(c, 0, [Activity("c1", 1, "first")]);

        hook.Armed = true;
        var ex = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => mine.AppendAsync(c, 1, [Activity("c1", 2, "mine-2"), Activity("c1", 3, "mine-3")]));

        Assert.True(hook.Fired);
        Assert.Equal((1L, 2L), (ex.ExpectedVersion, ex.ActualVersion));
        Assert.Equal(["first", "theirs"], (await mine.ReadClientAsync(c).ToListAsync()).Select(e => e.Id.Value));
        Assert.Null(await mine.FindAsync(new ClientEventId("mine-2")));
    }

    [SkippableFact]
    public async Task Writer_LosingTheRaceToStartAStream_GetsAConcurrencyConflict_AndTheWinnersStateRowStays()
    {
        Skip.IfNot(database.Available, database.SkipReason);
        IFunnelEventStore? other = null;
        var c = new ClientId("c1");
        var hook = new RaceHook(WritersInterleave, () => other!.AppendAsync(c, 0, [Activity("c1", 1, "theirs")]));
        var factory = await database.CreateStoreAsync(hook);
        var mine = Stores.Events(factory);
        other = Stores.Events(factory);

        // Where writers interleave, both find no state row; the other inserts it first and the primary key refuses mine.
        hook.Armed = true;
        var ex = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => mine.AppendAsync(c, 0, [Activity("c1", 1, "mine-1"), Activity("c1", 2, "mine-2")]));

        Assert.True(hook.Fired);
        Assert.Equal((0L, 1L), (ex.ExpectedVersion, ex.ActualVersion));
        Assert.Equal(["theirs"], (await mine.ReadClientAsync(c).ToListAsync()).Select(e => e.Id.Value));
        var state = await mine.ReadStateAsync(c);
        Assert.Equal(ClientState.Before(Activity("c1", 1, "theirs")).Apply(Activity("c1", 1, "theirs")), state);
        Assert.Null(await mine.FindAsync(new ClientEventId("mine-1")));
    }

    [SkippableFact]
    public async Task Writer_LosingAnIdRace_GetsAnEventIdConflict()
    {
        Skip.IfNot(database.Available, database.SkipReason);
        IFunnelEventStore? other = null;
        var hook = new RaceHook(WritersInterleave, () => other!.AppendAsync(new ClientId("c2"), 0, [Activity("c2", 1, "shared")]));
        var factory = await database.CreateStoreAsync(hook);
        var mine = Stores.Events(factory);
        other = Stores.Events(factory);

        hook.Armed = true;
        var ex = await Assert.ThrowsAsync<EventIdConflictException>(() => mine.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 1, "mine"), Activity("c1", 2, "shared")]));

        Assert.True(hook.Fired);
        Assert.Equal(new ClientEventId("shared"), ex.EventId);
        Assert.Equal(new ClientId("c1"), ex.ClientId);
        Assert.Equal(Activity("c2", 1, "shared"), ex.Existing);
        Assert.Empty(await mine.ReadClientAsync(new ClientId("c1")).ToListAsync());
    }

    /// <summary>Runs an action on chosen commands, counting them.</summary>
    private sealed class CommandHook(Func<DbCommand, bool> selects, Func<int, Func<DbCommand, Task>?> action) : DbCommandInterceptor
    {
        public int Count { get; set; }

        public bool Enabled { get; set; } = true;

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            await OnCommandAsync(command);
            return result;
        }

        public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            await OnCommandAsync(command);
            return result;
        }

        private async Task OnCommandAsync(DbCommand command)
        {
            if (Enabled && selects(command))
            {
                Count++;
                if (action(Count) is { } act)
                {
                    await act(command);
                }
            }
        }
    }

    /// <summary>
    /// Lets another writer commit in the middle of an append: before the first write (the state row's insert or
    /// update) where writers interleave (the version was already checked), else before the transaction begins (the
    /// caller's version is already stale). Not later: from its state row's write on, the writer holds row locks the
    /// other would wait for.
    /// </summary>
    private sealed class RaceHook(bool beforeInsert, Func<Task> otherWriter) : DbCommandInterceptor, IDbTransactionInterceptor
    {
        public bool Armed { get; set; }

        public bool Fired { get; private set; }

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (beforeInsert && IsWrite(command))
            {
                await FireAsync();
            }

            return result;
        }

        public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (beforeInsert && IsWrite(command))
            {
                await FireAsync();
            }

            return result;
        }

        public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
        {
            if (!beforeInsert)
            {
                await FireAsync();
            }

            return result;
        }

        private static bool IsWrite(DbCommand command) =>
            command.CommandText.Contains("INSERT", StringComparison.OrdinalIgnoreCase) || command.CommandText.Contains("UPDATE", StringComparison.OrdinalIgnoreCase);

        private async Task FireAsync()
        {
            if (!Armed)
            {
                return;
            }

            // Disarmed first: the other writer's own commands pass through this hook too.
            Armed = false;
            await otherWriter();
            Fired = true;
        }
    }
}

public sealed class SqliteFaultTests(SqliteDatabase database) : FaultTests(database), IClassFixture<SqliteDatabase>
{
    protected override bool WritersInterleave => false;
}

public sealed class PostgresFaultTests(PostgresDatabase database) : FaultTests(database), IClassFixture<PostgresDatabase>
{
    protected override bool WritersInterleave => true;
}
