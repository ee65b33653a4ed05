using System.Data.Common;
using FunnelMetrics.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.EntityFrameworkCore.Tests;

/// <summary>
/// The change feed, the latest-state row and the client updates of the Entity Framework Core store, on each provider:
/// positions over client records and events, backdated events reached through the feed, the state row equal to the
/// fold of the stream after appends, refusals and cancellations, and streams stored before the state table existed.
/// </summary>
public abstract class FeedTests(ITestDatabase database)
{
    private static readonly PipelineId OtherId = new("other");

    private static ClientId C(string id) => new(id);

    private static StageTransition Enter(string client, long sequence, DateTimeOffset at, StageId stage, string? id = null) =>
        new(new ClientEventId(id ?? $"{client}-{sequence}"), C(client), SalesId, sequence, TransitionKind.Entered, null, stage, at, at, Anna);

    private static StageTransition Move(string client, long sequence, DateTimeOffset at, TransitionKind kind, StageId? from, StageId? to, OwnerId? owner = null, string? id = null) =>
        new(new ClientEventId(id ?? $"{client}-{sequence}"), C(client), SalesId, sequence, kind, from, to, at, at, owner ?? Anna, kind == TransitionKind.Lost ? "budget" : null);

    private static ClientActivity Touch(string client, long sequence, DateTimeOffset at, OwnerId? owner = null, string? id = null) =>
        new(new ClientEventId(id ?? $"{client}-{sequence}"), C(client), SalesId, sequence, at, at, owner ?? Anna, "called");

    private static ClientUpdate Update(string client, long sequence, DateTimeOffset at, OwnerId? owner = null) =>
        new(new ClientEventId($"{client}-{sequence}"), C(client), SalesId, sequence, at, at.AddTicks(7), owner ?? Anna,
            setsValue: true, value: 1234.5678m, setsExpectedCloseDate: true, expectedCloseDate: new DateOnly(2026, 6, 30),
            attributes: new Dictionary<string, string?> { ["source"] = null, ["Region"] = "Nord \u00d8st \"1\"", ["b"] = "x" }, note: "re-priced");

    private async Task<(IClientRepository Clients, EntityFrameworkFunnelEventStore<FunnelMetricsDbContext> Events, IDbContextFactory<FunnelMetricsDbContext> Factory)> CreateAsync(params IInterceptor[] interceptors)
    {
        Skip.IfNot(database.Available, database.SkipReason);
        var factory = await database.CreateStoreAsync(interceptors);
        return (new EntityFrameworkClientRepository<FunnelMetricsDbContext>(factory), new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(factory), factory);
    }

    private static async Task<ClientState?> FoldAsync(EntityFrameworkFunnelEventStore<FunnelMetricsDbContext> store, ClientId client)
    {
        ClientState? state = null;
        await foreach (var e in store.ReadClientAsync(client))
        {
            state = (state ?? ClientState.Before(e)).Apply(e);
        }

        return state;
    }

    [SkippableFact]
    public async Task Feed_CarriesClientRecordsAndEvents_InPositionOrder_BackdatedOnesAndNewClientsAfterWhatWasRead()
    {
        var (clients, store, _) = await CreateAsync();
        Assert.Equal(0, await store.ReadHeadAsync());
        Assert.Empty(await store.ReadChangesAsync(ChangeFeedQuery.All).ToListAsync());

        var c1 = new Client(C("c1"), SalesId, Anna, T0, 1000m, new Dictionary<string, string> { ["source"] = "web", ["tier"] = "gold" }, new DateOnly(2026, 5, 1));
        await clients.AddAsync(c1);
        ClientEvent[] first = [Enter("c1", 1, T0.AddDays(1), DecisionMaker), Move("c1", 2, T0.AddDays(2), TransitionKind.Advanced, DecisionMaker, Interest)];
        await store.AppendAsync(c1.Id, 0, first);

        // A follower reads up to here.
        var read = await store.ReadChangesAsync(ChangeFeedQuery.All).ToListAsync();
        Assert.Equal([1L, 2, 3], read.Select(c => c.Position));
        Assert.Equal(c1, read[0].Client);
        Assert.Equal(first, read.Skip(1).Select(c => c.Event));
        var seen = read[^1].Position;

        // A new client with a backdated event (before everything read, by instant), an update, and a client of another pipeline.
        var c2 = new Client(C("c2"), SalesId, Boris, T0.AddDays(-10));
        await clients.AddAsync(c2);
        var backdated = new StageTransition(new ClientEventId("c2-1"), c2.Id, SalesId, 1, TransitionKind.Entered, null, Interest, T0.AddDays(-9), T0.AddDays(3), Boris);
        await store.AppendAsync(c2.Id, 0, [backdated]);
        var update = Update("c1", 3, T0.AddDays(3));
        await store.AppendAsync(c1.Id, 2, [update]);
        var x1 = new Client(C("x1"), OtherId, Anna, T0);
        await clients.AddAsync(x1);

        var after = await store.ReadChangesAsync(new ChangeFeedQuery { After = seen }).ToListAsync();
        Assert.Equal([4L, 5, 6, 7], after.Select(c => c.Position));
        Assert.Equal(c2, after[0].Client);
        Assert.Equal(backdated, after[1].Event);
        Assert.Equal(update, after[2].Event);
        Assert.IsType<ClientUpdate>(after[2].Event);
        Assert.Equal(x1, after[3].Client);
        Assert.Equal(7, await store.ReadHeadAsync());

        // One pipeline: its rows only, with the gaps where the other pipeline's are; its head is its own last row.
        var sales = await store.ReadChangesAsync(new ChangeFeedQuery { PipelineId = SalesId }).ToListAsync();
        Assert.Equal([1L, 2, 3, 4, 5, 6], sales.Select(c => c.Position));
        Assert.Equal(6, await store.ReadHeadAsync(SalesId));
        Assert.Equal(7, await store.ReadHeadAsync(OtherId));
        Assert.Equal(0, await store.ReadHeadAsync(new PipelineId("none")));
        Assert.Equal([x1], (await store.ReadChangesAsync(new ChangeFeedQuery { PipelineId = OtherId, After = 3 }).ToListAsync()).Select(c => c.Client));

        // Paging from anywhere: pages of 2 from 0 read the same as one read.
        var all = await store.ReadChangesAsync(ChangeFeedQuery.All).ToListAsync();
        Assert.Equal(7, all.Count);
        for (var start = 0; start <= 7; start++)
        {
            var paged = new List<FunnelChange>();
            var position = (long)start;
            while (true)
            {
                var page = await store.ReadChangesAsync(new ChangeFeedQuery { After = position, Limit = 2 }).ToListAsync();
                Assert.True(page.Count <= 2);
                if (page.Count == 0)
                {
                    break;
                }

                paged.AddRange(page);
                position = page[^1].Position;
            }

            Assert.Equal(all.Skip(start), paged);
        }

        Assert.Empty(await store.ReadChangesAsync(new ChangeFeedQuery { After = 7 }).ToListAsync());
        Assert.Empty(await store.ReadChangesAsync(new ChangeFeedQuery { After = 100 }).ToListAsync());
    }

    [SkippableFact]
    public async Task ClientUpdates_AndExpectedCloseDates_RoundTripEveryField()
    {
        var (clients, store, _) = await CreateAsync();
        var c1 = new Client(C("c1"), SalesId, Anna, T0, 0.0001m, new Dictionary<string, string> { ["source"] = "web" }, new DateOnly(2026, 12, 31));
        var c2 = new Client(C("c2"), SalesId, Anna, T0);
        await clients.AddAsync(c1);
        await clients.AddAsync(c2);
        ClientEvent[] batch =
        [
            Enter("c1", 1, T0, DecisionMaker),
            Update("c1", 2, T0.AddHours(1)),
            new ClientUpdate(new ClientEventId("c1-3"), C("c1"), SalesId, 3, T0.AddHours(2), T0.AddHours(2), Anna, setsValue: true, value: null, setsExpectedCloseDate: false, expectedCloseDate: null, attributes: null),
            new ClientUpdate(new ClientEventId("c1-4"), C("c1"), SalesId, 4, T0.AddHours(3), T0.AddHours(3), Anna, setsValue: false, value: null, setsExpectedCloseDate: true, expectedCloseDate: null, attributes: null),
            new ClientUpdate(new ClientEventId("c1-5"), C("c1"), SalesId, 5, T0.AddHours(4), T0.AddHours(4), Anna, setsValue: false, value: null, setsExpectedCloseDate: false, expectedCloseDate: null, attributes: new Dictionary<string, string?> { ["gone"] = null }),
            new ClientUpdate(new ClientEventId("c1-6"), C("c1"), SalesId, 6, T0.AddHours(5), T0.AddHours(5), Anna, setsValue: true, value: 79228162514264337593543950335m / 1000000000000m, setsExpectedCloseDate: false, expectedCloseDate: null, attributes: null),
        ];

        await store.AppendAsync(c1.Id, 0, batch);

        var read = await store.ReadClientAsync(c1.Id).ToListAsync();
        Assert.Equal(batch, read);
        Assert.Equal(batch.Select(e => e.GetType()), read.Select(e => e.GetType()));
        var update = Assert.IsType<ClientUpdate>(read[1]);
        Assert.Equal(["Region", "b", "source"], update.Attributes.Keys.Order(StringComparer.Ordinal));
        Assert.Null(update.Attributes["source"]);
        Assert.Equal(batch[1], await store.FindAsync(batch[1].Id));
        Assert.Equal(batch, await store.ReadPipelineAsync(SalesId, PipelineEventQuery.All).ToListAsync());
        Assert.Equal(c1, await clients.GetAsync(c1.Id));
        Assert.Equal(new DateOnly(2026, 12, 31), (await clients.GetAsync(c1.Id))!.ExpectedCloseDate);
        Assert.Null((await clients.GetAsync(c2.Id))!.ExpectedCloseDate);
        Assert.Equal([c1, c2], await clients.ListAsync(SalesId).ToListAsync());
        Assert.Equal([c1, c2], (await store.ReadChangesAsync(ChangeFeedQuery.All).ToListAsync()).Where(c => c.Client is not null).Select(c => c.Client));
        Assert.Equal(batch, (await store.ReadChangesAsync(ChangeFeedQuery.All).ToListAsync()).Where(c => c.Event is not null).Select(c => c.Event));
    }

    [SkippableFact]
    public async Task StateRow_AfterEveryAppend_EqualsTheFoldOfTheStream()
    {
        var (_, store, _) = await CreateAsync();
        var c = C("c1");
        Assert.Null(await store.ReadStateAsync(c));
        ClientEvent[][] batches =
        [
            [Enter("c1", 1, T0, DecisionMaker)],
            [Touch("c1", 2, T0.AddHours(1)), Move("c1", 3, T0.AddHours(2), TransitionKind.Skipped, DecisionMaker, Meeting)],
            [new OwnerReassignment(new ClientEventId("c1-4"), c, SalesId, 4, T0.AddHours(3), T0.AddHours(3), Boris, Anna)],
            [Update("c1", 5, T0.AddHours(4), Boris)],
            [Move("c1", 6, T0.AddHours(5), TransitionKind.Lost, Meeting, null, Boris)],
            [Move("c1", 7, T0.AddHours(6), TransitionKind.Reopened, Meeting, Offer, Boris), Move("c1", 8, T0.AddHours(7), TransitionKind.Won, Offer, Contract, Boris)],
        ];

        long version = 0;
        foreach (var batch in batches)
        {
            version = await store.AppendAsync(c, version, batch);
            var state = await store.ReadStateAsync(c);
            Assert.Equal(await FoldAsync(store, c), state);
            Assert.Equal(version, state!.Version);
        }

        var last = (await store.ReadStateAsync(c))!;
        Assert.Equal((ClientStatus.Won, Contract, Boris), (last.Status, last.Stage, last.Owner));
        Assert.Equal(T0.AddHours(7), last.StageEnteredAt);
        Assert.Equal(T0.AddHours(7), last.LastEventAt);
        Assert.Null(await store.ReadStateAsync(C("nobody")));
    }

    [SkippableFact]
    public async Task RefusedBatches_LeaveTheStateRowTheStreamAndTheFeedAsTheyWere()
    {
        var (_, store, _) = await CreateAsync();
        var c = C("c1");
        await store.AppendAsync(c, 0, [Enter("c1", 1, T0, DecisionMaker), Move("c1", 2, T0.AddHours(1), TransitionKind.Advanced, DecisionMaker, Interest)]);
        await store.AppendAsync(C("c2"), 0, [Enter("c2", 1, T0, DecisionMaker, id: "taken")]);
        var before = await store.ReadStateAsync(c);
        var head = await store.ReadHeadAsync();

        // The fold refuses: a move from a stage the client is not in (the second event of the batch).
        var history = await Assert.ThrowsAsync<FunnelHistoryException>(() => store.AppendAsync(c, 2, [Touch("c1", 3, T0.AddHours(2)), Move("c1", 4, T0.AddHours(3), TransitionKind.Advanced, Meeting, Offer)]));
        Assert.Equal(FunnelRule.FromStageMismatch, history.Rule);

        // A new stream the fold refuses: a first event that is not an entry.
        await Assert.ThrowsAsync<FunnelHistoryException>(() => store.AppendAsync(C("c3"), 0, [Move("c3", 1, T0, TransitionKind.Advanced, DecisionMaker, Interest)]));

        // A stale version, a stored id, an event before the stream's last.
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.AppendAsync(c, 1, [Touch("c1", 2, T0.AddHours(2))]));
        await Assert.ThrowsAsync<EventIdConflictException>(() => store.AppendAsync(c, 2, [Touch("c1", 3, T0.AddHours(2)), Touch("c1", 4, T0.AddHours(2), id: "taken")]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(c, 2, [Touch("c1", 3, T0)]));

        Assert.Equal(before, await store.ReadStateAsync(c));
        Assert.Equal(await FoldAsync(store, c), await store.ReadStateAsync(c));
        Assert.Null(await store.ReadStateAsync(C("c3")));
        Assert.Empty(await store.ReadClientAsync(C("c3")).ToListAsync());
        Assert.Equal(2, (await store.ReadClientAsync(c).ToListAsync()).Count);
        Assert.Equal(head, await store.ReadHeadAsync());
        Assert.Equal(head, (await store.ReadChangesAsync(ChangeFeedQuery.All).ToListAsync()).Count);

        // The positions the refused batches did not take are the next append's: no gap.
        Assert.Equal(3, await store.AppendAsync(c, 2, [Touch("c1", 3, T0.AddHours(2))]));
        Assert.Equal(head + 1, await store.ReadHeadAsync());
        Assert.Equal(await FoldAsync(store, c), await store.ReadStateAsync(c));
    }

    [SkippableTheory]
    [InlineData("funnel_client_states")]
    [InlineData("funnel_feed")]
    [InlineData("funnel_events")]
    public async Task ACancelledBatch_AtAnyOfItsWrites_LeavesNothing(string cancelAt)
    {
        var canceller = new CancelOnCommand(cancelAt);
        var (_, store, _) = await CreateAsync(canceller);
        var c = C("c1");
        await store.AppendAsync(c, 0, [Enter("c1", 1, T0, DecisionMaker)]);
        var before = await store.ReadStateAsync(c);
        var head = await store.ReadHeadAsync();

        using var cts = new CancellationTokenSource();
        canceller.Arm(cts);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.AppendAsync(c, 1, [Touch("c1", 2, T0.AddHours(1)), Move("c1", 3, T0.AddHours(2), TransitionKind.Advanced, DecisionMaker, Interest)], cts.Token));
        Assert.True(canceller.Fired);

        Assert.Equal(before, await store.ReadStateAsync(c));
        Assert.Single(await store.ReadClientAsync(c).ToListAsync());
        Assert.Equal(head, await store.ReadHeadAsync());

        // A new stream cancelled the same way leaves no state row either.
        using var cts2 = new CancellationTokenSource();
        canceller.Arm(cts2);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.AppendAsync(C("c2"), 0, [Enter("c2", 1, T0, DecisionMaker)], cts2.Token));
        Assert.Null(await store.ReadStateAsync(C("c2")));
        Assert.Equal(head, await store.ReadHeadAsync());

        Assert.Equal(3, await store.AppendAsync(c, 1, [Touch("c1", 2, T0.AddHours(1)), Move("c1", 3, T0.AddHours(2), TransitionKind.Advanced, DecisionMaker, Interest)]));
        Assert.Equal(await FoldAsync(store, c), await store.ReadStateAsync(c));
        Assert.Equal(head + 2, await store.ReadHeadAsync());
    }

    [SkippableFact]
    public async Task AStreamWithoutAStateRow_AsAMigratedDatabaseHasIt_IsFoldedOnRead_AndGetsItsRowOnItsNextAppend()
    {
        var (_, store, factory) = await CreateAsync();
        var c = C("c1");
        await store.AppendAsync(c, 0, [Enter("c1", 1, T0, DecisionMaker), Touch("c1", 2, T0.AddHours(1))]);
        await store.AppendAsync(c, 2, [Move("c1", 3, T0.AddHours(2), TransitionKind.Advanced, DecisionMaker, Interest)]);
        var expected = await FoldAsync(store, c);
        Assert.Equal(1, await DeleteStateRowsAsync(factory));

        Assert.Equal(expected, await store.ReadStateAsync(c));
        Assert.Equal(0, await CountStateRowsAsync(factory));

        // The version is checked against the stream, and the fold of the stored stream guards the batch.
        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.AppendAsync(c, 2, [Touch("c1", 3, T0.AddHours(3))]));
        Assert.Equal((2L, 3L), (conflict.ExpectedVersion, conflict.ActualVersion));
        await Assert.ThrowsAsync<FunnelHistoryException>(() => store.AppendAsync(c, 3, [Move("c1", 4, T0.AddHours(3), TransitionKind.Advanced, DecisionMaker, Meeting)]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(c, 3, [Touch("c1", 4, T0)]));
        Assert.Equal(0, await CountStateRowsAsync(factory));

        Assert.Equal(4, await store.AppendAsync(c, 3, [Move("c1", 4, T0.AddHours(3), TransitionKind.Advanced, Interest, Meeting)]));
        Assert.Equal(1, await CountStateRowsAsync(factory));
        Assert.Equal(await FoldAsync(store, c), await store.ReadStateAsync(c));
        Assert.Equal(5, await store.AppendAsync(c, 4, [Touch("c1", 5, T0.AddHours(4))]));
        Assert.Equal(await FoldAsync(store, c), await store.ReadStateAsync(c));
    }

    [SkippableFact]
    public async Task EightWriters_AndAFollower_TheFollowerSeesEveryChangeOnce_InIncreasingPositions()
    {
        var (clients, store, _) = await CreateAsync();
        const int Writers = 8;
        const int PerWriter = 15;
        using var done = new CancellationTokenSource();
        var followed = new List<FunnelChange>();
        var follower = Task.Run(async () =>
        {
            long position = 0;
            while (true)
            {
                var finished = done.IsCancellationRequested;
                await foreach (var change in store.ReadChangesAsync(new ChangeFeedQuery { After = position, Limit = 7 }))
                {
                    Assert.True(change.Position > position, $"Position {change.Position} after {position}.");
                    position = change.Position;
                    followed.Add(change);
                }

                if (finished && position == await store.ReadHeadAsync())
                {
                    return;
                }
            }
        });

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                var id = $"w{w}-{i}";
                await clients.AddAsync(new Client(C(id), SalesId, Anna, T0));
                await store.AppendAsync(C(id), 0, [Enter(id, 1, T0.AddMinutes(-i), DecisionMaker), Touch(id, 2, T0.AddMinutes(-i))]);
            }
        })));
        await done.CancelAsync();
        await follower.WaitAsync(TimeSpan.FromMinutes(2));

        var final = await store.ReadChangesAsync(ChangeFeedQuery.All).ToListAsync();
        Assert.Equal(Writers * PerWriter * 3, final.Count);
        Assert.Equal(final, followed);
        Assert.Equal(Enumerable.Range(1, final.Count).Select(i => (long)i), final.Select(c => c.Position));
    }

    private static async Task<int> DeleteStateRowsAsync(IDbContextFactory<FunnelMetricsDbContext> factory)
    {
        await using var context = factory.CreateDbContext();
        return await context.Set<ClientStateRecord>().ExecuteDeleteAsync();
    }

    private static async Task<int> CountStateRowsAsync(IDbContextFactory<FunnelMetricsDbContext> factory)
    {
        await using var context = factory.CreateDbContext();
        return await context.Set<ClientStateRecord>().CountAsync();
    }

    /// <summary>Cancels the caller's token as a command naming <c>table</c> is about to run, when armed.</summary>
    private sealed class CancelOnCommand(string table) : DbCommandInterceptor
    {
        private CancellationTokenSource? _armed;

        public bool Fired { get; private set; }

        public void Arm(CancellationTokenSource cts)
        {
            _armed = cts;
            Fired = false;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Cancel(command, cancellationToken);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Cancel(command, cancellationToken);
            return ValueTask.FromResult(result);
        }

        private void Cancel(DbCommand command, CancellationToken cancellationToken)
        {
            var writes = command.CommandText.Contains("INSERT", StringComparison.OrdinalIgnoreCase) || command.CommandText.Contains("UPDATE", StringComparison.OrdinalIgnoreCase);
            if (_armed is { } cts && writes && command.CommandText.Contains(table, StringComparison.Ordinal))
            {
                _armed = null;
                Fired = true;
                cts.Cancel();
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }
}

public sealed class SqliteFeedTests(SqliteDatabase database) : FeedTests(database), IClassFixture<SqliteDatabase>;

public sealed class PostgresFeedTests(PostgresDatabase database) : FeedTests(database), IClassFixture<PostgresDatabase>;
