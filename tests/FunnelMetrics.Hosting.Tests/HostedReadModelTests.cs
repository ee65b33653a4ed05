using Microsoft.Extensions.DependencyInjection.Extensions;
using FunnelMetrics.Analytics;
using FunnelMetrics.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FunnelMetrics.Hosting.Tests;

/// <summary>The hosted read model in a generic host: loads, follows, answers, fails one pipeline alone, reports lag, starts from a snapshot.</summary>
public sealed class HostedReadModelTests
{
    private static readonly PipelineDefinition Other = Store.Pipeline("other");

    [Fact]
    public async Task TheHost_LoadsEveryPipeline_FollowsNewWrites_AndAnswersAsAFreshBuild()
    {
        var store = new Store();
        var sales = await store.SeedAsync(Store.Sales, 300, 21);
        var other = await store.SeedAsync(Other, 100, 22);
        using var host = TestHost.Build(store);
        await host.StartAsync();
        await host.Service().WaitForReadyAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(FunnelReadModelStatus.Ready, host.Registry().GetStatus(Store.Sales.Id));
        Assert.Equal(FunnelReadModelStatus.Ready, host.Registry().GetStatus(Other.Id));
        await AssertAnswersAsFreshAsync(host, store, Store.Sales.Id);

        // New writes, a new pipeline: all reflected within the poll interval.
        await sales.WriteAsync(200);
        await other.WriteAsync(50);
        var third = Store.Pipeline("third");
        await store.SeedAsync(third, 60, 23);
        await host.CaughtUpAsync(store, Store.Sales.Id);
        await host.CaughtUpAsync(store, Other.Id);
        await host.CaughtUpAsync(store, third.Id);
        await AssertAnswersAsFreshAsync(host, store, Store.Sales.Id);
        await AssertAnswersAsFreshAsync(host, store, Other.Id);
        await AssertAnswersAsFreshAsync(host, store, third.Id);

        var health = await host.HealthAsync();
        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Equal(0L, health.Data["sales.eventsBehind"]);
        await host.StopAsync();
    }

    [Fact]
    public async Task ConfiguredPipelines_AreTheOnlyOnesServed_OthersAreReadFromStorage()
    {
        var store = new Store();
        await store.SeedAsync(Store.Sales, 100, 31);
        var other = await store.SeedAsync(Other, 100, 32);
        using var host = TestHost.Build(store, configure: o => o.Pipelines.Add("sales"));
        await host.StartAsync();
        await host.Service().WaitForReadyAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(FunnelReadModelStatus.Ready, host.Registry().GetStatus(Store.Sales.Id));
        Assert.Equal(FunnelReadModelStatus.NotServed, host.Registry().GetStatus(Other.Id));
        await other.WriteAsync(30);
        await AssertAnswersAsFreshAsync(host, store, Other.Id);
        await host.StopAsync();
    }

    [Fact]
    public async Task FunnelAnalyticsInTheHost_AnswersWithoutReadingClientsOrEvents()
    {
        var store = new Store();
        var writer = await store.SeedAsync(Store.Sales, 300, 41);
        var counting = new CountingStore(store.Memory);
        using var host = TestHost.Build(store, services =>
        {
            services.AddSingleton<IClientRepository>(counting);
            services.AddSingleton<IFunnelEventStore>(counting);
        });
        await host.StartAsync();
        await host.Service().WaitForReadyAsync().WaitAsync(TimeSpan.FromSeconds(20));
        await writer.WriteAsync(50);
        await host.CaughtUpAsync(store, Store.Sales.Id);

        var reads = counting.Reads;
        await using var scope = host.Services.CreateAsyncScope();
        var analytics = scope.ServiceProvider.GetRequiredService<FunnelAnalytics>();
        var window = TimeWindow.Ending(Store.Now, TimeSpan.FromDays(30));
        _ = await analytics.GetStageCountsAsync(Store.Sales.Id, Store.Now);
        _ = await analytics.GetConversionAsync(Store.Sales.Id, window);
        _ = await analytics.GetStalledClientsAsync(Store.Sales.Id, Store.Now);
        _ = await analytics.GetForecastAsync(Store.Sales.Id, Store.Now.AddDays(30), asOf: Store.Now);
        var log = await analytics.LoadAsync(Store.Sales.Id);
        Assert.Equal(reads, counting.Reads);
        Assert.Equal(Figures.Of(await analytics.LoadFromStorageAsync(Store.Sales.Id), Store.Now), Figures.Of(log, Store.Now));
        await host.StopAsync();
    }

    [Fact]
    public async Task ABrokenStream_KeepsTheLastGoodSnapshot_OtherPipelinesGoOn_AndTheHealthCheckNamesClientEventAndRule()
    {
        var store = new Store();
        await store.SeedAsync(Store.Sales, 300, 51);
        var other = await store.SeedAsync(Other, 60, 52);
        var changes = await store.Memory.Feed.ReadChangesAsync(new ChangeFeedQuery { PipelineId = Store.Sales.Id }).ToListAsync();
        var events = changes.Select(c => c.Event).OfType<ClientEvent>().ToList();
        var dropped = events.First(e => e.Sequence == 2 && events.Any(n => n.ClientId == e.ClientId && n.Sequence == 3));
        var broken = events.Single(e => e.ClientId == dropped.ClientId && e.Sequence == 3);
        var feed = new TamperedFeed(store.Memory.Feed) { Drop = dropped.Id };
        var logger = new ListLogger();
        // Loaded from the tampered feed: without the store's fast load, which reads the untampered journal.
        using var host = TestHost.Build(store, services => services.AddSingleton<IFunnelChangeFeed>(feed), logger: logger, after: services => services.RemoveAll<IFunnelLogSource>());
        await host.StartAsync();
        await host.Service().WaitForReadyAsync().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(FunnelReadModelStatus.Failed, host.Registry().GetStatus(Store.Sales.Id));
        Assert.True(host.Registry().TryGet(Store.Sales.Id, out var model));
        var failure = model.Failure!;
        Assert.Equal((dropped.ClientId, broken.Id, FunnelRule.SequenceNotNext), (failure.ClientId, failure.EventId!.Value, failure.Rule!.Value));

        // The last good snapshot: everything before the broken change, less the event hidden.
        var before = changes.TakeWhile(c => c.Event?.Id != broken.Id).ToList();
        Assert.Equal(before.Count(c => c.Event is not null) - 1, model.Snapshot.EventCount);
        Assert.Equal(before.Count(c => c.Client is not null), model.Snapshot.ClientCount);

        var health = await host.HealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Contains(dropped.ClientId.Value, health.Description, StringComparison.Ordinal);
        Assert.Contains(broken.Id.Value, health.Description, StringComparison.Ordinal);
        Assert.Contains(nameof(FunnelRule.SequenceNotNext), health.Description, StringComparison.Ordinal);
        Assert.Equal(nameof(FunnelRule.SequenceNotNext), health.Data["sales.failedRule"]);
        Assert.Equal(dropped.ClientId.Value, health.Data["sales.failedClient"]);
        Assert.Contains(logger.Messages, m => m.Level == LogLevel.Error && m.Message.Contains(dropped.ClientId.Value, StringComparison.Ordinal) && m.Message.Contains(nameof(FunnelRule.SequenceNotNext), StringComparison.Ordinal));

        // The host goes on: the other pipeline follows its writes; FunnelAnalytics still answers for the broken one.
        await other.WriteAsync(40);
        await host.CaughtUpAsync(store, Other.Id);
        await AssertAnswersAsFreshAsync(host, store, Other.Id);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            Assert.Same(model.Snapshot.Log, await scope.ServiceProvider.GetRequiredService<FunnelAnalytics>().LoadAsync(Store.Sales.Id));
        }

        await host.StopAsync();
    }

    [Fact]
    public async Task TheLag_IsReportedInPositionsAndSeconds_AndDegradesTheHealthCheck()
    {
        var time = new FakeTimeProvider(Store.Now);
        var store = new Store(time);
        var writer = await store.SeedAsync(Store.Sales, 200, 61);
        var feed = new TamperedFeed(store.Memory.Feed) { VisibleUpTo = await store.Memory.Feed.ReadHeadAsync() };
        using var host = TestHost.Build(store, services =>
        {
            services.AddSingleton<TimeProvider>(time);
            services.AddSingleton<IFunnelChangeFeed>(feed);
        });
        await host.StartAsync();
        await host.Service().WaitForReadyAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(HealthStatus.Healthy, (await host.HealthAsync()).Status);

        // The store moves on; the model sees nothing of it (a feed stalled at the old head).
        await writer.WriteAsync(40);
        var head = await store.Memory.Feed.ReadHeadAsync(Store.Sales.Id);
        var lag = Assert.Single(await host.Service().GetLagAsync());
        Assert.Equal(head - feed.VisibleUpTo!.Value, lag.EventsBehind);
        Assert.Equal(TimeSpan.Zero, lag.Behind);

        time.Advance(TimeSpan.FromSeconds(40));
        var health = await host.HealthAsync();
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Equal(40.0, health.Data["sales.secondsBehind"]);
        Assert.Equal(head - feed.VisibleUpTo.Value, health.Data["sales.eventsBehind"]);
        Assert.Contains("behind", health.Description, StringComparison.Ordinal);

        // The feed shows the rest: the next poll catches up and the lag is gone.
        feed.VisibleUpTo = null;
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (host.Registry().TryGet(Store.Sales.Id, out var model) && model.Snapshot.Position < head)
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(10, guard.Token);
        }

        lag = Assert.Single(await host.Service().GetLagAsync());
        Assert.Equal((0L, TimeSpan.Zero), (lag.EventsBehind, lag.Behind));
        Assert.Equal(HealthStatus.Healthy, (await host.HealthAsync()).Status);
        await host.StopAsync();
    }

    [Fact]
    public async Task AStoreFastLoad_IsUsed_AndTheFeedIsFollowedFromItsPosition()
    {
        var store = new Store();
        var writer = await store.SeedAsync(Store.Sales, 300, 71);
        var source = new FeedLogSource(store.Memory);
        using var host = TestHost.Build(store, services => services.AddSingleton<IFunnelLogSource>(source));
        await host.StartAsync();
        await host.Service().WaitForReadyAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(1, source.Calls);
        await writer.WriteAsync(100);
        await host.CaughtUpAsync(store, Store.Sales.Id);
        await AssertAnswersAsFreshAsync(host, store, Store.Sales.Id);
        await host.StopAsync();
    }

    [Fact]
    public async Task ASnapshotStore_IsSavedAtStop_AndTheNextStartGoesOnFromIt()
    {
        var store = new Store();
        var writer = await store.SeedAsync(Store.Sales, 300, 81);
        var snapshots = new MemorySnapshotStore();
        using (var first = TestHost.Build(store, services => services.AddSingleton<IFunnelSnapshotStore>(snapshots)))
        {
            await first.StartAsync();
            await first.Service().WaitForReadyAsync().WaitAsync(TimeSpan.FromSeconds(20));
            await first.StopAsync();
        }

        var saved = snapshots.Saved[Store.Sales.Id];
        Assert.Equal(await store.Memory.Feed.ReadHeadAsync(), saved.Position);

        // Written while no host ran: caught up from the snapshot's position, the store's fast load unused.
        await writer.WriteAsync(100);
        var source = new FeedLogSource(store.Memory);
        using var second = TestHost.Build(store, services =>
        {
            services.AddSingleton<IFunnelSnapshotStore>(snapshots);
            services.AddSingleton<IFunnelLogSource>(source);
        });
        await second.StartAsync();
        await second.Service().WaitForReadyAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, source.Calls);
        await second.CaughtUpAsync(store, Store.Sales.Id);
        await AssertAnswersAsFreshAsync(second, store, Store.Sales.Id);
        await second.StopAsync();
    }

    [Theory]
    [InlineData("RestartDelay")]
    [InlineData("Pipelines")]
    [InlineData("Feed")]
    public async Task InvalidOptions_StopTheHostAtStart_NamingTheSetting(string setting)
    {
        var store = new Store();
        using var host = TestHost.Build(store, configure: o =>
        {
            switch (setting)
            {
                case "RestartDelay":
                    o.RestartDelay = TimeSpan.Zero;
                    break;
                case "Pipelines":
                    o.Pipelines.Add(" ");
                    break;
                default:
                    o.Feed.PollInterval = TimeSpan.Zero;
                    break;
            }
        });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains($"ReadModel.{setting}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddHostedReadModel_CalledTwice_RegistersOneServiceAndOneHealthCheck()
    {
        var once = new ServiceCollection();
        once.AddFunnelMetrics().AddHostedReadModel();
        var services = new ServiceCollection();
        services.AddFunnelMetrics().AddHostedReadModel().AddHostedReadModel(o => o.PublishEvery = 10);
        Assert.Single(services, d => d.ServiceType == typeof(FunnelReadModelService));
        Assert.Equal(once.Count(d => d.ServiceType == typeof(Microsoft.Extensions.Hosting.IHostedService)), services.Count(d => d.ServiceType == typeof(Microsoft.Extensions.Hosting.IHostedService)));
        await using var provider = services.BuildServiceProvider();
        Assert.Equal(10, provider.GetRequiredService<IOptions<FunnelReadModelOptions>>().Value.PublishEvery);
        Assert.Single(provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations);
    }

    private static async Task AssertAnswersAsFreshAsync(Microsoft.Extensions.Hosting.IHost host, Store store, PipelineId pipeline)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var analytics = scope.ServiceProvider.GetRequiredService<FunnelAnalytics>();
        var served = await analytics.LoadAsync(pipeline);
        var fresh = await analytics.LoadFromStorageAsync(pipeline);
        Assert.Equal(fresh.EventCount, served.EventCount);
        Assert.Equal(Figures.Of(fresh, Store.Now), Figures.Of(served, Store.Now));
    }
}
