using FunnelMetrics.Storage;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Storage;

/// <summary>The in-memory store's bulk paths: each part as the single call would store or refuse it, in one pass.</summary>
public sealed class InMemoryBulkWriteTests
{
    private static StageTransition Entered(string client, string id, double hours = 0) =>
        new(new ClientEventId(id), new ClientId(client), SalesId, 1, TransitionKind.Entered, null, DecisionMaker, T0.AddHours(hours), T0.AddHours(hours), Anna);

    private static ClientActivity Touch(string client, long sequence, string id, double hours) =>
        new(new ClientEventId(id), new ClientId(client), SalesId, sequence, T0.AddHours(hours), T0.AddHours(hours), Anna);

    [Fact]
    public async Task AppendMany_StoresEachPartWhole_OrRefusesItWhole_WithTheSingleCallsException()
    {
        var store = new InMemoryFunnelStore();
        await store.Events.AppendAsync(new ClientId("moved"), 0, [Entered("moved", "m1")]);
        await store.Events.AppendAsync(new ClientId("late"), 0, [Entered("late", "l1", hours: 5)]);
        await store.Events.AppendAsync(new ClientId("owner"), 0, [Entered("owner", "taken")]);
        var head = await store.Feed.ReadHeadAsync();
        var lost = new StageTransition(new ClientEventId("x1"), new ClientId("never"), SalesId, 1, TransitionKind.Lost, DecisionMaker, null, T0, T0, Anna);
        StreamAppend[] parts =
        [
            new(new ClientId("a"), 0, [Entered("a", "a1"), Touch("a", 2, "a2", 1)]),
            new(new ClientId("moved"), 0, [Entered("moved", "m-again")]),
            new(new ClientId("b"), 0, [Entered("b", "b1"), Touch("b", 2, "taken", 1)]),
            new(new ClientId("never"), 0, [lost]),
            new(new ClientId("late"), 1, [Touch("late", 2, "l2", 1)]),
            new(new ClientId("c"), 0, [Entered("c", "c1")]),
        ];

        var results = await store.Events.AppendManyAsync(parts);

        Assert.Equal([true, false, false, false, false, true], results.Select(r => r.Succeeded));
        Assert.IsType<ConcurrencyConflictException>(results[1].Error);
        Assert.Equal(new ClientEventId("taken"), Assert.IsType<EventIdConflictException>(results[2].Error).EventId);
        Assert.IsType<FunnelHistoryException>(results[3].Error);
        Assert.IsType<ArgumentException>(results[4].Error);
        Assert.Equal([2L, 1L], results.Where(r => r.Succeeded).Select(r => r.NewVersion!.Value));
        Assert.Empty(await store.Events.ReadClientAsync(new ClientId("b")).ToListAsync());
        Assert.Null(await store.Events.FindAsync(new ClientEventId("b1")));
        Assert.Null(await store.Events.ReadStateAsync(new ClientId("never")));
        Assert.Single(await store.Events.ReadClientAsync(new ClientId("moved")).ToListAsync());

        // The stored parts are on the feed with consecutive positions, in the order given.
        var feed = await store.Feed.ReadChangesAsync(new ChangeFeedQuery { After = head }).ToListAsync();
        Assert.Equal([head + 1, head + 2, head + 3], feed.Select(c => c.Position));
        Assert.Equal(["a1", "a2", "c1"], feed.Select(c => c.Event!.Id.Value));
        foreach (var client in new[] { "a", "c" })
        {
            var id = new ClientId(client);
            Assert.Equal(ClientState.Replay(NewClient(client), await store.Events.ReadClientAsync(id).ToListAsync()), await store.Events.ReadStateAsync(id));
        }
    }

    [Fact]
    public async Task AppendMany_FromManyThreadsAtOnce_StoresEachStreamOnce()
    {
        var store = new InMemoryFunnelStore();
        var parts = Enumerable.Range(0, 200).Select(i => new StreamAppend(new ClientId($"c{i:000}"), 0, [Entered($"c{i:000}", $"e{i}")])).ToArray();

        var all = await Task.WhenAll(Enumerable.Range(0, 4).Select(k => Task.Run(() => store.Events.AppendManyAsync(k % 2 == 0 ? parts : [.. parts.Reverse()]))));

        Assert.Equal(200, all.Sum(r => r.Count(p => p.Succeeded)));
        Assert.Equal(200, store.Events.Count);
        Assert.All(all.SelectMany(r => r).Where(p => !p.Succeeded), p => Assert.IsType<ConcurrencyConflictException>(p.Error));
        var feed = await store.Feed.ReadChangesAsync(ChangeFeedQuery.All).ToListAsync();
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), feed.Select(c => c.Position));
    }

    [Fact]
    public async Task AppendMany_RaisesChangedOnce_OutsideTheStreamsLocks()
    {
        var store = new InMemoryFunnelStore();
        var raised = 0;
        store.Events.Changed += () =>
        {
            // A handler that writes to a client of the bulk write must not wait on the write's own locks.
            if (Interlocked.Increment(ref raised) == 1)
            {
                var other = Task.Run(() => store.Events.AppendAsync(new ClientId("a"), 1, [Touch("a", 2, "a2", 1)]));
                Assert.True(other.Wait(TimeSpan.FromSeconds(10)), "The handler's append waited on the bulk write's locks.");
            }
        };

        var results = await store.Events.AppendManyAsync([new StreamAppend(new ClientId("a"), 0, [Entered("a", "a1")]), new StreamAppend(new ClientId("b"), 0, [Entered("b", "b1")])]);

        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.Equal(2, raised);
        Assert.Equal(2, (await store.Events.ReadStateAsync(new ClientId("a")))!.Version);
    }

    [Fact]
    public async Task Append_RaisesChanged_OutsideTheStreamsLock()
    {
        var store = new InMemoryFunnelStore();
        var raised = 0;
        store.Events.Changed += () =>
        {
            // A handler that writes to the client just appended to must not wait on that append's lock.
            if (Interlocked.Increment(ref raised) == 1)
            {
                var other = Task.Run(() => store.Events.AppendAsync(new ClientId("a"), 1, [Touch("a", 2, "a2", 1)]));
                Assert.True(other.Wait(TimeSpan.FromSeconds(10)), "The handler's append waited on the append's lock.");
            }
        };

        await store.Events.AppendAsync(new ClientId("a"), 0, [Entered("a", "a1")]);

        Assert.Equal(2, raised);
        Assert.Equal(2, (await store.Events.ReadStateAsync(new ClientId("a")))!.Version);
    }

    [Fact]
    public async Task AddMany_RaisesChanged_WithEachClientAlreadyOnTheFeed()
    {
        var store = new InMemoryFunnelStore();
        var seen = new List<(string Client, bool OnFeed)>();
        store.Events.Changed += () =>
        {
            foreach (var id in new[] { "n1", "n2" })
            {
                if (store.Clients.GetAsync(new ClientId(id)).AsTask().Result is not null)
                {
                    var feed = store.Feed.ReadChangesAsync(ChangeFeedQuery.All).ToListAsync().AsTask().Result;
                    seen.Add((id, feed.Exists(c => c.Client?.Id == new ClientId(id))));
                }
            }
        };

        await store.Clients.AddManyAsync([NewClient("n1"), NewClient("n2")]);

        Assert.NotEmpty(seen);
        Assert.All(seen, s => Assert.True(s.OnFeed, $"Client {s.Client} was readable before its feed position."));
        Assert.Equal([1L, 2L], (await store.Feed.ReadChangesAsync(ChangeFeedQuery.All).ToListAsync()).Select(c => c.Position));
    }

    [Fact]
    public async Task AddMany_AddsTheNew_LeavesTheEqual_AndReportsTheDifferent()
    {
        var store = new InMemoryFunnelStore();
        await store.Clients.AddAsync(NewClient("same"));
        await store.Clients.AddAsync(NewClient("other"));

        var results = await store.Clients.AddManyAsync([NewClient("new"), NewClient("same"), NewClient("other", owner: Boris), NewClient("new2")]);

        Assert.Equal([true, false, false, true], results.Select(r => r.Added));
        Assert.Equal([false, false, true, false], results.Select(r => r.Conflict is not null));
        Assert.Equal(Anna, (await store.Clients.GetAsync(new ClientId("other")))!.Owner);
        Assert.Equal(["same", "other", "new", "new2"], (await store.Feed.ReadChangesAsync(ChangeFeedQuery.All).ToListAsync()).Select(c => c.Client!.Id.Value));
        Assert.Equal(["new", "new2", "other", "same"], (await store.Clients.ListAsync(SalesId).ToListAsync()).Select(c => c.Id.Value));
        Assert.Throws<ArgumentException>(() => store.Clients.AddManyAsync([NewClient("x"), NewClient("x")]).GetAwaiter().GetResult());
    }
}
