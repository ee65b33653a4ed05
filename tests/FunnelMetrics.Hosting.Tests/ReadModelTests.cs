using FunnelMetrics.Analytics;
using FunnelMetrics.Metrics;
using FunnelMetrics.Storage;

namespace FunnelMetrics.Hosting.Tests;

/// <summary>The warm model of the core: idempotent for replays, equal to a fresh build, refusing a broken stream atomically.</summary>
public sealed class ReadModelTests
{
    private static async Task<List<FunnelChange>> FeedAsync(Store store, PipelineId? pipeline = null) =>
        await store.Memory.Feed.ReadChangesAsync(new ChangeFeedQuery { PipelineId = pipeline }).ToListAsync();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task AfterRandomWrites_TheModelAnswersAsAFreshBuildOverTheStore(int seed)
    {
        var store = new Store();
        var writer = await store.SeedAsync(Store.Sales, 400, seed);
        var model = new FunnelReadModel(Store.Sales);
        var applied = 0;
        foreach (var batch in (await FeedAsync(store)).Chunk(37))
        {
            foreach (var change in batch)
            {
                applied += model.Apply(change) ? 1 : 0;
            }

            // Publishing after every batch: the snapshots are built piece by piece, as the hosted model does.
            model.Publish();
        }

        await writer.WriteAsync(200);
        foreach (var change in await store.Memory.Feed.ReadChangesAsync(new ChangeFeedQuery { After = model.AppliedPosition }).ToListAsync())
        {
            model.Apply(change);
        }

        var snapshot = model.Publish();
        var fresh = await store.Analytics().LoadFromStorageAsync(Store.Sales.Id);
        Assert.True(applied > writer.Written / 2, $"{applied} changes applied of {writer.Written} events written.");
        Assert.Equal(fresh.EventCount, snapshot.EventCount);
        Assert.Equal(fresh.Clients.Count, snapshot.ClientCount);
        Assert.Equal(await store.Memory.Feed.ReadHeadAsync(), snapshot.Position);
        Assert.Equal(Figures.Of(fresh, Store.Now), Figures.Of(snapshot.Log, Store.Now));
    }

    [Fact]
    public async Task ReplayedChanges_AreSkipped_AndChangeNothing()
    {
        var store = new Store();
        await store.SeedAsync(Store.Sales, 300, 7);
        var feed = await FeedAsync(store);
        var model = new FunnelReadModel(Store.Sales);
        Assert.All(feed, c => Assert.True(model.Apply(c)));
        var first = model.Publish();

        // The whole feed again, then its second half again: every change is a replay.
        Assert.All(feed.Concat(feed.Skip(feed.Count / 2)), c => Assert.False(model.Apply(c)));
        var again = model.Publish();
        Assert.Same(first, again);
        Assert.Equal(Figures.Of(first.Log, Store.Now), Figures.Of(again.Log, Store.Now));
    }

    [Fact]
    public async Task AGap_ThrowsNamingTheRule_AndLeavesTheModelUnchanged()
    {
        var store = new Store();
        await store.SeedAsync(Store.Sales, 300, 11);
        var feed = await FeedAsync(store);
        var victim = feed.Select(c => c.Event).OfType<ClientEvent>().First(e => e.Sequence == 2);
        var model = new FunnelReadModel(Store.Sales);
        var position = 0L;
        FunnelHistoryException? broken = null;
        foreach (var change in feed.Where(c => c.Event?.Id != victim.Id))
        {
            if (change.Event is { } e && e.ClientId == victim.ClientId && e.Sequence == 3)
            {
                var before = model.Publish();
                broken = Assert.Throws<FunnelHistoryException>(() => model.Apply(change));
                Assert.Equal(position, model.AppliedPosition);
                Assert.False(model.HasUnpublishedChanges);
                Assert.Same(before, model.Publish());

                var failure = model.Fail(change, broken);
                Assert.Equal(FunnelRule.SequenceNotNext, failure.Rule);
                Assert.Equal(victim.ClientId, failure.ClientId);
                Assert.Equal(e.Id, failure.EventId);
                Assert.Contains(victim.ClientId.Value, failure.ToString(), StringComparison.Ordinal);
                Assert.Contains(nameof(FunnelRule.SequenceNotNext), failure.ToString(), StringComparison.Ordinal);
                Assert.Same(before, model.Snapshot);
                Assert.Throws<InvalidOperationException>(() => model.Apply(feed[^1]));
                break;
            }

            model.Apply(change);
            position = change.Position;
        }

        Assert.NotNull(broken);
        Assert.True(model.IsFailed);
    }

    [Fact]
    public async Task AClientRecordThatContradictsTheOneApplied_IsRefused()
    {
        var store = new Store();
        await store.SeedAsync(Store.Sales, 50, 3);
        var feed = await FeedAsync(store);
        var model = new FunnelReadModel(Store.Sales);
        foreach (var change in feed)
        {
            model.Apply(change);
        }

        var client = feed.First(c => c.Client is not null).Client!;
        var other = new Client(client.Id, client.PipelineId, new OwnerId("someone-else"), client.CreatedAt, client.Value);
        Assert.Throws<ArgumentException>(() => model.Apply(new FunnelChange(feed[^1].Position + 1, other)));
        Assert.Throws<ArgumentException>(() => model.Apply(new FunnelChange(feed[^1].Position + 1, new Client(new ClientId("x"), new PipelineId("other"), new OwnerId("o"), Store.Now))));
        Assert.False(model.IsFailed);
    }

    [Fact]
    public async Task ReadersOnOtherThreads_SeeOnlyWholeSnapshots_AndNeverGoBack()
    {
        var store = new Store();
        await store.SeedAsync(Store.Sales, 2000, 5);
        var feed = await FeedAsync(store);
        var model = new FunnelReadModel(Store.Sales);
        using var done = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var last = -1L;
            var reads = 0;
            do
            {
                var snapshot = model.Snapshot;
                Assert.True(snapshot.Position >= last);
                Assert.True(StageCountsCalculator.Compute(snapshot.Log, Store.Now).Entered <= snapshot.ClientCount);
                Assert.Equal(snapshot.EventCount, snapshot.Log.EventCount);
                last = snapshot.Position;
                reads++;
            }
            while (!done.IsCancellationRequested);

            return reads;
        })).ToArray();
        foreach (var batch in feed.Chunk(50))
        {
            foreach (var change in batch)
            {
                model.Apply(change);
            }

            model.Publish();
        }

        await done.CancelAsync();
        Assert.All(await Task.WhenAll(readers), r => Assert.True(r > 0));
        Assert.Equal(feed[^1].Position, model.Snapshot.Position);
    }

    [Fact]
    public async Task TheRegistry_ServesModels_WaitsForLoadingOnes_AndFallsBackForOthers()
    {
        var store = new Store();
        await store.SeedAsync(Store.Sales, 100, 9);
        var registry = new FunnelReadModelRegistry();
        Assert.Null(await registry.GetSnapshotAsync(Store.Sales.Id));
        registry.Expect(Store.Sales.Id);
        Assert.Equal(FunnelReadModelStatus.Loading, registry.GetStatus(Store.Sales.Id));
        var waiting = registry.GetSnapshotAsync(Store.Sales.Id).AsTask();
        var ready = registry.WaitForReadyAsync();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        Assert.False(ready.IsCompleted);

        var model = new FunnelReadModel(await store.Analytics().LoadFromStorageAsync(Store.Sales.Id), await store.Memory.Feed.ReadHeadAsync());
        registry.Add(model);
        Assert.Same(model.Snapshot, await waiting);
        await ready;
        Assert.Equal(FunnelReadModelStatus.Ready, registry.GetStatus(Store.Sales.Id));

        registry.BeginDiscovery();
        var other = registry.GetSnapshotAsync(new PipelineId("other")).AsTask();
        await Task.Delay(50);
        Assert.False(other.IsCompleted);
        registry.EndDiscovery();
        Assert.Null(await other);
        Assert.True(registry.Abandon(Store.Sales.Id));
        Assert.Equal(FunnelReadModelStatus.NotServed, registry.GetStatus(Store.Sales.Id));
    }

    [Fact]
    public async Task FunnelAnalytics_AnswersFromTheModel_WithoutReadingStorage()
    {
        var store = new Store();
        await store.SeedAsync(Store.Sales, 300, 13);
        var counting = new CountingStore(store.Memory);
        var registry = new FunnelReadModelRegistry();
        var analytics = new FunnelAnalytics(store.Memory.Pipelines, counting, counting, store.Time, Microsoft.Extensions.Options.Options.Create(new FunnelMetricsOptions()), registry);
        var fromStorage = await analytics.LoadAsync(Store.Sales.Id);
        Assert.True(counting.Reads > 0);

        var model = new FunnelReadModel(Store.Sales);
        foreach (var change in await FeedAsync(store))
        {
            model.Apply(change);
        }

        registry.Add(model);
        model.Publish();
        var reads = counting.Reads;
        var window = TimeWindow.Ending(Store.Now, TimeSpan.FromDays(30));
        Assert.Same(model.Snapshot.Log, await analytics.LoadAsync(Store.Sales.Id));
        Assert.Equal((await analytics.GetStageCountsAsync(Store.Sales.Id)).Entered, StageCountsCalculator.Compute(fromStorage, Store.Now).Entered);
        _ = await analytics.GetFlowLedgerAsync(Store.Sales.Id, new DateOnly(2026, 5, 1));
        _ = await analytics.GetTimeInStageAsync(Store.Sales.Id);
        _ = await analytics.GetConversionAsync(Store.Sales.Id, window);
        _ = await analytics.GetVelocityAsync(Store.Sales.Id, window);
        _ = await analytics.GetStalledClientsAsync(Store.Sales.Id);
        _ = await analytics.GetStuckStagesAsync(Store.Sales.Id, window);
        _ = await analytics.GetForecastAsync(Store.Sales.Id, Store.Now.AddDays(30));
        _ = await analytics.GetBacktestAsync(Store.Sales.Id, TimeWindow.Ending(Store.Now, TimeSpan.FromDays(20)), TimeSpan.FromDays(10), TimeSpan.FromDays(10));
        Assert.Equal(reads, counting.Reads);
        Assert.Equal(Figures.Of(fromStorage, Store.Now), Figures.Of(await analytics.LoadAsync(Store.Sales.Id), Store.Now));

        // LoadFromStorageAsync still reads storage.
        _ = await analytics.LoadFromStorageAsync(Store.Sales.Id);
        Assert.True(counting.Reads > reads);
    }
}
