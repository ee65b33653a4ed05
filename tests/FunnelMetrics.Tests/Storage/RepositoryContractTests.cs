using FunnelMetrics.Storage;
using FunnelMetrics.Tests.Support;
using static FunnelMetrics.Tests.Support.Seed;

namespace FunnelMetrics.Tests.Storage;

/// <summary>The three repositories an implementation provides, under test.</summary>
public sealed record RepositorySet(IPipelineRepository Pipelines, IClientRepository Clients, IFunnelEventStore Events);

/// <summary>
/// The guarantees every storage implementation must give. Derive and implement <see cref="CreateRepositories"/>
/// to run them against another store.
/// </summary>
public abstract class RepositoryContractTests
{
    protected abstract RepositorySet CreateRepositories();

    private static ClientActivity Activity(string client, long sequence, DateTimeOffset at, string? id = null, PipelineId? pipeline = null) =>
        new(new EventId(id ?? $"{client}-{sequence}"), new ClientId(client), pipeline ?? SalesId, sequence, at, at, Anna, $"call {sequence}");

    [Fact]
    public async Task Append_ToANewStream_IsReadBackInSequenceOrder()
    {
        var store = CreateRepositories().Events;

        var v1 = await store.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 1, T0), Activity("c1", 2, T0)]);
        var v2 = await store.AppendAsync(new ClientId("c1"), 2, [Activity("c1", 3, T0.AddHours(1))]);

        Assert.Equal(2, v1);
        Assert.Equal(3, v2);
        var read = await store.ReadClientAsync(new ClientId("c1")).ToListAsync();
        Assert.Equal([1L, 2, 3], read.Select(e => e.Sequence));
        Assert.Equal(Activity("c1", 3, T0.AddHours(1)), read[2]);
        Assert.Empty(await store.ReadClientAsync(new ClientId("nobody")).ToListAsync());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task Append_AtAnotherVersion_ThrowsAndWritesNothing(long expected)
    {
        var store = CreateRepositories().Events;
        await store.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 1, T0)]);

        var ex = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.AppendAsync(new ClientId("c1"), expected, [Activity("c1", expected + 1, T0, "x")]));

        Assert.Equal(expected, ex.ExpectedVersion);
        Assert.Equal(1, ex.ActualVersion);
        Assert.Single(await store.ReadClientAsync(new ClientId("c1")).ToListAsync());
        Assert.Null(await store.FindAsync(new EventId("x")));
    }

    [Fact]
    public async Task Append_OfABatchWithAStoredId_WritesNoneOfIt()
    {
        var store = CreateRepositories().Events;
        await store.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 1, T0, "taken")]);

        var ex = await Assert.ThrowsAsync<EventIdConflictException>(() =>
            store.AppendAsync(new ClientId("c2"), 0, [Activity("c2", 1, T0, "fresh-1"), Activity("c2", 2, T0, "taken"), Activity("c2", 3, T0, "fresh-3")]));

        Assert.Equal(new EventId("taken"), ex.EventId);
        Assert.Empty(await store.ReadClientAsync(new ClientId("c2")).ToListAsync());
        Assert.Null(await store.FindAsync(new EventId("fresh-1")));
        Assert.Equal(["taken"], (await store.ReadPipelineAsync(SalesId, PipelineEventQuery.All).ToListAsync()).Select(e => e.Id.Value));
        Assert.Equal(2, await store.AppendAsync(new ClientId("c2"), 0, [Activity("c2", 1, T0, "fresh-1"), Activity("c2", 2, T0, "fresh-2")]));
    }

    [Fact]
    public async Task Append_OfAMalformedBatch_ThrowsArgumentException()
    {
        var store = CreateRepositories().Events;

        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(new ClientId("c1"), 0, []));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(new ClientId("c1"), 0, [Activity("c2", 1, T0)]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 2, T0)]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 1, T0, "same"), Activity("c1", 2, T0, "same")]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 1, T0), Activity("c1", 2, T0, pipeline: new PipelineId("other"))]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 1, T0), Activity("c1", 2, T0.AddTicks(-1))]));
        Assert.Empty(await store.ReadClientAsync(new ClientId("c1")).ToListAsync());
        await store.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 1, T0)]);
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(new ClientId("c1"), 1, [Activity("c1", 2, T0.AddTicks(-1))]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(new ClientId("c1"), 1, [Activity("c1", 2, T0, pipeline: new PipelineId("other"))]));
        Assert.Single(await store.ReadClientAsync(new ClientId("c1")).ToListAsync());
    }

    [Fact]
    public void Reads_WithBadArguments_ThrowWhenCalled()
    {
        var repos = CreateRepositories();

        Assert.Throws<ArgumentNullException>(() => repos.Events.ReadPipelineAsync(SalesId, null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => repos.Clients.ListAsync(SalesId, limit: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PipelineEventQuery { Limit = 0 });
    }

    [Fact]
    public async Task Find_ReturnsTheStoredEventById()
    {
        var store = CreateRepositories().Events;
        await store.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 1, T0, "a")]);

        Assert.Equal(Activity("c1", 1, T0, "a"), await store.FindAsync(new EventId("a")));
        Assert.Null(await store.FindAsync(new EventId("b")));
    }

    [Fact]
    public async Task ReadPipeline_OrdersByInstantClientAndSequence_WithAHalfOpenRange()
    {
        var store = CreateRepositories().Events;
        await store.AppendAsync(new ClientId("b"), 0, [Activity("b", 1, T0), Activity("b", 2, T0.AddHours(2))]);
        await store.AppendAsync(new ClientId("a"), 0, [Activity("a", 1, T0), Activity("a", 2, T0), Activity("a", 3, T0.AddHours(1))]);
        await store.AppendAsync(new ClientId("z"), 0, [Activity("z", 1, T0, pipeline: new PipelineId("other"))]);

        var all = await store.ReadPipelineAsync(SalesId, PipelineEventQuery.All).ToListAsync();
        var window = await store.ReadPipelineAsync(SalesId, new PipelineEventQuery { From = T0.AddHours(1), To = T0.AddHours(2) }).ToListAsync();

        Assert.Equal(["a-1", "a-2", "b-1", "a-3", "b-2"], all.Select(e => e.Id.Value));
        Assert.Equal(["a-3"], window.Select(e => e.Id.Value));
        Assert.Empty(await store.ReadPipelineAsync(new PipelineId("none"), PipelineEventQuery.All).ToListAsync());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(50)]
    public async Task ReadPipeline_PagedWithKeyset_ConcatenatesToTheWholeRead(int pageSize)
    {
        var store = CreateRepositories().Events;
        for (var c = 0; c < 6; c++)
        {
            var id = $"c{c}";
            var minutes = Enumerable.Range(1, 5).Select(s => ((c * 7) + (s * 3)) % 11).Order().ToArray();
            await store.AppendAsync(new ClientId(id), 0, [.. Enumerable.Range(1, 5).Select(s => Activity(id, s, T0.AddMinutes(minutes[s - 1])))]);
        }

        var query = new PipelineEventQuery { From = T0.AddMinutes(1), To = T0.AddMinutes(10) };
        var whole = await store.ReadPipelineAsync(SalesId, query).ToListAsync();
        var paged = new List<ClientEvent>();
        while (true)
        {
            var page = await store.ReadPipelineAsync(SalesId, query with { After = paged.Count > 0 ? EventCursor.Of(paged[^1]) : null, Limit = pageSize }).ToListAsync();
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
    }

    [Fact]
    public async Task Reads_AreSnapshots_ThatLaterAppendsDoNotDisturb()
    {
        var store = CreateRepositories().Events;
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
        Assert.Equal(4, (await store.ReadClientAsync(c).ToListAsync()).Count);
    }

    [Fact]
    public async Task Cancellation_BeforeACall_ThrowsAndWritesNothing()
    {
        var repos = CreateRepositories();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => repos.Events.AppendAsync(new ClientId("c1"), 0, [Activity("c1", 1, T0)], cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => repos.Pipelines.AddAsync(Pipeline, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => repos.Clients.AddAsync(NewClient("c1"), cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await repos.Events.FindAsync(new EventId("x"), cts.Token));

        Assert.Empty(await repos.Events.ReadClientAsync(new ClientId("c1")).ToListAsync());
        Assert.Null(await repos.Pipelines.GetAsync(SalesId));
        Assert.Null(await repos.Clients.GetAsync(new ClientId("c1")));
    }

    [Fact]
    public async Task Cancellation_DuringAnEnumeration_StopsIt()
    {
        var store = CreateRepositories().Events;
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

    [Fact]
    public async Task ConcurrentAppenders_OnOneAndManyClients_LoseAndDuplicateNothing()
    {
        var store = CreateRepositories().Events;
        const int writers = 8, appendsPerWriter = 40;
        var clients = new[] { "hot", "hot", "hot", "hot", "c1", "c2", "c3", "c4" };

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var client = new ClientId(clients[w]);
            for (var i = 0; i < appendsPerWriter; i++)
            {
                while (true)
                {
                    var version = (long)(await store.ReadClientAsync(client).ToListAsync()).Count;
                    try
                    {
                        await store.AppendAsync(client, version, [Activity(client.Value, version + 1, T0, $"w{w}-{i}")]);
                        break;
                    }
                    catch (ConcurrencyConflictException)
                    {
                        // Lost the race: read the new version and try again.
                    }
                }
            }
        })));

        foreach (var group in clients.GroupBy(c => c))
        {
            var stored = await store.ReadClientAsync(new ClientId(group.Key)).ToListAsync();
            Assert.Equal(group.Count() * appendsPerWriter, stored.Count);
            Assert.Equal(Enumerable.Range(1, stored.Count).Select(v => (long)v), stored.Select(e => e.Sequence));
            Assert.Equal(stored.Count, stored.Select(e => e.Id).Distinct().Count());
        }

        Assert.Equal(writers * appendsPerWriter, (await store.ReadPipelineAsync(SalesId, PipelineEventQuery.All).ToListAsync()).Count);
    }

    [Fact]
    public async Task Pipelines_AddIsIdempotent_AndRefusesADifferentDefinition()
    {
        var pipelines = CreateRepositories().Pipelines;
        var other = new PipelineDefinition(new PipelineId("a-first"), "A", [new StageDefinition(new StageId("x")), new StageDefinition(new StageId("y"))]);

        Assert.True(await pipelines.AddAsync(Pipeline));
        Assert.False(await pipelines.AddAsync(new PipelineDefinition(SalesId, "Sales", [.. Pipeline.Stages], currencyCode: "EUR")));
        await pipelines.AddAsync(other);
        var ex = await Assert.ThrowsAsync<PipelineConflictException>(() => pipelines.AddAsync(new PipelineDefinition(SalesId, "Sales", [.. Pipeline.Stages.Take(3)])));

        Assert.Same(Pipeline, ex.Existing);
        Assert.Equal(Pipeline, await pipelines.GetAsync(SalesId));
        Assert.Equal([other.Id, SalesId], (await pipelines.ListAsync().ToListAsync()).Select(p => p.Id));
    }

    [Fact]
    public async Task Clients_AddedConcurrently_AreStoredOnce()
    {
        var clients = CreateRepositories().Clients;

        var added = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => clients.AddAsync(NewClient("same")))));

        Assert.Single(added, a => a);
        Assert.Single(await clients.ListAsync(SalesId).ToListAsync());
    }

    [Fact]
    public async Task Clients_AddIsIdempotent_AndListPagesByIdWithinThePipeline()
    {
        var clients = CreateRepositories().Clients;
        foreach (var id in new[] { "c3", "c1", "c5", "c2", "c4" })
        {
            Assert.True(await clients.AddAsync(NewClient(id)));
        }

        await clients.AddAsync(new Client(new ClientId("elsewhere"), new PipelineId("other"), Anna, T0));
        Assert.False(await clients.AddAsync(NewClient("c1")));
        await Assert.ThrowsAsync<ClientConflictException>(() => clients.AddAsync(NewClient("c1", owner: Boris)));

        Assert.Equal(["c1", "c2", "c3", "c4", "c5"], (await clients.ListAsync(SalesId).ToListAsync()).Select(c => c.Id.Value));
        Assert.Equal(["c3", "c4"], (await clients.ListAsync(SalesId, new ClientId("c2"), 2).ToListAsync()).Select(c => c.Id.Value));
        Assert.Equal(["c3", "c4", "c5"], (await clients.ListAsync(SalesId, new ClientId("c2b")).ToListAsync()).Select(c => c.Id.Value));
        Assert.Equal(NewClient("c4"), await clients.GetAsync(new ClientId("c4")));
        Assert.Null(await clients.GetAsync(new ClientId("nobody")));
    }
}

public sealed class InMemoryRepositoryContractTests : RepositoryContractTests
{
    protected override RepositorySet CreateRepositories()
    {
        var store = new InMemoryFunnelStore();
        return new RepositorySet(store.Pipelines, store.Clients, store.Events);
    }
}
