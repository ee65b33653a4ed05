using FunnelMetrics.Storage;
using Xunit;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Testing;

/// <summary>The latest state, client updates and the bulk writes.</summary>
public abstract partial class RepositoryContractTests
{
    private static StageTransition Move(string client, long sequence, TransitionKind kind, StageId? from, StageId? to, DateTimeOffset at, string? id = null, OwnerId? owner = null) =>
        new(new ClientEventId(id ?? $"{client}-{sequence}"), new ClientId(client), SalesId, sequence, kind, from, to, at, at, owner ?? Anna);

    /// <summary>The fold of the stored stream, from <see cref="ClientState.Before"/> its first event: what the latest state must equal.</summary>
    private static async Task<ClientState?> FoldAsync(IFunnelEventStore store, ClientId clientId)
    {
        ClientState? state = null;
        await foreach (var e in store.ReadClientAsync(clientId).ConfigureAwait(false))
        {
            state = (state ?? ClientState.Before(e)).Apply(e);
        }

        return state;
    }

    private static async Task AssertStateIsTheFoldAsync(IFunnelEventStore store, params string[] clients)
    {
        foreach (var client in clients)
        {
            var id = new ClientId(client);
            Assert.Equal(await FoldAsync(store, id), await store.ReadStateAsync(id));
        }
    }

    /// <summary>
    /// The latest state always equals the fold of the stream: after appends of every kind, and after batches the store
    /// refuses whole (a version conflict, an id conflict, a move the funnel's rules forbid) or that are cancelled, none
    /// of which leaves a trace in the stream, the state or the feed.
    /// </summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task LatestState_IsAlwaysTheFoldOfTheStream_AlsoAfterARefusedOrCancelledBatch()
    {
        var repos = await CreateRepositoriesAsync();
        var store = repos.Events;
        var c = new ClientId("c1");
        Assert.Null(await store.ReadStateAsync(c));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.ReadStateAsync(default));

        await store.AppendAsync(c, 0, [Move("c1", 1, TransitionKind.Entered, null, DecisionMaker, T0), Activity("c1", 2, T0.AddHours(1))]);
        await store.AppendAsync(new ClientId("c2"), 0, [Move("c2", 1, TransitionKind.Entered, null, Interest, T0, "taken")]);
        await AssertStateIsTheFoldAsync(store, "c1", "c2");
        var state = await store.ReadStateAsync(c);
        Assert.Equal(new ClientState(c, SalesId, Anna, ClientStatus.Open, DecisionMaker, T0, T0.AddHours(1), T0.AddHours(1), 2), state);
        var feedBefore = repos.Feed is { } f ? await ReadFeedAsync(f) : null;

        // Refused whole, for each reason a store refuses a batch.
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.AppendAsync(c, 1, [Activity("c1", 2, T0.AddHours(2), "stale")]));
        await Assert.ThrowsAsync<EventIdConflictException>(() => store.AppendAsync(c, 2, [Move("c1", 3, TransitionKind.Advanced, DecisionMaker, Interest, T0.AddHours(2), "fresh"), Activity("c1", 4, T0.AddHours(3), "taken")]));
        var history = await Assert.ThrowsAsync<FunnelHistoryException>(() => store.AppendAsync(c, 2, [Move("c1", 3, TransitionKind.Advanced, DecisionMaker, Interest, T0.AddHours(2), "ok-part"), Move("c1", 4, TransitionKind.Advanced, Meeting, Offer, T0.AddHours(3), "from-elsewhere")]));
        Assert.Equal(c, history.ClientId);
        await Assert.ThrowsAsync<FunnelHistoryException>(() => store.AppendAsync(new ClientId("c3"), 0, [Move("c3", 1, TransitionKind.Advanced, Interest, Meeting, T0)]));
        using (var cts = new CancellationTokenSource())
        {
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.AppendAsync(c, 2, [Activity("c1", 3, T0.AddHours(2), "cancelled")], cts.Token));
        }

        Assert.Equal(state, await store.ReadStateAsync(c));
        await AssertStateIsTheFoldAsync(store, "c1", "c2", "c3");
        Assert.Null(await store.ReadStateAsync(new ClientId("c3")));
        foreach (var id in new[] { "stale", "fresh", "ok-part", "from-elsewhere", "cancelled", "c3-1" })
        {
            Assert.Null(await store.FindAsync(new ClientEventId(id)));
        }

        if (repos.Feed is { } feed)
        {
            Assert.Equal(feedBefore, await ReadFeedAsync(feed));
        }

        // The stream goes on from where it was, and the state with it, through every kind of event.
        await store.AppendAsync(c, 2, [Move("c1", 3, TransitionKind.Skipped, DecisionMaker, Meeting, T0.AddDays(1)), new OwnerReassignment(new ClientEventId("c1-4"), c, SalesId, 4, T0.AddDays(2), T0.AddDays(2), Boris, Anna)]);
        await store.AppendAsync(c, 4, [Move("c1", 5, TransitionKind.Lost, Meeting, null, T0.AddDays(3), owner: Boris)]);
        await AssertStateIsTheFoldAsync(store, "c1");
        Assert.Equal(new ClientState(c, SalesId, Boris, ClientStatus.Lost, Meeting, T0.AddDays(3), T0.AddDays(3), T0.AddDays(3), 5), await store.ReadStateAsync(c));
        await Assert.ThrowsAsync<FunnelHistoryException>(() => store.AppendAsync(c, 5, [Move("c1", 6, TransitionKind.Advanced, Meeting, Offer, T0.AddDays(4), owner: Boris)]));
        await store.AppendAsync(c, 5, [Move("c1", 6, TransitionKind.Reopened, Meeting, Meeting, T0.AddDays(4), owner: Boris)]);
        await AssertStateIsTheFoldAsync(store, "c1", "c2");
        Assert.Equal(ClientStatus.Open, (await store.ReadStateAsync(c))!.Status);
    }

    /// <summary>
    /// Client updates are events like the others: every field (a value set, a value made unknown, an expected close
    /// date set and cleared, attributes set and removed, a note) reads back equal through the stream, the lookup by id,
    /// the pipeline read and the feed; an update counts in the version but not as an action with the client.
    /// </summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task ClientUpdates_RoundTripThroughAppendReadAndFeed()
    {
        var repos = await CreateRepositoriesAsync();
        var store = repos.Events;
        var c = new ClientId("deal");
        await repos.Clients.AddAsync(NewClient("deal"));
        var at = T0.AddTicks(7654321);
        ClientEvent[] batch =
        [
            Move("deal", 1, TransitionKind.Entered, null, Offer, at),
            new ClientUpdate(new ClientEventId("u2"), c, SalesId, 2, at.AddHours(1), at.AddHours(1).AddTicks(3), Anna, setsValue: true, value: 12345678.0901m, setsExpectedCloseDate: true, expectedCloseDate: new DateOnly(2026, 6, 30), attributes: new Dictionary<string, string?> { ["region"] = "Nord", ["Region"] = "süd", ["empty"] = "" }, note: "Angebot erhöht — \"final\""),
            new ClientUpdate(new ClientEventId("u3"), c, SalesId, 3, at.AddHours(2), at.AddHours(2), Anna, setsValue: true, value: null, setsExpectedCloseDate: false, expectedCloseDate: null, attributes: null),
            new ClientUpdate(new ClientEventId("u4"), c, SalesId, 4, at.AddHours(3), at.AddHours(3), Anna, setsValue: false, value: null, setsExpectedCloseDate: true, expectedCloseDate: null, attributes: new Dictionary<string, string?> { ["source"] = null }),
            new ClientUpdate(new ClientEventId("u5"), c, SalesId, 5, at.AddHours(4), at.AddHours(4), Anna, setsValue: true, value: 0m, setsExpectedCloseDate: false, expectedCloseDate: null, attributes: null),
        ];

        Assert.Equal(5, await store.AppendAsync(c, 0, batch));

        var read = await ListAsync(store.ReadClientAsync(c));
        Assert.Equal(batch, read);
        Assert.Equal(batch.Select(e => e.GetType()), read.Select(e => e.GetType()));
        var u2 = Assert.IsType<ClientUpdate>(read[1]);
        Assert.Equal(12345678.0901m, u2.Value);
        Assert.Equal("süd", u2.Attributes["Region"]);
        var u4 = Assert.IsType<ClientUpdate>(read[3]);
        Assert.True(u4.Attributes.ContainsKey("source"));
        Assert.Null(u4.Attributes["source"]);
        Assert.True(u4.SetsExpectedCloseDate);
        Assert.Null(u4.ExpectedCloseDate);
        Assert.False(u4.SetsValue);
        Assert.Equal(0m, Assert.IsType<ClientUpdate>(read[4]).Value);
        foreach (var e in batch)
        {
            Assert.Equal(e, await store.FindAsync(e.Id));
        }

        Assert.Equal(batch, await ListAsync(store.ReadPipelineAsync(SalesId, PipelineEventQuery.All)));
        var state = await store.ReadStateAsync(c);
        Assert.Equal(await FoldAsync(store, c), state);
        Assert.Equal(5, state!.Version);
        Assert.Equal(at, state.LastTouchedAt);
        Assert.Equal(at.AddHours(4), state.LastEventAt);

        // The client as of the last update: the record with every update applied.
        var asOf = read.OfType<ClientUpdate>().Aggregate(NewClient("deal"), (client, u) => client.Apply(u));
        Assert.Equal(0m, asOf.Value);
        Assert.Null(asOf.ExpectedCloseDate);
        Assert.False(asOf.Attributes.ContainsKey("source"));
        Assert.Equal("Nord", asOf.Attributes["region"]);

        if (repos.Feed is { } feed)
        {
            var changes = await ReadFeedAsync(feed);
            Assert.Equal(NewClient("deal"), changes[0].Client);
            Assert.Equal(batch, changes.Skip(1).Select(ch => ch.Event));
            AssertStrictlyIncreasing(changes);
        }
    }

    /// <summary>
    /// A bulk append stores each part whole or not at all: a part at a stale version, a part with a stored id and a part
    /// the funnel's rules refuse are reported, in order, with nothing of them stored, while the other parts are stored,
    /// their states kept and their events fed once. Two parts for one client, or one id in two parts, refuse the whole
    /// call before anything is stored.
    /// </summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task AppendMany_IsAllOrNothingPerClient_WithResultsInOrder()
    {
        var repos = await CreateRepositoriesAsync();
        var store = repos.Events;
        await store.AppendAsync(new ClientId("moved"), 0, [Activity("moved", 1, T0)]);
        await store.AppendAsync(new ClientId("owner-of-taken"), 0, [Activity("owner-of-taken", 1, T0, "taken")]);
        var feedBefore = repos.Feed is { } f0 ? await ReadFeedAsync(f0) : [];

        StreamAppend[] parts =
        [
            new(new ClientId("new1"), 0, [Move("new1", 1, TransitionKind.Entered, null, Interest, T0), Activity("new1", 2, T0.AddHours(1))]),
            new(new ClientId("moved"), 0, [Activity("moved", 1, T0, "moved-stale")]),
            new(new ClientId("dup"), 0, [Activity("dup", 1, T0), Activity("dup", 2, T0, "taken")]),
            new(new ClientId("moved2"), 0, [Activity("moved2", 1, T0)]),
            new(new ClientId("rules"), 0, [Move("rules", 1, TransitionKind.Entered, null, Interest, T0), Move("rules", 2, TransitionKind.Won, Meeting, Contract, T0.AddHours(1))]),
            new(new ClientId("moved3"), 1, [Activity("moved3", 2, T0)]),
        ];

        var results = await store.AppendManyAsync(parts);

        Assert.Equal(parts.Length, results.Count);
        Assert.Equal(parts, results.Select(r => r.Append));
        Assert.Equal([true, false, false, true, false, false], results.Select(r => r.Succeeded));
        Assert.Equal(new long?[] { 2, null, null, 1, null, null }, results.Select(r => r.NewVersion));
        Assert.IsType<ConcurrencyConflictException>(results[1].Error);
        Assert.Equal(new ClientEventId("taken"), Assert.IsType<EventIdConflictException>(results[2].Error).EventId);
        Assert.IsType<FunnelHistoryException>(results[4].Error);
        Assert.IsType<ConcurrencyConflictException>(results[5].Error);

        Assert.Equal(parts[0].Events, await ListAsync(store.ReadClientAsync(new ClientId("new1"))));
        Assert.Equal(parts[3].Events, await ListAsync(store.ReadClientAsync(new ClientId("moved2"))));
        Assert.Equal([Activity("moved", 1, T0)], await ListAsync(store.ReadClientAsync(new ClientId("moved"))));
        Assert.Empty(await ListAsync(store.ReadClientAsync(new ClientId("dup"))));
        Assert.Empty(await ListAsync(store.ReadClientAsync(new ClientId("rules"))));
        Assert.Empty(await ListAsync(store.ReadClientAsync(new ClientId("moved3"))));
        Assert.Null(await store.FindAsync(new ClientEventId("dup-1")));
        Assert.Null(await store.FindAsync(new ClientEventId("moved-stale")));
        await AssertStateIsTheFoldAsync(store, "new1", "moved", "dup", "moved2", "rules", "moved3");
        if (repos.Feed is { } feed)
        {
            var added = await ReadFeedAsync(feed, feedBefore.Count > 0 ? feedBefore[^1].Position : 0);
            Assert.Equal(parts[0].Events.Concat(parts[3].Events).Select(e => e.Id.Value).Order(StringComparer.Ordinal), added.Select(ch => ch.Event!.Id.Value).Order(StringComparer.Ordinal));
            AssertStrictlyIncreasing(added, feedBefore[^1].Position);
        }

        // Malformed calls are refused whole, before anything is stored.
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AppendManyAsync([new StreamAppend(new ClientId("x"), 0, [Activity("x", 1, T0)]), new StreamAppend(new ClientId("x"), 1, [Activity("x", 2, T0)])]));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AppendManyAsync([new StreamAppend(new ClientId("y"), 0, [Activity("y", 1, T0, "same")]), new StreamAppend(new ClientId("z"), 0, [Activity("z", 1, T0, "same")])]));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AppendManyAsync([new StreamAppend(new ClientId("y"), 0, [Activity("y", 1, T0)]), null!]));
        await Assert.ThrowsAsync<ArgumentNullException>(() => store.AppendManyAsync(null!));
        foreach (var id in new[] { "x", "y", "z" })
        {
            Assert.Empty(await ListAsync(store.ReadClientAsync(new ClientId(id))));
            Assert.Null(await store.ReadStateAsync(new ClientId(id)));
        }

        Assert.Empty(await store.AppendManyAsync([]));

        // A retry of the same call: the stored parts are now at another version, and report it.
        var again = await store.AppendManyAsync(parts);
        Assert.All(again, r => Assert.False(r.Succeeded));
        Assert.IsType<ConcurrencyConflictException>(again[0].Error);
        Assert.Equal(parts[0].Events, await ListAsync(store.ReadClientAsync(new ClientId("new1"))));
    }

    /// <summary>
    /// A bulk add stores each new client, leaves an equal stored one as it is and reports a different one stored under
    /// the same id, in order; only the new clients reach the feed, once. Two clients with one id, or a null, refuse the
    /// whole call before anything is stored.
    /// </summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task AddMany_IsAllOrNothingPerClient_WithResultsInOrder()
    {
        var repos = await CreateRepositoriesAsync();
        await repos.Clients.AddAsync(NewClient("same"));
        await repos.Clients.AddAsync(NewClient("differs"));
        var feedBefore = repos.Feed is { } f0 ? await ReadFeedAsync(f0) : [];
        Client[] batch = [NewClient("n1"), NewClient("same"), NewClient("differs", owner: Boris), new Client(new ClientId("n2"), OtherId, Boris, T0, 5m)];

        var results = await repos.Clients.AddManyAsync(batch);

        Assert.Equal(batch, results.Select(r => r.Client));
        Assert.Equal([true, false, false, true], results.Select(r => r.Added));
        Assert.Equal([false, false, true, false], results.Select(r => r.Conflict is not null));
        Assert.Equal(NewClient("differs"), results[2].Conflict!.Existing);
        Assert.Equal(NewClient("differs"), await repos.Clients.GetAsync(new ClientId("differs")));
        Assert.Equal(batch[0], await repos.Clients.GetAsync(new ClientId("n1")));
        Assert.Equal(batch[3], await repos.Clients.GetAsync(new ClientId("n2")));
        if (repos.Feed is { } feed)
        {
            var added = await ReadFeedAsync(feed, feedBefore[^1].Position);
            Assert.Equal([batch[0], batch[3]], added.Select(ch => ch.Client));
            AssertStrictlyIncreasing(added, feedBefore[^1].Position);
        }

        await Assert.ThrowsAnyAsync<ArgumentException>(() => repos.Clients.AddManyAsync([NewClient("m1"), NewClient("m2"), NewClient("m1")]));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => repos.Clients.AddManyAsync([NewClient("m3"), null!]));
        Assert.Null(await repos.Clients.GetAsync(new ClientId("m1")));
        Assert.Null(await repos.Clients.GetAsync(new ClientId("m2")));
        Assert.Null(await repos.Clients.GetAsync(new ClientId("m3")));
        Assert.Empty(await repos.Clients.AddManyAsync([]));
        Assert.All(await repos.Clients.AddManyAsync(batch), r => Assert.False(r.Added));
    }
}
