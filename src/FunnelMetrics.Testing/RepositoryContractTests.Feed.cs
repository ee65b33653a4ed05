using FunnelMetrics.Storage;
using Xunit;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Testing;

/// <summary>The change feed's contract: positions, resuming, what the feed carries, concurrency.</summary>
public abstract partial class RepositoryContractTests
{
    private static readonly PipelineId OtherId = new("other");

    /// <summary>The feed under test, or a skip that says why there is none.</summary>
    private static IFunnelChangeFeed FeedOf(RepositorySet repos)
    {
        Skip.If(repos.Feed is null, $"The store offers no change feed ({nameof(RepositorySet)}.{nameof(RepositorySet.Feed)} is null, and {repos.Events.GetType().Name} does not implement {nameof(IFunnelChangeFeed)}): the feed's contract does not apply.");
        return repos.Feed!;
    }

    private static Task<List<FunnelChange>> ReadFeedAsync(IFunnelChangeFeed feed, long after = 0, PipelineId? pipeline = null, int? limit = null) =>
        ListAsync(feed.ReadChangesAsync(new ChangeFeedQuery { After = after, PipelineId = pipeline, Limit = limit }));

    /// <summary>A change's identity, whatever its position: the client record or the event id.</summary>
    private static string KeyOf(FunnelChange change) => change.Client is { } c ? $"client:{c.Id}" : $"event:{change.Event!.Id}";

    /// <summary>Everything the store holds for the pipelines given, read through the repositories, not the feed.</summary>
    private static async Task<List<string>> StoredContentAsync(RepositorySet repos, params PipelineId[] pipelines)
    {
        var keys = new List<string>();
        foreach (var pipeline in pipelines)
        {
            foreach (var client in await ListAsync(repos.Clients.ListAsync(pipeline)))
            {
                keys.Add($"client:{client.Id}");
                keys.AddRange((await ListAsync(repos.Events.ReadClientAsync(client.Id))).Select(e => $"event:{e.Id}"));
            }
        }

        return [.. keys.Order(StringComparer.Ordinal)];
    }

    private static void AssertStrictlyIncreasing(IReadOnlyList<FunnelChange> changes, long after = 0)
    {
        var last = after;
        foreach (var change in changes)
        {
            Assert.True(change.Position > last, $"Position {change.Position} came after position {last}: a feed's positions strictly increase.");
            last = change.Position;
        }
    }

    /// <summary>
    /// A small store over two pipelines: clients added, events appended in batches, in an order unlike the events'
    /// instants. The feed holds each client record and each event once, in the order they were stored.
    /// </summary>
    private async Task<RepositorySet> TwoPipelinesAsync()
    {
        var repos = await CreateRepositoriesAsync();
        FeedOf(repos);
        await repos.Clients.AddAsync(NewClient("b", T0.AddDays(-3)));
        await repos.Events.AppendAsync(new ClientId("b"), 0, [Activity("b", 1, T0), Activity("b", 2, T0.AddHours(2))]);
        await repos.Clients.AddAsync(new Client(new ClientId("o"), OtherId, Boris, T0.AddDays(-9)));
        await repos.Clients.AddAsync(NewClient("a", T0.AddDays(-5)));
        await repos.Events.AppendAsync(new ClientId("o"), 0, [Activity("o", 1, T0.AddDays(-1), pipeline: OtherId)]);
        await repos.Events.AppendAsync(new ClientId("a"), 0, [Activity("a", 1, T0.AddDays(-2))]);
        await repos.Events.AppendAsync(new ClientId("b"), 2, [Activity("b", 3, T0.AddHours(3)), Activity("b", 4, T0.AddHours(4)), Activity("b", 5, T0.AddHours(5))]);
        await repos.Events.AppendAsync(new ClientId("o"), 1, [Activity("o", 2, T0, pipeline: OtherId)]);
        await repos.Events.AppendAsync(new ClientId("a"), 1, [Activity("a", 2, T0.AddDays(-1))]);
        return repos;
    }

    /// <summary>
    /// The feed reads every client record and every event once, in the order they were stored, with positions that
    /// strictly increase; the head is the last position, of the store or of one pipeline, 0 when empty.
    /// </summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Feed_ReadsEveryChangeOnce_InTheOrderStored()
    {
        var empty = await CreateRepositoriesAsync();
        var emptyFeed = FeedOf(empty);
        Assert.Equal(0, await emptyFeed.ReadHeadAsync());
        Assert.Empty(await ReadFeedAsync(emptyFeed));

        var repos = await TwoPipelinesAsync();
        var feed = repos.Feed!;
        var all = await ReadFeedAsync(feed);

        Assert.Equal(
            ["client:b", "event:b-1", "event:b-2", "client:o", "client:a", "event:o-1", "event:a-1", "event:b-3", "event:b-4", "event:b-5", "event:o-2", "event:a-2"],
            all.Select(KeyOf));
        AssertStrictlyIncreasing(all);
        Assert.Equal(await StoredContentAsync(repos, SalesId, OtherId), all.Select(KeyOf).Order(StringComparer.Ordinal));
        Assert.Equal(NewClient("b", T0.AddDays(-3)), all[0].Client);
        Assert.Equal(Activity("b", 4, T0.AddHours(4)), all[8].Event);
        Assert.Equal(all[^1].Position, await feed.ReadHeadAsync());
        Assert.Equal(all.Last(c => c.PipelineId == SalesId).Position, await feed.ReadHeadAsync(SalesId));
        Assert.Equal(all.Last(c => c.PipelineId == OtherId).Position, await feed.ReadHeadAsync(OtherId));
        Assert.Equal(0, await feed.ReadHeadAsync(new PipelineId("none")));
        Assert.Throws<ArgumentNullException>(() => feed.ReadChangesAsync(null!));
    }

    /// <summary>
    /// Reading after any position (0, each change's position, each position just below one, the head) returns exactly
    /// the later changes; pages of any size concatenate to the whole read.
    /// </summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Feed_ResumesAfterAnyPosition_AndPagesConcatenate()
    {
        var repos = await TwoPipelinesAsync();
        var feed = repos.Feed!;
        var all = await ReadFeedAsync(feed);

        var positions = all.Select(c => c.Position).SelectMany(p => new[] { p - 1, p }).Prepend(0).Distinct();
        foreach (var after in positions)
        {
            Assert.Equal(all.Where(c => c.Position > after), await ReadFeedAsync(feed, after));
            Assert.Equal(all.Where(c => c.Position > after && c.PipelineId == SalesId), await ReadFeedAsync(feed, after, SalesId));
        }

        Assert.Empty(await ReadFeedAsync(feed, all[^1].Position));
        Assert.Empty(await ReadFeedAsync(feed, all[^1].Position + 1000));
        foreach (var size in new[] { 1, 2, 5 })
        {
            var paged = new List<FunnelChange>();
            while (true)
            {
                var page = await ReadFeedAsync(feed, paged.Count > 0 ? paged[^1].Position : 0, limit: size);
                Assert.True(page.Count <= size);
                paged.AddRange(page);
                if (page.Count < size)
                {
                    break;
                }
            }

            Assert.Equal(all, paged);
        }
    }

    /// <summary>A feed restricted to a pipeline holds that pipeline's client records and events, and the pipelines' feeds make the whole.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Feed_OfOnePipeline_HoldsItsClientsAndEventsOnly()
    {
        var repos = await TwoPipelinesAsync();
        var feed = repos.Feed!;

        var sales = await ReadFeedAsync(feed, pipeline: SalesId);
        var other = await ReadFeedAsync(feed, pipeline: OtherId);

        Assert.Equal(["client:o", "event:o-1", "event:o-2"], other.Select(KeyOf));
        Assert.All(sales, c => Assert.Equal(SalesId, c.PipelineId));
        Assert.Equal(await StoredContentAsync(repos, SalesId), sales.Select(KeyOf).Order(StringComparer.Ordinal));
        Assert.Equal(await ReadFeedAsync(feed), sales.Concat(other).OrderBy(c => c.Position));
        Assert.Empty(await ReadFeedAsync(feed, pipeline: new PipelineId("none")));
        Assert.Equal(["event:o-2"], (await ReadFeedAsync(feed, other[1].Position, OtherId, limit: 5)).Select(KeyOf));
    }

    /// <summary>
    /// A reader at the head sees what comes next, whatever its instant: a backdated event (earlier than events already
    /// read, of another client), a new client's record and its events all come after the position read.
    /// </summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Feed_CarriesBackdatedEventsAndNewClients_AfterEverythingRead()
    {
        var repos = await CreateRepositoriesAsync();
        var feed = FeedOf(repos);
        await repos.Clients.AddAsync(NewClient("late"));
        await repos.Events.AppendAsync(new ClientId("late"), 0, [Activity("late", 1, T0.AddDays(10))]);
        var head = await feed.ReadHeadAsync();
        var read = await ReadFeedAsync(feed);
        Assert.Equal(head, read[^1].Position);

        await repos.Clients.AddAsync(NewClient("early", T0.AddDays(-30)));
        await repos.Events.AppendAsync(new ClientId("early"), 0, [Activity("early", 1, T0.AddDays(-20)), Activity("early", 2, T0.AddDays(-19))]);
        await repos.Events.AppendAsync(new ClientId("late"), 1, [Activity("late", 2, T0.AddDays(11))]);

        var next = await ReadFeedAsync(feed, head);
        Assert.Equal(["client:early", "event:early-1", "event:early-2", "event:late-2"], next.Select(KeyOf));
        AssertStrictlyIncreasing(next, head);
        Assert.Equal(next[^1].Position, await feed.ReadHeadAsync());

        // The pipeline's time-ordered read puts the backdated events before the cursor a reader had reached: only the
        // feed shows them to a reader that has passed their instant.
        var cursor = EventCursor.Of(Activity("late", 1, T0.AddDays(10)));
        Assert.Equal(["late-2"], (await ListAsync(repos.Events.ReadPipelineAsync(SalesId, new PipelineEventQuery { After = cursor }))).Select(e => e.Id.Value));
    }

    /// <summary>
    /// The hammer: eight writers add clients and append single events and batches, some racing on one client, while a
    /// follower reads the feed in small pages. The follower never sees a position at or below one it already read (no
    /// change becomes visible behind a reader), and once the writers are done and it reaches the head, what it saw is
    /// exactly what the store holds, nothing missed, nothing twice.
    /// </summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Feed_UnderEightConcurrentWriters_AFollowerNeverSkips_AndEndsWithTheStore()
    {
        var repos = await CreateRepositoriesAsync();
        var feed = FeedOf(repos);
        const int writers = 8, appendsPerWriter = 24;
        await repos.Clients.AddAsync(NewClient("hot"));
        using var done = new CancellationTokenSource();
        var seen = new List<FunnelChange>();
        var pages = 0;

        var follower = Task.Run(async () =>
        {
            var last = 0L;
            var writersDone = false;
            while (true)
            {
                // Decide before reading: a read that starts after the writers are done and comes back short is the end.
                writersDone = writersDone || done.IsCancellationRequested;
                var page = await ReadFeedAsync(feed, last, limit: 1 + (pages++ % 7));
                AssertStrictlyIncreasing(page, last);
                seen.AddRange(page);
                if (page.Count > 0)
                {
                    last = page[^1].Position;
                }
                else if (writersDone)
                {
                    return;
                }
                else
                {
                    await Task.Yield();
                }
            }
        });

        var conflicts = 0;
        var writing = Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var own = new ClientId($"w{w}");
            await repos.Clients.AddAsync(NewClient(own.Value, T0.AddDays(-w)));
            var version = 0L;
            for (var i = 0; i < appendsPerWriter; i++)
            {
                if (i % 8 == 7)
                {
                    // A new client now and then, with its first event backdated before everything stored.
                    var fresh = new ClientId($"w{w}-new{i}");
                    await repos.Clients.AddAsync(NewClient(fresh.Value, T0.AddDays(-100)));
                    await repos.Events.AppendAsync(fresh, 0, [Activity(fresh.Value, 1, T0.AddDays(-99))]);
                }

                var size = i % 3 == 2 ? 2 : 1;
                version = await repos.Events.AppendAsync(own, version, [.. Enumerable.Range(1, size).Select(k => Activity(own.Value, version + k, T0.AddMinutes(i)))]);

                // Every writer races on one client too.
                while (true)
                {
                    var hot = (long)(await ListAsync(repos.Events.ReadClientAsync(new ClientId("hot")))).Count;
                    try
                    {
                        await repos.Events.AppendAsync(new ClientId("hot"), hot, [Activity("hot", hot + 1, T0, $"hot-w{w}-{i}")]);
                        break;
                    }
                    catch (ConcurrencyConflictException)
                    {
                        Interlocked.Increment(ref conflicts);
                    }
                }
            }
        })));

        try
        {
            await writing;
        }
        finally
        {
            await done.CancelAsync();
        }

        await follower;

        var final = await ReadFeedAsync(feed);
        Assert.Equal(final, seen);
        var stored = await StoredContentAsync(repos, SalesId);
        Assert.Equal(stored, seen.Select(KeyOf).Order(StringComparer.Ordinal));
        Assert.Equal(seen.Count, seen.Select(KeyOf).Distinct().Count());
        Assert.Equal(1 + writers + (writers * (appendsPerWriter / 8) * 2) + (writers * (appendsPerWriter + (appendsPerWriter / 3))) + (writers * appendsPerWriter), seen.Count);
        Assert.Equal(final[^1].Position, await feed.ReadHeadAsync());
    }

    /// <summary>Feed reads honour cancellation like the other reads, and a cancelled write puts nothing on the feed.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Feed_Cancellation_ThrowsAndAddsNothing()
    {
        var repos = await CreateRepositoriesAsync();
        var feed = FeedOf(repos);
        await repos.Clients.AddAsync(NewClient("c1"));
        await repos.Events.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 1, T0)]);
        var before = await ReadFeedAsync(feed);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ListAsync(feed.ReadChangesAsync(ChangeFeedQuery.All, cts.Token)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await feed.ReadHeadAsync(null, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => repos.Events.AppendAsync(new ClientId("c1"), 1, [Activity("c1", 2, T0)], cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => repos.Clients.AddAsync(NewClient("c2"), cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => repos.Events.AppendManyAsync([new StreamAppend(new ClientId("c3"), 0, [Activity("c3", 1, T0)])], cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => repos.Clients.AddManyAsync([NewClient("c4")], cts.Token));

        Assert.Equal(before, await ReadFeedAsync(feed));
        Assert.Equal(before.Select(KeyOf).Order(StringComparer.Ordinal), await StoredContentAsync(repos, SalesId));
        using var ct = new CancellationTokenSource();
        var count = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in feed.ReadChangesAsync(ChangeFeedQuery.All, ct.Token))
            {
                if (++count == 1)
                {
                    await ct.CancelAsync();
                }
            }
        });
        Assert.Equal(1, count);
    }
}
