using System.Text.Json;
using FunnelMetrics.Analytics;
using FunnelMetrics.Metrics;
using FunnelMetrics.Serialization;
using FunnelMetrics.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Metrics;

public sealed class MetricsEdgeCaseTests
{
    private static async Task<(RecorderHarness Harness, ClientId Client)> OneClientAsync(DateTimeOffset created)
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = (await h.Recorder.AddClientAsync(NewClient("c1", created))).Id;
        return (h, c);
    }

    private static async Task<FunnelEventLog> LogAsync(RecorderHarness h) =>
        await h.LogAsync();

    [Fact]
    public async Task FlowLedger_OnTheSpringForwardDay_Has23HoursAndSplitsAtLocalMidnight()
    {
        // Europe/Sofia moves from 03:00 EET to 04:00 EEST on Sunday 29 March 2026.
        var (h, c) = await OneClientAsync(new DateTimeOffset(2026, 3, 27, 0, 0, 0, TimeSpan.Zero));
        await h.Recorder.MoveAsync(c, DecisionMaker, new DateTimeOffset(2026, 3, 29, 20, 59, 0, TimeSpan.Zero)); // 23:59 EEST on the 29th
        await h.Recorder.MoveAsync(c, Interest, new DateTimeOffset(2026, 3, 29, 21, 0, 0, TimeSpan.Zero)); // 00:00 EEST on the 30th

        var ledger = FlowLedgerCalculator.Compute(await LogAsync(h), new DateOnly(2026, 3, 28), new DateOnly(2026, 3, 30), "Europe/Sofia");

        Assert.Equal([24.0, 23.0, 24.0], ledger.Days.Select(d => (d.End - d.Start).TotalHours));
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 22, 0, 0, TimeSpan.Zero), ledger.Days[1].Start);
        Assert.Equal([0, 1, 0], ledger.Days.Select(d => d.Totals.New));
        Assert.Equal([0, 0, 1], ledger.Days.Select(d => d.Totals.ForwardMoves));
        Assert.Equal([0, 1, 0], ledger.Days.Select(d => d.Stages[0].CountAtEnd));
    }

    [Fact]
    public void FlowLedger_OnTheFallBackDay_Has25Hours()
    {
        var log = FunnelEventLog.Build(Pipeline, [], []);

        var ledger = FlowLedgerCalculator.Compute(log, new DateOnly(2026, 10, 25), new DateOnly(2026, 10, 25), "Europe/Sofia");

        Assert.Equal(25.0, (ledger.Days[0].End - ledger.Days[0].Start).TotalHours);
        Assert.All(ledger.Days[0].Stages, r => Assert.Equal(0, r.CountAtEnd));
    }

    [Fact]
    public void FlowLedger_WhereDaylightSavingSwallowsMidnight_StartsTheDayAtTheEndOfTheGap()
    {
        // America/Santiago springs forward at 24:00 on Saturday 5 September 2026: Sunday starts at 01:00 local (-03:00).
        var log = FunnelEventLog.Build(Pipeline, [], []);

        var ledger = FlowLedgerCalculator.Compute(log, new DateOnly(2026, 9, 6), new DateOnly(2026, 9, 6), "America/Santiago");

        Assert.Equal(new DateTimeOffset(2026, 9, 6, 4, 0, 0, TimeSpan.Zero), ledger.Days[0].Start);
        Assert.Equal(23.0, (ledger.Days[0].End - ledger.Days[0].Start).TotalHours);
    }

    [Fact]
    public void FlowLedger_WithAnUnknownTimeZone_ThrowsNamingIt()
    {
        var log = FunnelEventLog.Build(Pipeline, [], []);

        var ex = Assert.Throws<ArgumentException>(() => FlowLedgerCalculator.Compute(log, new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 2), "Europe/Atlantis"));

        Assert.Contains("Europe/Atlantis", ex.Message, StringComparison.Ordinal);
        Assert.Equal("timeZoneId", ex.ParamName);
    }

    [Fact]
    public void Windows_ThatAreEmptyOrReversed_Throw()
    {
        var log = FunnelEventLog.Build(Pipeline, [], []);

        Assert.Throws<ArgumentException>(() => FlowLedgerCalculator.Compute(log, new DateOnly(2026, 3, 3), new DateOnly(2026, 3, 2), "UTC"));
        Assert.Throws<ArgumentException>(() => ConversionCalculator.Compute(log, new TimeWindow(T0, T0)));
        Assert.Throws<ArgumentException>(() => ConversionCalculator.Compute(log, new TimeWindow(T0, T0.AddDays(1)), T0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConversionCalculator.Compute(log, new TimeWindow(T0, T0.AddDays(1)), conversionWindow: TimeSpan.Zero));
        Assert.Equal("window", Assert.Throws<ArgumentException>(() => VelocityCalculator.Compute(log, new TimeWindow(T0, T0))).ParamName);
        Assert.Equal("window", Assert.Throws<ArgumentException>(() => StuckStagesCalculator.Compute(log, new TimeWindow(T0, T0))).ParamName);
        Assert.Equal("cohorts", Assert.Throws<ArgumentException>(() => ConversionCalculator.Compute(log, new TimeWindow(T0, T0))).ParamName);
        Assert.Equal("outcomesBefore", Assert.Throws<ArgumentException>(() => ConversionCalculator.Compute(log, new TimeWindow(T0, T0.AddDays(1)), T0.AddDays(1).AddTicks(-1))).ParamName);

        // A reversed window cannot be built at all: the interval type refuses it, naming its end.
        Assert.Equal("end", Assert.Throws<ArgumentOutOfRangeException>(() => new TimeWindow(T0, T0.AddDays(-1))).ParamName);
        Assert.Equal("end", Assert.Throws<ArgumentOutOfRangeException>(() => new TimeWindow(T0.AddTicks(1), T0)).ParamName);

        // An empty window of time in stage is allowed and holds no visit.
        Assert.All(TimeInStageCalculator.Compute(log, new TimeWindow(T0, T0)).Stages, s => Assert.Equal(0, s.Completed.Count + s.OpenVisits));
    }

    [Fact]
    public async Task EveryWindow_HoldsItsStart_AndNotItsEnd()
    {
        // One client enters the decision maker exactly at a window's start and moves to interest exactly at its end.
        var (h, c) = await OneClientAsync(T0);
        await h.Recorder.MoveAsync(c, DecisionMaker, T0);
        await h.Recorder.MoveAsync(c, Interest, T0.AddDays(1));
        var log = await LogAsync(h);
        var window = new TimeWindow(T0, T0.AddDays(1));
        var longer = new TimeWindow(T0, T0.AddDays(1).AddTicks(1));
        var later = new TimeWindow(T0.AddTicks(1), T0.AddDays(1).AddTicks(1));

        // Time in stage: the visit begun at the start is in, still open at the end and measured up to it.
        var time = TimeInStageCalculator.Compute(log, window).Stages[0];
        Assert.Equal((0, 1, TimeSpan.FromDays(1)), (time.Completed.Count, time.OpenVisits, time.PerClient.Median));
        Assert.Equal((1, 0), (TimeInStageCalculator.Compute(log, longer).Stages[0].Completed.Count, TimeInStageCalculator.Compute(log, longer).Stages[0].OpenVisits));
        Assert.Equal(0, TimeInStageCalculator.Compute(log, later).Stages[0].Completed.Count + TimeInStageCalculator.Compute(log, later).Stages[0].OpenVisits);

        // Conversion: reaching at the start puts it in the cohort; the advance at the end is an outcome only when read after it.
        var conversion = ConversionCalculator.Compute(log, window).Stages[0];
        Assert.Equal((1, 0, 1), (conversion.Cohort, conversion.Advanced, conversion.Remaining));
        Assert.Equal(1, ConversionCalculator.Compute(log, window, T0.AddDays(1).AddTicks(1)).Stages[0].Advanced);
        Assert.Equal(0, ConversionCalculator.Compute(log, later).Stages[0].Cohort);

        // Velocity: the move at the end belongs to the next window; the client is open at this one's end.
        Assert.Equal(0, VelocityCalculator.Compute(log, window).Stages[0].ForwardMoves);
        Assert.Equal(1, VelocityCalculator.Compute(log, longer).Stages[0].ForwardMoves);

        // Stuck stages: the client is still at the decision maker at the window's end, a day into its visit.
        var stuck = StuckStagesCalculator.Compute(log, window).Stages.Single(s => s.Stage == DecisionMaker).Current;
        Assert.Equal((1, new DurationEstimate(null, TimeSpan.FromDays(1)), 0.0), (stuck.Clients, stuck.Median, stuck.ConversionToNext));
        var after = StuckStagesCalculator.Compute(log, longer).Stages.Single(s => s.Stage == DecisionMaker).Current;
        Assert.Equal((0, new DurationEstimate(TimeSpan.FromDays(1), null), 1.0), (after.Clients, after.Median, after.ConversionToNext));
    }

    [Fact]
    public async Task Conversion_WithAWindow_CountsALateAdvanceThatWasLostLaterAsAdvancedLate()
    {
        var (h, c) = await OneClientAsync(T0);
        await h.Recorder.MoveAsync(c, DecisionMaker, T0);
        await h.Recorder.MoveAsync(c, Interest, T0.AddDays(3));
        await h.Recorder.MarkLostAsync(c, occurredAt: T0.AddDays(4));

        var conversion = ConversionCalculator.Compute(await LogAsync(h), new TimeWindow(T0, T0.AddDays(1)), T0.AddDays(5), TimeSpan.FromDays(1));

        Assert.Equal((1, 0, 1, 0, 0), conversion.Stages[0] is var s ? (s.Cohort, s.Advanced, s.AdvancedLate, s.Lost, s.Remaining) : default);
        Assert.Equal(0, conversion.Stages[1].Cohort); // interest was reached after the cohort window
    }

    [Fact]
    public void FlowLedger_AnImportedActivityCarryingAnotherOwner_CountsAsAHandOver()
    {
        var client = NewClient("c1");
        ClientEvent[] events =
        [
            new StageTransition(new ClientEventId("e1"), client.Id, SalesId, 1, TransitionKind.Entered, null, Meeting, T0, T0, Anna),
            new ClientActivity(new ClientEventId("e2"), client.Id, SalesId, 2, T0.AddDays(1), T0.AddDays(1), Boris, "call by boris"),
        ];

        var day = FlowLedgerCalculator.Compute(FunnelEventLog.Build(Pipeline, [client], events), new DateOnly(2026, 3, 3), new DateOnly(2026, 3, 3), "UTC").Days[0];

        Assert.Equal(1, day.ByOwner.Single(o => o.Owner == Anna).Stages[2].ReassignedOut);
        Assert.Equal(0, day.ByOwner.Single(o => o.Owner == Anna).Stages[2].CountAtEnd);
        Assert.Equal((1, 1, 1), day.ByOwner.Single(o => o.Owner == Boris).Stages[2] is var b ? (b.ReassignedIn, b.Activities, b.CountAtEnd) : default);
    }

    [Fact]
    public void FlowLedger_TooLargeForOneCall_ThrowsAskingForFewerDays()
    {
        var clients = Enumerable.Range(0, 2000).Select(i => NewClient($"c{i}", owner: new OwnerId($"o{i}"))).ToArray();
        var log = FunnelEventLog.Build(Pipeline, clients, []);

        var ex = Assert.Throws<ArgumentException>(() => FlowLedgerCalculator.Compute(log, new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31), "UTC"));

        Assert.Contains("fewer days", ex.Message, StringComparison.Ordinal);
        Assert.Equal(31, FlowLedgerCalculator.Compute(log, new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 31), "UTC").Days.Count);
    }

    [Fact]
    public void Metrics_OfAnEmptyPipeline_AreZeroOrAbsent_NotNaN()
    {
        var log = FunnelEventLog.Build(Pipeline, [], []);

        var conversion = ConversionCalculator.Compute(log, new TimeWindow(T0, T0.AddDays(1)));
        var velocity = VelocityCalculator.Compute(log, new TimeWindow(T0, T0.AddDays(1)));
        var time = TimeInStageCalculator.Compute(log, TimeWindow.Until(T0));

        Assert.All(conversion.Stages, s => Assert.Null(s.AdvancedShare));
        Assert.Null(conversion.WinRate.Rate);
        Assert.Equal(new SalesVelocity(0, null, null, null, null, null), velocity.SalesVelocity);
        Assert.All(time.Stages, s => Assert.Equal(DurationEstimate.None, s.Median));
        Assert.Null(log.FirstEventAt);
    }

    [Fact]
    public void Build_RefusesBrokenHistories_NamingTheClientAndTheEvent()
    {
        var client = NewClient("c1");
        StageTransition T(long seq, TransitionKind kind, StageId? from, StageId? to, DateTimeOffset at, string? id = null) =>
            new(new ClientEventId(id ?? $"e{seq}"), client.Id, SalesId, seq, kind, from, to, at, at, Anna);

        var gap = Assert.Throws<FunnelHistoryException>(() => FunnelEventLog.Build(Pipeline, [client], [T(1, TransitionKind.Entered, null, DecisionMaker, T0), T(3, TransitionKind.Advanced, DecisionMaker, Interest, T0)]));
        Assert.Contains("'c1'", gap.Message, StringComparison.Ordinal);
        Assert.Contains("'e3'", gap.Message, StringComparison.Ordinal);
        Assert.Equal((FunnelRule.SequenceNotNext, client.Id, new ClientEventId("e3"), 3L, T0), (gap.Rule, gap.ClientId, gap.EventId, gap.Sequence, gap.OccurredAt));

        Assert.Equal(FunnelRule.EventBeforePreviousEvent, Assert.Throws<FunnelHistoryException>(() => FunnelEventLog.Build(Pipeline, [client], [T(1, TransitionKind.Entered, null, DecisionMaker, T0), T(2, TransitionKind.Advanced, DecisionMaker, Interest, T0.AddTicks(-1))])).Rule);
        Assert.Equal(FunnelRule.KindContradictsStageOrder, Assert.Throws<FunnelHistoryException>(() => FunnelEventLog.Build(Pipeline, [client], [T(1, TransitionKind.Entered, null, DecisionMaker, T0), T(2, TransitionKind.Skipped, DecisionMaker, Interest, T0)])).Rule);
        Assert.Equal(FunnelRule.UnknownStage, Assert.Throws<FunnelHistoryException>(() => FunnelEventLog.Build(Pipeline, [client], [T(1, TransitionKind.Entered, null, new StageId("unknown"), T0)])).Rule);
        Assert.Equal(FunnelRule.AlreadyEntered, Assert.Throws<FunnelHistoryException>(() => FunnelEventLog.Build(Pipeline, [client], [T(1, TransitionKind.Entered, null, DecisionMaker, T0), T(2, TransitionKind.Entered, null, Interest, T0)])).Rule);
        Assert.Throws<ArgumentException>(() => FunnelEventLog.Build(Pipeline, [], [T(1, TransitionKind.Entered, null, DecisionMaker, T0)]));
        Assert.Throws<ArgumentException>(() => FunnelEventLog.Build(Pipeline, [new Client(new ClientId("x"), new PipelineId("other"), Anna, T0)], []));
    }

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

    [Fact]
    public async Task Results_RoundTripThroughTheJsonContext()
    {
        var (h, c) = await OneClientAsync(T0);
        await h.Recorder.MoveAsync(c, DecisionMaker, T0);
        await h.Recorder.MoveAsync(c, Offer, T0.AddDays(1));
        var log = await LogAsync(h);
        var json = FunnelMetricsJsonContext.Default;

        void RoundTrips<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info)
        {
            var text = JsonSerializer.Serialize(value, info);
            Assert.Equal(text, JsonSerializer.Serialize(JsonSerializer.Deserialize(text, info)!, info));
        }

        RoundTrips(StageCountsCalculator.Compute(log, T0.AddDays(2)), json.StageCounts);
        RoundTrips(FlowLedgerCalculator.Compute(log, new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 4), "Europe/Sofia"), json.FlowLedger);
        RoundTrips(TimeInStageCalculator.Compute(log, TimeWindow.Until(T0.AddDays(2))), json.TimeInStage);
        RoundTrips(ConversionCalculator.Compute(log, new TimeWindow(T0, T0.AddDays(2))), json.Conversion);
        RoundTrips(VelocityCalculator.Compute(log, new TimeWindow(T0, T0.AddDays(2))), json.Velocity);
        RoundTrips(new FunnelFilter { Owners = [Anna], Attributes = new Dictionary<string, string> { ["source"] = "web" }, EnteredFrom = T0 }, json.FunnelFilter);
        Assert.Contains("\"stages\":[{\"stage\":\"decision-maker\",\"clients\":0}", JsonSerializer.Serialize(StageCountsCalculator.Compute(log, T0.AddDays(2)), json.StageCounts), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Filters_ByAttributeAndEntryCohort_KeepOnlyMatchingClients()
    {
        var h = await RecorderHarness.WithSeedAsync();
        await h.Recorder.AddClientAsync(new Client(new ClientId("web"), SalesId, Anna, T0, null, new Dictionary<string, string> { ["source"] = "web" }));
        await h.Recorder.AddClientAsync(new Client(new ClientId("fair"), SalesId, Anna, T0, null, new Dictionary<string, string> { ["source"] = "fair" }));
        await h.Recorder.MoveAsync(new ClientId("web"), DecisionMaker, T0);
        await h.Recorder.MoveAsync(new ClientId("fair"), DecisionMaker, T0.AddDays(2));
        var log = await LogAsync(h);

        Assert.Equal(1, StageCountsCalculator.Compute(log, T0.AddDays(3), new FunnelFilter { Attributes = new Dictionary<string, string> { ["source"] = "fair" } }).InWork);
        Assert.Equal(0, StageCountsCalculator.Compute(log, T0.AddDays(3), new FunnelFilter { Attributes = new Dictionary<string, string> { ["region"] = "north" } }).InWork);
        Assert.Equal(1, ConversionCalculator.Compute(log, new TimeWindow(T0, T0.AddDays(3)), filter: new FunnelFilter { EnteredFrom = T0, EnteredTo = T0.AddDays(1) }).Stages[0].Cohort);
        Assert.Equal(2, ConversionCalculator.Compute(log, new TimeWindow(T0, T0.AddDays(3))).Stages[0].Cohort);
        Assert.Equal(1, StageCountsCalculator.Compute(log, T0.AddDays(3), new FunnelFilter { EnteredFrom = T0.AddDays(1) }).InWork);
    }
}
