using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Analytics;
using FunnelMetrics.Metrics;
using FunnelMetrics.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Metrics.StallsTests;

public sealed class StallTests
{
    private static async Task<FunnelEventLog> LogAsync(RecorderHarness h) =>
        await h.LogAsync();

    [Fact]
    public async Task Client_ExactlyAtItsThreshold_IsNotStalled_OneTickPastItIs()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        await h.Recorder.MoveAsync(c, Meeting, T0); // the seed's meeting stage sets 7 days
        var log = await LogAsync(h);

        var atThreshold = StallCalculator.Compute(log, T0.AddDays(7));
        var pastIt = StallCalculator.Compute(log, T0.AddDays(7).AddTicks(1));

        Assert.Empty(atThreshold.Clients);
        var stalled = Assert.Single(pastIt.Clients);
        Assert.Equal((c, Anna, Meeting, T0, TimeSpan.FromDays(7).Add(TimeSpan.FromTicks(1)), TimeSpan.FromDays(7), StallThresholdSource.Stage), (stalled.ClientId, stalled.Owner, stalled.Stage, stalled.VisitStart, stalled.Idle, stalled.Threshold, stalled.Source));
        Assert.True(stalled.Overdue > 1);
        Assert.Equal((1, 1, 1.0), (pastIt.ByStage[2].Clients, pastIt.ByStage[2].Stalled, pastIt.ByStage[2].Share!.Value));
        Assert.Equal((1, 1), (pastIt.ByOwner.Single().Clients, pastIt.ByOwner.Single().Stalled));
    }

    [Fact]
    public async Task Activity_ResetsIdleTime_OnlyUnderTheLastTouchClock()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        await h.Recorder.MoveAsync(c, Meeting, T0);
        await h.Recorder.RecordActivityAsync(c, "follow-up call", T0.AddDays(5));
        await h.Recorder.ReassignAsync(c, Boris, T0.AddDays(6));
        var log = await LogAsync(h);
        var asOf = T0.AddDays(8);

        var inStage = StallCalculator.Compute(log, asOf);
        var lastTouch = StallCalculator.Compute(log, asOf, new StallOptions { Clock = StallClock.LastTouch });

        Assert.Equal(TimeSpan.FromDays(8), Assert.Single(inStage.Clients).Idle);
        Assert.Equal(Boris, inStage.Clients[0].Owner);
        Assert.Empty(lastTouch.Clients);
        Assert.Single(StallCalculator.Compute(log, T0.AddDays(12).AddTicks(1), new StallOptions { Clock = StallClock.LastTouch }).Clients);
        Assert.Equal(T0.AddDays(5), StallCalculator.Compute(log, T0.AddDays(13), new StallOptions { Clock = StallClock.LastTouch }).Clients[0].LastTouchedAt);
    }

    [Fact]
    public async Task Thresholds_ComeFromTheStage_TheSettings_History_OrTheDefault_InThatOrder()
    {
        var h = await RecorderHarness.WithSeedAsync();
        for (var i = 1; i <= 3; i++)
        {
            var done = await h.AddClientAsync($"done{i}");
            await h.Recorder.MoveAsync(done, Offer, T0);
            await h.Recorder.MoveAsync(done, Terms, T0.AddDays(i));
        }

        var waiting = await h.AddClientAsync("waiting");
        await h.Recorder.MoveAsync(waiting, Offer, T0);
        var log = await LogAsync(h);
        var asOf = T0.AddDays(10);

        // Three completed visits of 1, 2 and 3 days and one open for 10 days.
        var p90 = StallCalculator.Thresholds(log, asOf, new StallOptions { MinimumVisits = 3 });
        var median = StallCalculator.Thresholds(log, asOf, new StallOptions { MinimumVisits = 3, Percentile = 50 });
        var tooFew = StallCalculator.Thresholds(log, asOf, new StallOptions { MinimumVisits = 4, Percentile = 50 });
        var configured = StallCalculator.Thresholds(log, asOf, new StallOptions { StageThresholds = { [Offer.Value] = TimeSpan.FromDays(20), [Meeting.Value] = TimeSpan.FromDays(1) } });

        StallThreshold OfferIn(IReadOnlyList<StallThreshold> list) => list.Single(t => t.Stage == Offer);
        Assert.Equal(new StallThreshold(Offer, TimeSpan.FromDays(14), StallThresholdSource.Default), OfferIn(p90)); // the estimate never falls to 10%
        Assert.Equal(new StallThreshold(Offer, TimeSpan.FromDays(2), StallThresholdSource.Statistical), OfferIn(median));
        Assert.Equal(StallThresholdSource.Default, OfferIn(tooFew).Source);
        Assert.Equal(new StallThreshold(Offer, TimeSpan.FromDays(20), StallThresholdSource.Settings), OfferIn(configured));
        Assert.Equal(new StallThreshold(Meeting, TimeSpan.FromDays(7), StallThresholdSource.Stage), configured.Single(t => t.Stage == Meeting));
        Assert.Equal(6, configured.Count);

        var stalled = StallCalculator.Compute(log, asOf, new StallOptions { MinimumVisits = 3, Percentile = 50 });
        Assert.Equal((waiting, StallThresholdSource.Statistical, 5.0), (stalled.Clients.Single().ClientId, stalled.Clients.Single().Source, stalled.Clients.Single().Overdue));
    }

    [Fact]
    public async Task Stalled_AreOrderedMostOverdueFirst_AndSummarisedPerStageAndOwner()
    {
        var h = await RecorderHarness.WithSeedAsync();
        foreach (var (id, stage, days) in new[] { ("a", Meeting, 0), ("b", DecisionMaker, 0), ("c", Meeting, 9), ("d", Meeting, 1) })
        {
            var c = await h.AddClientAsync(id);
            await h.Recorder.MoveAsync(c, stage, T0.AddDays(days));
        }

        await h.Recorder.ReassignAsync(new ClientId("d"), Boris, T0.AddDays(2));
        var result = StallCalculator.Compute(await LogAsync(h), T0.AddDays(15));

        Assert.Equal(["a", "d", "b"], result.Clients.Select(s => s.ClientId.Value)); // 15/7, 14/7, 15/14; c is at 6/7
        Assert.Equal((3, 2), (result.ByStage[2].Clients, result.ByStage[2].Stalled));
        Assert.Equal(2 / 3.0, result.ByStage[2].Share!.Value, 12);
        Assert.Equal((0, null), (result.ByStage[6].Clients, result.ByStage[6].Threshold));
        Assert.Equal([("anna", 3, 2), ("boris", 1, 1)], result.ByOwner.Select(o => (o.Owner.Value, o.Clients, o.Stalled)));
    }

    [Fact]
    public async Task Service_ClientAppearsWhenTimePassesTheThreshold_AndDisappearsWhenMovedOrTouched()
    {
        var clock = new FakeTimeProvider(T0);
        var services = new ServiceCollection().AddSingleton<TimeProvider>(clock);
        services.AddFunnelMetrics(o => o.Stalls.Clock = StallClock.LastTouch);
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var recorder = scope.ServiceProvider.GetRequiredService<FunnelMetrics.Recording.FunnelRecorder>();
        var analytics = scope.ServiceProvider.GetRequiredService<FunnelAnalytics>();
        await provider.GetRequiredService<FunnelMetrics.Storage.IPipelineRepository>().AddAsync(Pipeline);
        var a = (await recorder.AddClientAsync(NewClient("a"))).Id;
        var b = (await recorder.AddClientAsync(NewClient("b"))).Id;
        await recorder.MoveAsync(a, Meeting);
        await recorder.MoveAsync(b, Meeting);

        clock.Advance(TimeSpan.FromDays(7));
        Assert.Empty((await analytics.GetStalledClientsAsync(SalesId)).Clients);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["a", "b"], (await analytics.GetStalledClientsAsync(SalesId)).Clients.Select(s => s.ClientId.Value));

        await recorder.MoveAsync(a, Requirements);
        await recorder.RecordActivityAsync(b, "call");
        Assert.Empty((await analytics.GetStalledClientsAsync(SalesId)).Clients);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task Options_WithNonPositiveThresholds_ThrowNamingTheSetting(int days)
    {
        var h = await RecorderHarness.WithSeedAsync();
        var log = await LogAsync(h);

        var byDefault = Assert.Throws<ArgumentException>(() => StallCalculator.Compute(log, T0, new StallOptions { DefaultThreshold = TimeSpan.FromDays(days) }));
        var perStage = Assert.Throws<ArgumentException>(() => StallCalculator.Thresholds(log, T0, new StallOptions { StageThresholds = { [Offer.Value] = TimeSpan.FromDays(days) } }));

        Assert.Equal(("options", "options"), (byDefault.ParamName, perStage.ParamName));
        Assert.Contains($"Stalls.DefaultThreshold must be between 1 second and 3650 days, both inclusive; got {TimeSpan.FromDays(days):c}.", byDefault.Message, StringComparison.Ordinal);
        Assert.Contains("Stalls.StageThresholds['offer'] must be a strictly positive duration", perStage.Message, StringComparison.Ordinal);
        Assert.Contains("Stalls.DefaultThreshold", Assert.Throws<ArgumentException>(() => FunnelLiveView.Create(log, T0, new StallOptions { DefaultThreshold = TimeSpan.FromDays(days) })).Message, StringComparison.Ordinal);
        Assert.Contains("Stalls.DefaultThreshold", Assert.Throws<ArgumentException>(() => StuckStagesCalculator.Compute(log, TimeWindow.Ending(T0, TimeSpan.FromDays(1)), new StallOptions { DefaultThreshold = TimeSpan.FromDays(days) })).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(100.5)]
    public async Task Options_WithAPercentileOutside0To100_Throw(double percentile)
    {
        var log = await LogAsync(await RecorderHarness.WithSeedAsync());

        var ex = Assert.Throws<ArgumentException>(() => StallCalculator.Compute(log, T0, new StallOptions { Percentile = percentile }));

        Assert.Equal("options", ex.ParamName);
        Assert.Contains("Stalls.Percentile", ex.Message, StringComparison.Ordinal);
        Assert.Equal(StallThresholdSource.Default, StallCalculator.Thresholds(log, T0, new StallOptions { Percentile = 100 })[0].Source);
    }

    [Theory]
    [InlineData("Stalls:Percentile", "0")]
    [InlineData("Stalls:Percentile", "101")]
    [InlineData("Stalls:DefaultThreshold", "00:00:00")]
    [InlineData("Stalls:DefaultThreshold", "3650.00:00:01")]
    [InlineData("Stalls:MinimumVisits", "0")]
    [InlineData("Stalls:StageThresholds:meeting", "-1.00:00:00")]
    public void Options_WithBadStallOptions_FailValidationNamingTheSetting(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [$"FunnelMetrics:{key}"] = value }).Build();
        using var provider = new ServiceCollection().AddFunnelMetrics(configuration.GetSection("FunnelMetrics")).Services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<FunnelMetricsOptions>>().Value);

        Assert.Contains(string.Join('.', key.Split(':').Take(2)), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_BindStallThresholdsPerStage()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FunnelMetrics:Stalls:StageThresholds:offer"] = "3.00:00:00",
            ["FunnelMetrics:Stalls:Clock"] = "LastTouch",
        }).Build();
        using var provider = new ServiceCollection().AddFunnelMetrics(configuration.GetSection("FunnelMetrics")).Services.BuildServiceProvider();

        var settings = provider.GetRequiredService<IOptions<FunnelMetricsOptions>>().Value.Stalls;

        Assert.Equal(TimeSpan.FromDays(3), settings.StageThresholds[Offer.Value]);
        Assert.Equal(StallClock.LastTouch, settings.Clock);
    }

    [Property(MaxTest = 150)]
    public Property StalledClients_AreOpen_AndIdleLongerThanTheirThreshold() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Gen.Elements(StallClock.TimeInStage, StallClock.LastTouch)), (h, clock) =>
        {
            var settings = new StallOptions { Clock = clock, DefaultThreshold = TimeSpan.FromHours(30), MinimumVisits = 3 };
            var result = StallCalculator.Compute(h.Log(), h.AsOf, settings);
            foreach (var s in result.Clients)
            {
                var client = h.Clients.Single(c => c.Id == s.ClientId);
                var state = ClientState.Replay(client, h.Events.Where(e => e.ClientId == s.ClientId && e.OccurredAt <= h.AsOf).OrderBy(e => e.Sequence));
                Assert.Equal(ClientStatus.Open, state.Status);
                Assert.Equal(state.Stage, s.Stage);
                Assert.Equal(state.Owner, s.Owner);
                Assert.Equal(h.AsOf - (clock == StallClock.TimeInStage ? state.StageEnteredAt!.Value : state.LastTouchedAt!.Value), s.Idle);
                Assert.True(s.Idle > s.Threshold);
                Assert.Equal(result.Thresholds.Single(t => t.Stage == s.Stage).Threshold, s.Threshold);
            }

            Assert.Equal(result.Clients.Count, result.ByStage.Sum(x => x.Stalled));
            Assert.Equal(result.Clients.Count, result.ByOwner.Sum(x => x.Stalled));
            Assert.True(result.Clients.Zip(result.Clients.Skip(1)).All(p => p.First.Overdue >= p.Second.Overdue));
        });

    [Property(MaxTest = 150)]
    public Property WithFixedThresholds_TimePassingWithoutEvents_NeverRemovesAStalledClient() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Gen.Choose(1, 20_000)), (h, minutes) =>
        {
            var log = h.Log();
            var fixedThresholds = new StallOptions { StageThresholds = h.Pipeline.Stages.ToDictionary(s => s.Key.Value, _ => TimeSpan.FromHours(20)) };
            var after = h.LastEventAt > h.AsOf ? h.LastEventAt : h.AsOf;
            var earlier = StallCalculator.Compute(log, after, fixedThresholds).Clients.Select(s => s.ClientId).ToHashSet();
            var later = StallCalculator.Compute(log, after.AddMinutes(minutes), fixedThresholds).Clients.Select(s => s.ClientId).ToHashSet();

            Assert.Subset(later, earlier);
        });

    [Property(MaxTest = 100)]
    public Property StalledSet_DoesNotDependOnInputOrder() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var random = new Random(h.Seed);
            var settings = new StallOptions { DefaultThreshold = TimeSpan.FromHours(30), MinimumVisits = 2, Percentile = 75 };
            var shuffled = FunnelEventLog.Build(h.Pipeline, h.Clients.OrderBy(_ => random.Next()), h.Events.OrderBy(_ => random.Next()));

            Assert.Equal(StallCalculator.Compute(h.Log(), h.AsOf, settings), StallCalculator.Compute(shuffled, h.AsOf, settings), new JsonEquality<StalledClients>(FunnelMetrics.Serialization.FunnelMetricsJsonContext.Default.StalledClients));
        });
}
