using System.Data.Common;
using FunnelMetrics.Storage;
using Microsoft.EntityFrameworkCore.Diagnostics;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.EntityFrameworkCore.Tests;

/// <summary>
/// The bulk paths of the Entity Framework Core store (binary COPY on PostgreSQL, prepared commands on SQLite): each
/// part stored whole or refused whole with the single path's exception, and a chunk another writer got into first
/// redone part by part.
/// </summary>
public abstract class BulkWriteTests(ITestDatabase database)
{
    private static StageTransition Entered(string client, string id, double hours = 0) =>
        new(new ClientEventId(id), new ClientId(client), SalesId, 1, TransitionKind.Entered, null, DecisionMaker, T0.AddHours(hours), T0.AddHours(hours), Anna);

    private static ClientActivity Touch(string client, long sequence, string id, double hours) =>
        new(new ClientEventId(id), new ClientId(client), SalesId, sequence, T0.AddHours(hours), T0.AddHours(hours), Anna);

    private static ClientUpdate Update(string client, long sequence, string id, double hours) =>
        new(new ClientEventId(id), new ClientId(client), SalesId, sequence, T0.AddHours(hours), T0.AddHours(hours), Anna, true, 12.5m, true, new DateOnly(2026, 7, 1), new Dictionary<string, string?> { ["region"] = "north", ["gone"] = null });

    [SkippableFact]
    public async Task AppendMany_StoresEachPartWhole_OrRefusesItWhole_WithTheSingleCallsException()
    {
        Skip.IfNot(database.Available, database.SkipReason);
        var events = new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(await database.CreateStoreAsync());
        await events.AppendAsync(new ClientId("moved"), 0, [Entered("moved", "m1")]);
        await events.AppendAsync(new ClientId("late"), 0, [Entered("late", "l1", hours: 5)]);
        await events.AppendAsync(new ClientId("owner"), 0, [Entered("owner", "taken")]);
        await events.AppendAsync(new ClientId("on"), 0, [Entered("on", "o1")]);
        var head = await events.ReadHeadAsync();
        var lost = new StageTransition(new ClientEventId("x1"), new ClientId("never"), SalesId, 1, TransitionKind.Lost, DecisionMaker, null, T0, T0, Anna);
        StreamAppend[] parts =
        [
            new(new ClientId("a"), 0, [Entered("a", "a1"), Touch("a", 2, "a2", 1), Update("a", 3, "a3", 2)]),
            new(new ClientId("moved"), 0, [Entered("moved", "m-again")]),
            new(new ClientId("b"), 0, [Entered("b", "b1"), Touch("b", 2, "taken", 1)]),
            new(new ClientId("never"), 0, [lost]),
            new(new ClientId("late"), 1, [Touch("late", 2, "l2", 1)]),
            new(new ClientId("on"), 1, [Touch("on", 2, "o2", 1)]),
            new(new ClientId("c"), 0, [Entered("c", "c1")]),
        ];

        var results = await events.AppendManyAsync(parts);

        Assert.Equal([true, false, false, false, false, true, true], results.Select(r => r.Succeeded));
        Assert.Equal((0L, 1L), (Assert.IsType<ConcurrencyConflictException>(results[1].Error).ExpectedVersion, ((ConcurrencyConflictException)results[1].Error!).ActualVersion));
        var idConflict = Assert.IsType<EventIdConflictException>(results[2].Error);
        Assert.Equal((new ClientEventId("taken"), (ClientEvent?)Entered("owner", "taken")), (idConflict.EventId, idConflict.Existing));
        Assert.IsType<FunnelHistoryException>(results[3].Error);
        Assert.IsType<ArgumentException>(results[4].Error);
        Assert.Empty(await events.ReadClientAsync(new ClientId("b")).ToListAsync());
        Assert.Null(await events.FindAsync(new ClientEventId("b1")));
        Assert.Null(await events.ReadStateAsync(new ClientId("never")));
        Assert.Equal([Entered("a", "a1"), Touch("a", 2, "a2", 1), Update("a", 3, "a3", 2)], await events.ReadClientAsync(new ClientId("a")).ToListAsync());

        // The latest state is the fold of the stream, new rows and moved ones alike.
        foreach (var client in new[] { "a", "on", "c" })
        {
            var id = new ClientId(client);
            Assert.Equal(ClientState.Replay(NewClient(client), await events.ReadClientAsync(id).ToListAsync()), await events.ReadStateAsync(id));
        }

        // The stored parts are on the feed with consecutive positions, in the order given.
        var feed = await events.ReadChangesAsync(new ChangeFeedQuery { After = head }).ToListAsync();
        Assert.Equal(Enumerable.Range(1, 5).Select(i => head + i), feed.Select(c => c.Position));
        Assert.Equal(["a1", "a2", "a3", "o2", "c1"], feed.Select(c => c.Event!.Id.Value));
        Assert.Equal(head + 5, await events.ReadHeadAsync());
    }

    [SkippableFact]
    public async Task AppendMany_ThatAnotherWriterGetsIntoFirst_IsRedonePartByPart_StoringTheOthers()
    {
        Skip.IfNot(database.Available, database.SkipReason);
        EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>? other = null;
        var hook = new BeforeTransaction(() => other!.AppendAsync(new ClientId("c1"), 0, [Touch("c1", 1, "theirs", 0)]));
        var factory = await database.CreateStoreAsync(hook);
        var mine = new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(factory);
        other = new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(factory);
        await mine.AppendAsync(new ClientId("c3"), 0, [Entered("c3", "c3-1")]);
        var parts = new[] { "c0", "c1", "c2" }.Select(c => new StreamAppend(new ClientId(c), 0, [Entered(c, c + "-1"), Touch(c, 2, c + "-2", 1)])).Append(new StreamAppend(new ClientId("c3"), 1, [Touch("c3", 2, "c3-2", 1)])).ToArray();

        hook.Armed = true;
        var results = await mine.AppendManyAsync(parts);

        Assert.True(hook.Fired);
        Assert.Equal([true, false, true, true], results.Select(r => r.Succeeded));
        Assert.Equal((0L, 1L), (((ConcurrencyConflictException)results[1].Error!).ExpectedVersion, ((ConcurrencyConflictException)results[1].Error!).ActualVersion));
        Assert.Equal(["theirs"], (await mine.ReadClientAsync(new ClientId("c1")).ToListAsync()).Select(e => e.Id.Value));
        foreach (var client in new[] { "c0", "c2", "c3" })
        {
            var id = new ClientId(client);
            var stream = await mine.ReadClientAsync(id).ToListAsync();
            Assert.Equal(2, stream.Count);
            Assert.Equal(ClientState.Replay(NewClient(client), stream), await mine.ReadStateAsync(id));
        }

        var positions = (await mine.ReadChangesAsync(ChangeFeedQuery.All).ToListAsync()).Select(c => c.Position).ToList();
        Assert.Equal(Enumerable.Range(1, positions.Count).Select(i => (long)i), positions);
    }

    [SkippableFact]
    public async Task AppendMany_OntoAStreamAnotherWriterMovesOnFirst_IsRedonePartByPart_StoringTheOthers()
    {
        Skip.IfNot(database.Available, database.SkipReason);
        EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>? other = null;
        var hook = new BeforeTransaction(() => other!.AppendAsync(new ClientId("c1"), 1, [Touch("c1", 2, "theirs", 1)]));
        var factory = await database.CreateStoreAsync(hook);
        var mine = new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(factory);
        other = new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(factory);
        var clients = new[] { "c0", "c1", "c2" };
        foreach (var c in clients)
        {
            await mine.AppendAsync(new ClientId(c), 0, [Entered(c, c + "-1")]);
        }

        // Every state row exists: the bulk write updates them from version 1, and c1's has moved to 2 by then.
        hook.Armed = true;
        var results = await mine.AppendManyAsync([.. clients.Select(c => new StreamAppend(new ClientId(c), 1, [Touch(c, 2, c + "-2", 2)]))]);

        Assert.True(hook.Fired);
        Assert.Equal([true, false, true], results.Select(r => r.Succeeded));
        Assert.Equal((1L, 2L), (((ConcurrencyConflictException)results[1].Error!).ExpectedVersion, ((ConcurrencyConflictException)results[1].Error!).ActualVersion));
        Assert.Equal(["c1-1", "theirs"], (await mine.ReadClientAsync(new ClientId("c1")).ToListAsync()).Select(e => e.Id.Value));
        foreach (var client in clients)
        {
            var id = new ClientId(client);
            Assert.Equal(ClientState.Replay(NewClient(client), await mine.ReadClientAsync(id).ToListAsync()), await mine.ReadStateAsync(id));
        }

        var positions = (await mine.ReadChangesAsync(ChangeFeedQuery.All).ToListAsync()).Select(c => c.Position).ToList();
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), positions);
    }

    [SkippableFact]
    public async Task AppendMany_CancelledWhenItsTransactionBegins_StoresNothingOfTheChunk()
    {
        Skip.IfNot(database.Available, database.SkipReason);
        using var cancel = new CancellationTokenSource();
        var hook = new BeforeTransaction(() =>
        {
            cancel.Cancel();
            return Task.CompletedTask;
        });
        var events = new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(await database.CreateStoreAsync(hook));
        await events.AppendAsync(new ClientId("c0"), 0, [Entered("c0", "c0-1")]);
        var head = await events.ReadHeadAsync();
        var before = await events.ReadStateAsync(new ClientId("c0"));

        hook.Armed = true;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => events.AppendManyAsync([new StreamAppend(new ClientId("c0"), 1, [Touch("c0", 2, "c0-2", 1)]), new StreamAppend(new ClientId("c1"), 0, [Entered("c1", "c1-1")])], cancel.Token));

        Assert.True(hook.Fired);
        Assert.Equal(head, await events.ReadHeadAsync());
        Assert.Equal(before, await events.ReadStateAsync(new ClientId("c0")));
        Assert.Null(await events.ReadStateAsync(new ClientId("c1")));
        Assert.Null(await events.FindAsync(new ClientEventId("c0-2")));
        Assert.Equal(2, (await events.AppendManyAsync([new StreamAppend(new ClientId("c0"), 1, [Touch("c0", 2, "c0-2", 1)]), new StreamAppend(new ClientId("c1"), 0, [Entered("c1", "c1-1")])])).Count(r => r.Succeeded));
    }

    [SkippableFact]
    public async Task AddMany_AddsTheNew_LeavesTheEqual_AndReportsTheDifferent_AlsoWhenAnotherWriterGetsInFirst()
    {
        Skip.IfNot(database.Available, database.SkipReason);
        EntityFrameworkClientRepository<FunnelMetricsDbContext>? other = null;
        var racer = new Client(new ClientId("raced"), SalesId, Boris, T0);
        var hook = new BeforeTransaction(() => other!.AddAsync(racer));
        var factory = await database.CreateStoreAsync(hook);
        var clients = new EntityFrameworkClientRepository<FunnelMetricsDbContext>(factory);
        other = new EntityFrameworkClientRepository<FunnelMetricsDbContext>(factory);
        var events = new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(factory);
        await clients.AddAsync(NewClient("same"));
        await clients.AddAsync(NewClient("other"));
        var rich = new Client(new ClientId("rich"), SalesId, Anna, T0, 1234.5m, new Dictionary<string, string> { ["region"] = "north", ["source"] = "web" }, new DateOnly(2026, 9, 30));

        var first = await clients.AddManyAsync([NewClient("new"), NewClient("same"), NewClient("other", owner: Boris), rich]);
        hook.Armed = true;
        var raced = await clients.AddManyAsync([NewClient("new2"), NewClient("raced"), NewClient("new3")]);

        Assert.Equal([true, false, false, true], first.Select(r => r.Added));
        Assert.Equal([false, false, true, false], first.Select(r => r.Conflict is not null));
        Assert.True(hook.Fired);
        Assert.Equal([true, false, true], raced.Select(r => r.Added));
        Assert.Equal(racer, raced[1].Conflict!.Existing);
        Assert.Equal(rich, await clients.GetAsync(rich.Id));
        Assert.Equal(Anna, (await clients.GetAsync(new ClientId("other")))!.Owner);
        Assert.Equal(["new", "new2", "new3", "other", "raced", "rich", "same"], (await clients.ListAsync(SalesId).ToListAsync()).Select(c => c.Id.Value));
        Assert.Equal([rich, NewClient("same")], (await clients.GetManyAsync([rich.Id, new ClientId("same"), new ClientId("absent"), rich.Id]).ToListAsync()).OrderBy(c => c.Id));
        var feed = await events.ReadChangesAsync(ChangeFeedQuery.All).ToListAsync();
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), feed.Select(c => c.Position));
        Assert.Equal(["same", "other", "new", "rich"], feed.Take(4).Select(c => c.Client!.Id.Value));
    }

    [SkippableFact]
    public async Task AnImport_ThroughTheBulkPaths_RecordsAChangedValueOnce_AndStoresTheOthersOfAChunkWithAConflict()
    {
        var repositories = await Stores.CreateAsync(database);
        await repositories.Pipelines.AddAsync(Pipeline);
        var importer = new Import.FunnelImporter(repositories.Pipelines, repositories.Clients, repositories.Events, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(T0.AddDays(30)), Microsoft.Extensions.Options.Options.Create(new FunnelMetrics.Recording.RecordingOptions()));
        Import.ImportRecord Reached(string client, StageId stage, double hours, decimal? value = null) =>
            new(new ClientId(client), Import.ImportAction.ReachedStage, stage, T0.AddHours(hours), Anna) { Value = value, ExpectedCloseDate = new DateOnly(2026, 6, 30) };
        Import.ImportRecord[] first = [Reached("a", DecisionMaker, 0, 100m), Reached("a", Interest, 2), Reached("b", DecisionMaker, 0)];
        Assert.True((await importer.ImportAsync(SalesId, first)).Succeeded);

        var changed = await importer.ImportAsync(SalesId, [first[0], first[1] with { Value = 150m, Attributes = new Dictionary<string, string> { ["region"] = "north" } }, first[2]]);
        var again = await importer.ImportAsync(SalesId, [first[0], first[1] with { Value = 150m, Attributes = new Dictionary<string, string> { ["region"] = "north" } }, first[2]]);

        Assert.Equal((1, 1, 1L, 2), (changed.ClientsUpdated, changed.ClientsUnchanged, changed.EventsAppended, changed.Updates.Count));
        Assert.Equal((0, 2, 0L), (again.ClientsUpdated, again.ClientsUnchanged, again.EventsAppended));
        var update = Assert.IsType<ClientUpdate>((await repositories.Events.ReadClientAsync(new ClientId("a")).ToListAsync())[^1]);
        Assert.Equal((true, (decimal?)150m, "north", T0.AddHours(2)), (update.SetsValue, update.Value, update.Attributes["region"], update.OccurredAt));
        Assert.Equal(new DateOnly(2026, 6, 30), (await repositories.Clients.GetAsync(new ClientId("b")))!.ExpectedCloseDate);

        // Another writer stores something else for d before the import writes: c and e of the same chunk are stored.
        await repositories.Events.AppendAsync(new ClientId("d"), 0, [new ClientActivity(new ClientEventId("crm-1"), new ClientId("d"), SalesId, 1, T0, T0, Anna)]);
        var mixed = await importer.ImportAsync(SalesId, [Reached("c", DecisionMaker, 0), Reached("d", DecisionMaker, 0), Reached("e", DecisionMaker, 0)]);

        Assert.True(mixed.Interrupted);
        Assert.Equal(new ClientId("d"), Assert.Single(mixed.Problems).ClientId);
        Assert.Equal((2, 2L), (mixed.ClientsAdded, mixed.EventsAppended));
        Assert.Single(await repositories.Events.ReadClientAsync(new ClientId("c")).ToListAsync());
        Assert.Single(await repositories.Events.ReadClientAsync(new ClientId("e")).ToListAsync());
    }

    /// <summary>Runs another writer once, when the armed store begins its next transaction (after its reads, before its writes).</summary>
    private sealed class BeforeTransaction(Func<Task> otherWriter) : DbTransactionInterceptor
    {
        public bool Armed { get; set; }

        public bool Fired { get; private set; }

        public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
        {
            if (Armed)
            {
                Armed = false;
                Fired = true;
                await otherWriter();
            }

            return result;
        }
    }
}

public sealed class SqliteBulkWriteTests(SqliteDatabase database) : BulkWriteTests(database), IClassFixture<SqliteDatabase>;

public sealed class PostgresBulkWriteTests(PostgresDatabase database) : BulkWriteTests(database), IClassFixture<PostgresDatabase>;
