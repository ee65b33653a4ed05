using System.Collections.Concurrent;
using FunnelMetrics.Storage;
using Xunit;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Testing;

/// <summary>
/// The guarantees every storage implementation must give: the contracts of <see cref="IPipelineRepository"/>,
/// <see cref="IClientRepository"/>, <see cref="IFunnelEventStore"/> and, where the store offers one,
/// <see cref="IFunnelChangeFeed"/> (<see cref="RepositorySet.Feed"/>). Derive a class in your test project and
/// implement <see cref="CreateRepositoriesAsync"/> to run them against your store.
/// </summary>
/// <remarks>
/// Every test calls <see cref="CreateRepositoriesAsync"/> once and expects an empty store. The tests are
/// <see cref="SkippableFactAttribute"/>s: to skip them where your database is not available, call
/// <c>Skip.If(...)</c> (or <c>Skip.IfNot</c>) from <see cref="CreateRepositoriesAsync"/>. Override
/// <see cref="InitializeAsync"/> and <see cref="DisposeAsync"/> to set up and remove a database around each test.
/// </remarks>
public abstract partial class RepositoryContractTests : IAsyncLifetime
{
    /// <summary>Creates the repositories under test over a fresh, empty store.</summary>
    /// <returns>The repositories.</returns>
    protected abstract Task<RepositorySet> CreateRepositoriesAsync();

    /// <summary>Runs before each test; does nothing unless overridden.</summary>
    /// <returns>A task that completes when set up.</returns>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test; does nothing unless overridden.</summary>
    /// <returns>A task that completes when cleaned up.</returns>
    public virtual Task DisposeAsync() => Task.CompletedTask;

    private async Task<IFunnelEventStore> CreateEventStoreAsync() => (await CreateRepositoriesAsync().ConfigureAwait(false)).Events;

    private static ClientActivity Activity(string client, long sequence, DateTimeOffset at, string? id = null, PipelineId? pipeline = null) =>
        new(new ClientEventId(id ?? $"{client}-{sequence}"), new ClientId(client), pipeline ?? SalesId, sequence, at, at, Anna, $"call {sequence}");

    private static async Task<List<T>> ListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source.ConfigureAwait(false))
        {
            list.Add(item);
        }

        return list;
    }

    /// <summary>Appends extend the stream and are read back in sequence order with their content intact.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Append_ToANewStream_IsReadBackInSequenceOrder()
    {
        var store = await CreateEventStoreAsync();

        var v1 = await store.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 1, T0), Activity("c1", 2, T0)]);
        var v2 = await store.AppendAsync(new ClientId("c1"), 2, [Activity("c1", 3, T0.AddHours(1))]);

        Assert.Equal(2, v1);
        Assert.Equal(3, v2);
        var read = await ListAsync(store.ReadClientAsync(new ClientId("c1")));
        Assert.Equal([1L, 2, 3], read.Select(e => e.Sequence));
        Assert.Equal(Activity("c1", 3, T0.AddHours(1)), read[2]);
        Assert.Empty(await ListAsync(store.ReadClientAsync(new ClientId("nobody"))));
    }

    /// <summary>Every kind of event, with every optional field set or not, reads back equal, to the tick.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Append_OfEveryEventKind_RoundTripsEveryField()
    {
        var store = await CreateEventStoreAsync();
        var c = new ClientId("Kunde-Ø 1");
        var at = T0.AddTicks(1234567);
        ClientEvent[] batch =
        [
            new StageTransition(new ClientEventId("e1"), c, SalesId, 1, TransitionKind.Entered, null, DecisionMaker, at, at.AddTicks(1), Anna),
            new StageTransition(new ClientEventId("e2"), c, SalesId, 2, TransitionKind.Skipped, DecisionMaker, Meeting, at.AddDays(1), at.AddDays(2), Anna, note: "Вызов: meeting fixed \u2014 \"quoted\""),
            new ClientActivity(new ClientEventId("e3"), c, SalesId, 3, at.AddDays(1), at.AddDays(1), Anna),
            new OwnerReassignment(new ClientEventId("e4"), c, SalesId, 4, at.AddDays(3), at.AddDays(3), Boris, Anna, "handover"),
            new StageTransition(new ClientEventId("e5"), c, SalesId, 5, TransitionKind.Lost, Meeting, null, at.AddDays(4), at.AddDays(4), Boris, lostReason: "budget"),
            new StageTransition(new ClientEventId("e6"), c, SalesId, 6, TransitionKind.Reopened, Meeting, Meeting, at.AddDays(5), at.AddDays(5), Boris),
            new StageTransition(new ClientEventId("e7"), c, SalesId, 7, TransitionKind.Won, Meeting, Contract, at.AddDays(6), at.AddDays(6), Boris),
        ];

        await store.AppendAsync(c, 0, batch);

        var read = await ListAsync(store.ReadClientAsync(c));
        Assert.Equal(batch, read);
        Assert.Equal(batch.Select(e => e.GetType()), read.Select(e => e.GetType()));
        Assert.All(read, e => Assert.Equal(TimeSpan.Zero, e.OccurredAt.Offset));
        Assert.Equal(batch, await ListAsync(store.ReadPipelineAsync(SalesId, PipelineEventQuery.All)));
        foreach (var e in batch)
        {
            Assert.Equal(e, await store.FindAsync(e.Id));
        }
    }

    /// <summary>An append at a version the stream is no longer at throws with both versions and writes nothing.</summary>
    /// <param name="expected">The stale version.</param>
    /// <returns>The test.</returns>
    [SkippableTheory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task Append_AtAnotherVersion_ThrowsAndWritesNothing(long expected)
    {
        var store = await CreateEventStoreAsync();
        await store.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 1, T0)]);

        var ex = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.AppendAsync(new ClientId("c1"), expected, [Activity("c1", expected + 1, T0, "x")]));

        Assert.Equal(new ClientId("c1"), ex.ClientId);
        Assert.Equal(expected, ex.ExpectedVersion);
        Assert.Equal(1, ex.ActualVersion);
        Assert.Single(await ListAsync(store.ReadClientAsync(new ClientId("c1"))));
        Assert.Null(await store.FindAsync(new ClientEventId("x")));
    }

    /// <summary>A batch holding an id stored before (even for another client) is refused whole.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Append_OfABatchWithAStoredId_WritesNoneOfIt()
    {
        var store = await CreateEventStoreAsync();
        await store.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 1, T0, "taken")]);

        var ex = await Assert.ThrowsAsync<EventIdConflictException>(() =>
            store.AppendAsync(new ClientId("c2"), 0, [Activity("c2", 1, T0, "fresh-1"), Activity("c2", 2, T0, "taken"), Activity("c2", 3, T0, "fresh-3")]));

        Assert.Equal(new ClientEventId("taken"), ex.EventId);
        Assert.Equal(new ClientId("c2"), ex.ClientId);
        Assert.Empty(await ListAsync(store.ReadClientAsync(new ClientId("c2"))));
        Assert.Null(await store.FindAsync(new ClientEventId("fresh-1")));
        Assert.Equal(["taken"], (await ListAsync(store.ReadPipelineAsync(SalesId, PipelineEventQuery.All))).Select(e => e.Id.Value));
        Assert.Equal(2, await store.AppendAsync(new ClientId("c2"), 0, [Activity("c2", 1, T0, "fresh-1"), Activity("c2", 2, T0, "fresh-2")]));
    }

    /// <summary>
    /// A retry of a batch that was stored (the caller never saw the answer) is refused, changes nothing, and
    /// <see cref="IFunnelEventStore.FindAsync"/> returns the stored events so the caller can tell it was its own.
    /// </summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Append_RetriedAfterSuccess_IsRefusedAndTheOriginalIsFound()
    {
        var store = await CreateEventStoreAsync();
        var c = new ClientId("c1");
        ClientEvent[] batch = [Activity("c1", 1, T0, "req-1"), Activity("c1", 2, T0.AddMinutes(1), "req-2")];
        await store.AppendAsync(c, 0, batch);

        // The retry at the version the caller had read: the stream moved, so the version check answers first.
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.AppendAsync(c, 0, batch));

        // A retry that re-reads the version but reuses the ids: the ids are refused, with the stored event.
        var again = await Assert.ThrowsAsync<EventIdConflictException>(() => store.AppendAsync(c, 2, [Activity("c1", 3, T0.AddMinutes(2), "req-1")]));
        Assert.Equal(new ClientEventId("req-1"), again.EventId);
        Assert.Equal(batch[0], again.Existing);

        Assert.Equal(batch, await ListAsync(store.ReadClientAsync(c)));
        Assert.Equal(batch[1], await store.FindAsync(new ClientEventId("req-2")));
        Assert.Equal(3, await store.AppendAsync(c, 2, [Activity("c1", 3, T0.AddMinutes(2), "req-3")]));
    }

    /// <summary>Malformed batches are refused with <see cref="ArgumentException"/> before anything is written.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Append_OfAMalformedBatch_ThrowsArgumentException()
    {
        var store = await CreateEventStoreAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(new ClientId("c1"), 0, []));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(new ClientId("c1"), 0, [Activity("c2", 1, T0)]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 2, T0)]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 1, T0, "same"), Activity("c1", 2, T0, "same")]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 1, T0), Activity("c1", 2, T0, pipeline: new PipelineId("other"))]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 1, T0), Activity("c1", 2, T0.AddTicks(-1))]));
        Assert.Empty(await ListAsync(store.ReadClientAsync(new ClientId("c1"))));
        await store.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 1, T0)]);
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(new ClientId("c1"), 1, [Activity("c1", 2, T0.AddTicks(-1))]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(new ClientId("c1"), 1, [Activity("c1", 2, T0, pipeline: new PipelineId("other"))]));
        Assert.Single(await ListAsync(store.ReadClientAsync(new ClientId("c1"))));
    }

    /// <summary>Bad arguments to the reads throw when the method is called, not when enumerated.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Reads_WithBadArguments_ThrowWhenCalled()
    {
        var repos = await CreateRepositoriesAsync();

        Assert.Throws<ArgumentNullException>(() => repos.Events.ReadPipelineAsync(SalesId, null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => repos.Clients.ListAsync(SalesId, limit: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PipelineEventQuery { Limit = 0 });
    }

    /// <summary>An event is found by id whichever client it belongs to.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Find_ReturnsTheStoredEventById()
    {
        var store = await CreateEventStoreAsync();
        await store.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 1, T0, "a")]);
        await store.AppendAsync(new ClientId("c2"), 0, [Activity("c2", 1, T0, "b")]);

        Assert.Equal(Activity("c1", 1, T0, "a"), await store.FindAsync(new ClientEventId("a")));
        Assert.Equal(Activity("c2", 1, T0, "b"), await store.FindAsync(new ClientEventId("b")));
        Assert.Null(await store.FindAsync(new ClientEventId("A")));
        Assert.Null(await store.FindAsync(new ClientEventId("c")));
    }

    /// <summary>
    /// Many ids are looked up at once: exactly the stored ones are returned, once each, whichever client they belong
    /// to, compared ordinally, across more ids than one database round trip takes.
    /// </summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task FindMany_ReturnsExactlyTheStoredEventsAmongTheIds()
    {
        var store = await CreateEventStoreAsync();
        await store.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 1, T0, "a"), Activity("c1", 2, T0, "b")]);
        await store.AppendAsync(new ClientId("c2"), 0, [Activity("c2", 1, T0, "z")]);
        var ids = Enumerable.Range(0, 1200).Select(i => new ClientEventId($"missing-{i}")).Concat([new ClientEventId("a"), new ClientEventId("z"), new ClientEventId("A"), new ClientEventId("z")]).ToList();

        var found = await store.FindManyAsync(ids).ToListAsync();

        Assert.Equal(["a", "z"], found.Select(e => e.Id.Value).Order(StringComparer.Ordinal));
        Assert.Equal(Activity("c2", 1, T0, "z"), found.Single(e => e.Id == new ClientEventId("z")));
        Assert.Empty(await store.FindManyAsync([]).ToListAsync());
    }

    /// <summary>A pipeline read is ordered by instant, then client id, then sequence, within a half-open range.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task ReadPipeline_OrdersByInstantClientAndSequence_WithAHalfOpenRange()
    {
        var store = await CreateEventStoreAsync();
        await store.AppendAsync(new ClientId("b"), 0, [Activity("b", 1, T0), Activity("b", 2, T0.AddHours(2))]);
        await store.AppendAsync(new ClientId("a"), 0, [Activity("a", 1, T0), Activity("a", 2, T0), Activity("a", 3, T0.AddHours(1))]);
        await store.AppendAsync(new ClientId("z"), 0, [Activity("z", 1, T0, pipeline: new PipelineId("other"))]);

        var all = await ListAsync(store.ReadPipelineAsync(SalesId, PipelineEventQuery.All));
        var window = await ListAsync(store.ReadPipelineAsync(SalesId, new PipelineEventQuery { From = T0.AddHours(1), To = T0.AddHours(2) }));

        Assert.Equal(["a-1", "a-2", "b-1", "a-3", "b-2"], all.Select(e => e.Id.Value));
        Assert.Equal(["a-3"], window.Select(e => e.Id.Value));
        Assert.Empty(await ListAsync(store.ReadPipelineAsync(SalesId, new PipelineEventQuery { From = T0.AddHours(2), To = T0.AddHours(1) })));
        Assert.Empty(await ListAsync(store.ReadPipelineAsync(new PipelineId("none"), PipelineEventQuery.All)));
    }

    /// <summary>
    /// Client ids order ordinally (by code unit, case-sensitive), not by a culture's rules: a database must compare
    /// them with a binary collation. Instants order to the tick, and offsets other than UTC are normalised.
    /// </summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task ReadPipeline_OrdersClientIdsOrdinally_AndInstantsToTheTick()
    {
        var store = await CreateEventStoreAsync();
        string[] ids = ["b", "B", "a", "A", "a-b", "ab", "a b", "Z", "_", "é", "e"];
        foreach (var id in ids)
        {
            await store.AppendAsync(new ClientId(id), 0, [Activity(id, 1, T0)]);
        }

        await store.AppendAsync(new ClientId("late"), 0, [Activity("late", 1, T0.AddTicks(1)), Activity("late", 2, new DateTimeOffset(T0.AddTicks(2).DateTime.AddHours(2), TimeSpan.FromHours(2)))]);
        await store.AppendAsync(new ClientId("early"), 0, [Activity("early", 1, T0.AddTicks(-1))]);

        var read = await ListAsync(store.ReadPipelineAsync(SalesId, PipelineEventQuery.All));

        var expected = ids.Order(StringComparer.Ordinal).Select(id => $"{id}-1").Prepend("early-1").Append("late-1").Append("late-2");
        Assert.Equal(expected, read.Select(e => e.Id.Value));
        Assert.Equal(T0.AddTicks(2), read[^1].OccurredAt);
        var clients = await ListAsync(store.ReadPipelineAsync(SalesId, new PipelineEventQuery { After = new EventCursor(T0, new ClientId("_"), 1), To = T0.AddTicks(1) }));
        Assert.Equal(["a", "a b", "a-b", "ab", "b", "e", "é"], clients.Select(e => e.ClientId.Value));
    }

    /// <summary>Pages read with keyset cursors concatenate to the whole read, at any page size.</summary>
    /// <param name="pageSize">The page size.</param>
    /// <returns>The test.</returns>
    [SkippableTheory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(50)]
    public async Task ReadPipeline_PagedWithKeyset_ConcatenatesToTheWholeRead(int pageSize)
    {
        var store = await CreateEventStoreAsync();
        for (var c = 0; c < 6; c++)
        {
            var id = $"c{c}";
            var minutes = Enumerable.Range(1, 5).Select(s => ((c * 7) + (s * 3)) % 11).Order().ToArray();
            await store.AppendAsync(new ClientId(id), 0, [.. Enumerable.Range(1, 5).Select(s => Activity(id, s, T0.AddMinutes(minutes[s - 1])))]);
        }

        var query = new PipelineEventQuery { From = T0.AddMinutes(1), To = T0.AddMinutes(10) };
        var whole = await ListAsync(store.ReadPipelineAsync(SalesId, query));
        var paged = new List<ClientEvent>();
        while (true)
        {
            var page = await ListAsync(store.ReadPipelineAsync(SalesId, query with { After = paged.Count > 0 ? EventCursor.Of(paged[^1]) : null, Limit = pageSize }));
            Assert.True(page.Count <= pageSize);
            paged.AddRange(page);
            if (page.Count < pageSize)
            {
                break;
            }
        }

        Assert.NotEmpty(whole);
        Assert.Equal(whole, paged);
        Assert.All(whole.Zip(whole.Skip(1)), p => Assert.True(EventCursor.Of(p.First) < EventCursor.Of(p.Second)));
        Assert.All(whole, e => Assert.True(query.Matches(EventCursor.Of(e))));
    }

    /// <summary>An enumeration reads a snapshot: appends made while it runs are not seen by it.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Reads_AreSnapshots_ThatLaterAppendsDoNotDisturb()
    {
        var store = await CreateEventStoreAsync();
        var c = new ClientId("c1");
        await store.AppendAsync(c, 0, [Activity("c1", 1, T0), Activity("c1", 2, T0)]);

        var seenClient = new List<ClientEvent>();
        await foreach (var e in store.ReadClientAsync(c))
        {
            seenClient.Add(e);
            if (seenClient.Count == 1)
            {
                await store.AppendAsync(c, 2, [Activity("c1", 3, T0)]);
            }
        }

        var seenPipeline = new List<ClientEvent>();
        await foreach (var e in store.ReadPipelineAsync(SalesId, PipelineEventQuery.All))
        {
            seenPipeline.Add(e);
            if (seenPipeline.Count == 1)
            {
                await store.AppendAsync(c, 3, [Activity("c1", 4, T0)]);
            }
        }

        Assert.Equal(2, seenClient.Count);
        Assert.Equal(3, seenPipeline.Count);
        Assert.Equal(4, (await ListAsync(store.ReadClientAsync(c))).Count);
    }

    /// <summary>A call made with a cancelled token throws and writes nothing.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Cancellation_BeforeACall_ThrowsAndWritesNothing()
    {
        var repos = await CreateRepositoriesAsync();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => repos.Events.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 1, T0)], cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => repos.Pipelines.AddAsync(Pipeline, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => repos.Clients.AddAsync(NewClient("c1"), cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await repos.Events.FindAsync(new ClientEventId("x"), cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await repos.Pipelines.GetAsync(SalesId, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await repos.Clients.GetAsync(new ClientId("c1"), cts.Token));

        Assert.Empty(await ListAsync(repos.Events.ReadClientAsync(new ClientId("c1"))));
        Assert.Empty(await ListAsync(repos.Events.ReadPipelineAsync(SalesId, PipelineEventQuery.All)));
        Assert.Null(await repos.Pipelines.GetAsync(SalesId));
        Assert.Null(await repos.Clients.GetAsync(new ClientId("c1")));
        Assert.Equal(1, await repos.Events.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 1, T0)]));
    }

    /// <summary>Enumerating a non-empty read with a cancelled token throws.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Cancellation_BeforeAnEnumeration_Throws()
    {
        var repos = await CreateRepositoriesAsync();
        await repos.Pipelines.AddAsync(Pipeline);
        await repos.Clients.AddAsync(NewClient("c1"));
        await repos.Events.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 1, T0)]);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ListAsync(repos.Events.ReadClientAsync(new ClientId("c1"), cts.Token)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ListAsync(repos.Events.ReadPipelineAsync(SalesId, PipelineEventQuery.All, cts.Token)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ListAsync(repos.Clients.ListAsync(SalesId, cancellationToken: cts.Token)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ListAsync(repos.Pipelines.ListAsync(cts.Token)));
    }

    /// <summary>Cancelling while a pipeline read is enumerated stops it.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Cancellation_DuringAnEnumeration_StopsIt()
    {
        var store = await CreateEventStoreAsync();
        await store.AppendAsync(new ClientId("c1"), 0, [.. Enumerable.Range(1, 10).Select(s => Activity("c1", s, T0))]);
        using var cts = new CancellationTokenSource();
        var seen = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in store.ReadPipelineAsync(SalesId, PipelineEventQuery.All, cts.Token))
            {
                if (++seen == 3)
                {
                    await cts.CancelAsync();
                }
            }
        });

        Assert.Equal(3, seen);
    }

    /// <summary>
    /// The hammer: many writers race on one client and on several others, with single events and batches. The final
    /// histories hold exactly the appends that succeeded, contiguous from 1, nothing lost or duplicated; every
    /// failure was a <see cref="ConcurrencyConflictException"/> naming the version the stream had moved to.
    /// </summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task ConcurrentAppenders_OnOneAndManyClients_LoseAndDuplicateNothing()
    {
        var store = await CreateEventStoreAsync();
        const int writers = 8, appendsPerWriter = 25;
        var clients = new[] { "hot", "hot", "hot", "hot", "c1", "c2", "c3", "c4" };
        var succeeded = new ConcurrentBag<string>();
        var conflicts = 0;

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var client = new ClientId(clients[w]);
            for (var i = 0; i < appendsPerWriter; i++)
            {
                // Every third append is a batch of two, so whole batches race too.
                var size = i % 3 == 2 ? 2 : 1;
                while (true)
                {
                    var version = (long)(await ListAsync(store.ReadClientAsync(client))).Count;
                    var batch = Enumerable.Range(0, size).Select(k => Activity(client.Value, version + 1 + k, T0, $"w{w}-{i}-{k}")).ToArray();
                    try
                    {
                        var newVersion = await store.AppendAsync(client, version, batch);
                        Assert.Equal(version + size, newVersion);
                        foreach (var e in batch)
                        {
                            succeeded.Add(e.Id.Value);
                        }

                        break;
                    }
                    catch (ConcurrencyConflictException ex)
                    {
                        // Lost the race: read the new version and try again.
                        Assert.Equal(client, ex.ClientId);
                        Assert.Equal(version, ex.ExpectedVersion);
                        Assert.True(ex.ActualVersion > version, $"A conflict at version {version} reported version {ex.ActualVersion}.");
                        Interlocked.Increment(ref conflicts);
                    }
                }
            }
        })));

        var all = new List<ClientEvent>();
        foreach (var group in clients.GroupBy(c => c))
        {
            var stored = await ListAsync(store.ReadClientAsync(new ClientId(group.Key)));
            Assert.Equal(Enumerable.Range(1, stored.Count).Select(v => (long)v), stored.Select(e => e.Sequence));
            all.AddRange(stored);
        }

        Assert.Equal(succeeded.Order(StringComparer.Ordinal), all.Select(e => e.Id.Value).Order(StringComparer.Ordinal));
        Assert.Equal(writers * (appendsPerWriter + (appendsPerWriter / 3)), all.Count);
        var pipeline = await ListAsync(store.ReadPipelineAsync(SalesId, PipelineEventQuery.All));
        Assert.Equal(all.Count, pipeline.Count);
        Assert.Equal(all.Count, pipeline.Select(e => e.Id).Distinct().Count());
    }

    /// <summary>Two writers appending at the same version: exactly one wins, the other gets a conflict, every time.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task ConcurrentAppenders_AtTheSameVersion_ExactlyOneWins()
    {
        var store = await CreateEventStoreAsync();
        var c = new ClientId("duel");
        for (var round = 0; round < 20; round++)
        {
            var version = (long)round;
            var outcomes = await Task.WhenAll(Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
            {
                try
                {
                    await store.AppendAsync(c, version, [Activity("duel", version + 1, T0, $"r{round}-w{w}")]);
                    return true;
                }
                catch (ConcurrencyConflictException ex) when (ex.ActualVersion == version + 1)
                {
                    return false;
                }
            })));

            Assert.Single(outcomes, won => won);
        }

        Assert.Equal(20, (await ListAsync(store.ReadClientAsync(c))).Count);
    }

    /// <summary>Adding a pipeline is idempotent; a different definition under the same id is refused.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Pipelines_AddIsIdempotent_AndRefusesADifferentDefinition()
    {
        var pipelines = (await CreateRepositoriesAsync()).Pipelines;
        var other = new PipelineDefinition(new PipelineId("a-first"), "A", [new StageDefinition(new StageId("x")), new StageDefinition(new StageId("y"))], wonStage: new StageId("x"));

        Assert.True(await pipelines.AddAsync(Pipeline));
        Assert.False(await pipelines.AddAsync(new PipelineDefinition(SalesId, "Sales", [.. Pipeline.Stages], currencyCode: "EUR")));
        await pipelines.AddAsync(other);
        var ex = await Assert.ThrowsAsync<PipelineConflictException>(() => pipelines.AddAsync(new PipelineDefinition(SalesId, "Sales", [.. Pipeline.Stages.Take(3)])));

        Assert.Equal(Pipeline, ex.Existing);
        Assert.Equal(Pipeline, await pipelines.GetAsync(SalesId));
        Assert.Equal(other, await pipelines.GetAsync(other.Id));
        Assert.Null(await pipelines.GetAsync(new PipelineId("none")));
        Assert.Equal([other.Id, SalesId], (await ListAsync(pipelines.ListAsync())).Select(p => p.Id));
    }

    /// <summary>The same client added by several writers at once is stored once; exactly one add reports it added.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Clients_AddedConcurrently_AreStoredOnce()
    {
        var clients = (await CreateRepositoriesAsync()).Clients;

        var added = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => clients.AddAsync(NewClient("same")))));

        Assert.Single(added, a => a);
        Assert.Single(await ListAsync(clients.ListAsync(SalesId)));
    }

    /// <summary>Adding a client is idempotent, a different one is refused, and listing pages by id within the pipeline.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Clients_AddIsIdempotent_AndListPagesByIdWithinThePipeline()
    {
        var clients = (await CreateRepositoriesAsync()).Clients;
        foreach (var id in new[] { "c3", "c1", "c5", "c2", "c4", "C9" })
        {
            Assert.True(await clients.AddAsync(NewClient(id)));
        }

        var bare = new Client(new ClientId("elsewhere"), new PipelineId("other"), Anna, T0.AddTicks(7));
        var rich = new Client(new ClientId("rich"), new PipelineId("other"), Boris, T0, 12345678.0901m, new Dictionary<string, string> { ["region"] = "Nord", ["Region"] = "süd", ["empty"] = "" });
        await clients.AddAsync(bare);
        await clients.AddAsync(rich);
        Assert.False(await clients.AddAsync(NewClient("c1")));
        await Assert.ThrowsAsync<ClientConflictException>(() => clients.AddAsync(NewClient("c1", owner: Boris)));
        await Assert.ThrowsAsync<ClientConflictException>(() => clients.AddAsync(new Client(new ClientId("rich"), new PipelineId("other"), Boris, T0, 12345678.09m, rich.Attributes)));

        Assert.Equal(["C9", "c1", "c2", "c3", "c4", "c5"], (await ListAsync(clients.ListAsync(SalesId))).Select(c => c.Id.Value));
        Assert.Equal(["c3", "c4"], (await ListAsync(clients.ListAsync(SalesId, new ClientId("c2"), 2))).Select(c => c.Id.Value));
        Assert.Equal(["c3", "c4", "c5"], (await ListAsync(clients.ListAsync(SalesId, new ClientId("c2b")))).Select(c => c.Id.Value));
        Assert.Equal(NewClient("c4"), await clients.GetAsync(new ClientId("c4")));
        Assert.Equal(bare, await clients.GetAsync(bare.Id));
        Assert.Equal(rich, await clients.GetAsync(rich.Id));
        Assert.Equal([bare, rich], await ListAsync(clients.ListAsync(new PipelineId("other"))));
        Assert.Null(await clients.GetAsync(new ClientId("nobody")));
    }
}
