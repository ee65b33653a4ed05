using FunnelMetrics.Analytics;
using FunnelMetrics.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Analytics;

/// <summary>The front door: its clock, its reads through the repositories, and its options.</summary>
public sealed class FunnelAnalyticsTests
{
    [Fact]
    public async Task FunnelAnalytics_TakesNowFromTheTimeProvider_AndReadsThroughTheRepositories()
    {
        var clock = new FakeTimeProvider(T0);
        var services = new ServiceCollection().AddSingleton<TimeProvider>(clock);
        services.AddFunnelMetrics(o => o.TimeZone = "Europe/Sofia");
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var recorder = scope.ServiceProvider.GetRequiredService<FunnelMetrics.Recording.FunnelRecorder>();
        var analytics = scope.ServiceProvider.GetRequiredService<FunnelAnalytics>();
        await provider.GetRequiredService<FunnelMetrics.Storage.IPipelineRepository>().AddAsync(Pipeline);
        await recorder.AddClientAsync(NewClient("c1"));
        await recorder.MoveAsync(new ClientId("c1"), DecisionMaker);
        clock.Advance(TimeSpan.FromHours(1));
        await recorder.MoveAsync(new ClientId("c1"), Interest);

        var readAt = clock.GetUtcNow();
        var now = await analytics.GetStageCountsAsync(SalesId);
        var before = await analytics.GetStageCountsAsync(SalesId, T0);
        var ledger = await analytics.GetFlowLedgerAsync(SalesId, new DateOnly(2026, 3, 2));
        // Time in stage reads the window [-, now): the move made exactly now is its end, not yet in it.
        var atNow = await analytics.GetTimeInStageAsync(SalesId);
        clock.Advance(TimeSpan.FromTicks(1));
        var time = await analytics.GetTimeInStageAsync(SalesId);

        Assert.Equal(readAt, now.AsOf);
        Assert.Equal(1, now.Stages[1].Clients);
        Assert.Equal(1, before.Stages[0].Clients);
        Assert.Equal("Europe/Sofia", ledger.TimeZone);
        Assert.Equal(new DateOnly(2026, 3, 2), ledger.LastDay);
        Assert.Equal((0, 1), (atNow.Stages[0].Completed.Count, atNow.Stages[0].OpenVisits));
        Assert.Equal(TimeSpan.FromHours(1), time.Stages[0].Completed.Median);
        await Assert.ThrowsAsync<UnknownPipelineException>(() => analytics.GetStageCountsAsync(new PipelineId("none")));
    }

    [Fact]
    public async Task Trends_ReadOutcomesNow_InTheConfiguredZone_AndForecastAccuracyEndsAtTheLastMonthOver()
    {
        var clock = new FakeTimeProvider(T0);
        var services = new ServiceCollection().AddSingleton<TimeProvider>(clock);
        services.AddFunnelMetrics(o => o.TimeZone = "Europe/Sofia");
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var recorder = scope.ServiceProvider.GetRequiredService<FunnelMetrics.Recording.FunnelRecorder>();
        var analytics = scope.ServiceProvider.GetRequiredService<FunnelAnalytics>();
        await provider.GetRequiredService<FunnelMetrics.Storage.IPipelineRepository>().AddAsync(Pipeline);
        await recorder.AddClientAsync(NewClient("c1"));
        await recorder.MoveAsync(new ClientId("c1"), DecisionMaker);
        clock.Advance(TimeSpan.FromDays(3));
        await recorder.MoveAsync(new ClientId("c1"), Interest);
        clock.Advance(TimeSpan.FromDays(30));

        // The window of the first day only, outcomes as of now: the decision-maker visit is read whole, 3 days.
        var window = new TimeWindow(T0.AddHours(-9), T0.AddHours(15));
        var trends = await analytics.GetTrendsAsync(SalesId, window, FunnelMetrics.Metrics.CohortPeriod.Day);
        Assert.Equal((clock.GetUtcNow(), "Europe/Sofia"), (trends.AsOf, trends.TimeZone));
        Assert.Equal(["2026-03-02", "2026-03-03"], trends.Periods.Select(p => p.Key));
        Assert.Equal(TimeSpan.FromDays(3), trends.Periods[0].Stage(DecisionMaker)!.Median.Value);
        Assert.Equal(1, trends.Periods[0].Stage(DecisionMaker)!.Advanced);

        // Now is 2026-04-04: the last month over is March, and the default is the six months to it.
        var accuracy = await analytics.GetForecastAccuracyAsync(SalesId);
        Assert.Equal(6, accuracy.Points.Count + accuracy.Skipped);
        Assert.All(accuracy.Points, p => Assert.True(p.HorizonEnd <= new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.FromHours(3))));
        Assert.Equal(await analytics.GetForecastAccuracyAsync(SalesId, new DateOnly(2025, 10, 1), new DateOnly(2026, 3, 1)), accuracy);
    }

    [Fact]
    public async Task FunnelAnalytics_PagesThroughLargePipelines()
    {
        var h = await RecorderHarness.WithSeedAsync();
        for (var i = 0; i < 10_050; i++)
        {
            var id = $"c{i:D5}";
            await h.Store.Clients.AddAsync(NewClient(id));
            await h.Store.Events.AppendAsync(new ClientId(id), 0, [new StageTransition(new ClientEventId(id), new ClientId(id), SalesId, 1, TransitionKind.Entered, null, DecisionMaker, T0, T0, Anna)]);
        }

        var analytics = new FunnelAnalytics(h.Store.Pipelines, h.Store.Clients, h.Store.Events, h.Clock, Options.Create(new FunnelMetricsOptions()));
        var log = await analytics.LoadAsync(SalesId);

        Assert.Equal(10_050, log.Clients.Count);
        Assert.Equal(10_050, log.EventCount);
    }

    [Fact]
    public void Options_WithAnUnknownTimeZone_FailValidationNamingIt()
    {
        using var provider = new ServiceCollection().AddFunnelMetrics(o => o.TimeZone = "Mars/Olympus").Services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<FunnelMetricsOptions>>().Value);

        Assert.Contains("Mars/Olympus", ex.Message, StringComparison.Ordinal);
    }
}
