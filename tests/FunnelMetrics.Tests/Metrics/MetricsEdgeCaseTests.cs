using System.Text.Json;
using FunnelMetrics.Metrics;
using FunnelMetrics.Serialization;
using FunnelMetrics.Tests.Support;
using static FunnelMetrics.Testing.Seed;
using static FunnelMetrics.Tests.Support.EdgeCaseHistory;

namespace FunnelMetrics.Tests.Metrics;

/// <summary>Edge cases every metric meets alike: windows, an empty pipeline, broken histories, JSON and filters.</summary>
public sealed class MetricsEdgeCaseTests
{
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
