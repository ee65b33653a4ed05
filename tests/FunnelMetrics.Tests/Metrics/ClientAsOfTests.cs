using FunnelMetrics.Forecasting;
using FunnelMetrics.Metrics;
using FunnelMetrics.Recording;
using FunnelMetrics.Tests.Support;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Metrics;

/// <summary>
/// "The client as of T", computed by hand: each metric reads a client's value and attributes at its one instant (the
/// as-of instant of a point-in-time metric, the last instant of a window metric's window), and an update is never an
/// action, a move or a hand-over.
/// </summary>
public sealed class ClientAsOfTests
{
    private static readonly Dictionary<string, string> North = new() { ["region"] = "north" };

    private static FunnelFilter Region(string value) => new() { Attributes = new Dictionary<string, string> { ["region"] = value } };

    [Fact]
    public async Task Forecast_ExpectedValue_UsesTheValueAsOfTheForecastsInstant()
    {
        // One client at the offer stage (configured win probability 0.4), worth 1000, then 3000 from day 2 on.
        var h = await RecorderHarness.WithSeedAsync();
        var c = (await h.Recorder.AddClientAsync(new Client(new ClientId("c1"), SalesId, Anna, T0, 1000m))).Id;
        await h.Recorder.MoveAsync(c, Offer, T0.AddHours(1));
        await h.Recorder.UpdateClientAsync(c, ClientChanges.None.WithValue(3000m), T0.AddDays(2));
        var log = await h.LogAsync();

        var before = ForecastCalculator.Compute(log, T0.AddDays(1));
        var atTheUpdate = ForecastCalculator.Compute(log, T0.AddDays(2));
        var after = ForecastCalculator.Compute(log, T0.AddDays(3));

        Assert.Equal(0.4, before.ExpectedWins);
        Assert.Equal(400m, before.ExpectedValue);
        Assert.Equal(1200m, atTheUpdate.ExpectedValue);
        Assert.Equal(1200m, after.ExpectedValue);
    }

    [Fact]
    public async Task Forecast_OfAValueMadeUnknown_CountsNoValue()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = (await h.Recorder.AddClientAsync(new Client(new ClientId("c1"), SalesId, Anna, T0, 1000m))).Id;
        var d = (await h.Recorder.AddClientAsync(new Client(new ClientId("c2"), SalesId, Anna, T0, 500m))).Id;
        await h.Recorder.MoveAsync(c, Terms, T0.AddHours(1));
        await h.Recorder.MoveAsync(d, Terms, T0.AddHours(1));
        await h.Recorder.UpdateClientAsync(c, ClientChanges.None.WithValue(null), T0.AddDays(1));
        var log = await h.LogAsync();

        // Terms: 0.8. Before: 0.8 x (1000 + 500); after: only 0.8 x 500, the other value being unknown.
        Assert.Equal(1200m, ForecastCalculator.Compute(log, T0.AddHours(2)).ExpectedValue);
        Assert.Equal(400m, ForecastCalculator.Compute(log, T0.AddDays(1)).ExpectedValue);
    }

    [Fact]
    public async Task StageCounts_FilterAndBreakdown_ReadTheAttributesAsOfTheInstant()
    {
        // c1 north, moved to the south on day 2, loses the attribute on day 4; c2 north throughout; c3 gains it on day 3.
        var h = await RecorderHarness.WithSeedAsync();
        var c1 = (await h.Recorder.AddClientAsync(new Client(new ClientId("c1"), SalesId, Anna, T0, null, North))).Id;
        var c2 = (await h.Recorder.AddClientAsync(new Client(new ClientId("c2"), SalesId, Boris, T0, null, North))).Id;
        var c3 = await h.AddClientAsync("c3");
        foreach (var c in new[] { c1, c2, c3 })
        {
            await h.Recorder.MoveAsync(c, Meeting, T0.AddHours(1));
        }

        await h.Recorder.UpdateClientAsync(c1, ClientChanges.None.WithAttribute("region", "south"), T0.AddDays(2));
        await h.Recorder.UpdateClientAsync(c3, ClientChanges.None.WithAttribute("region", "north"), T0.AddDays(3));
        await h.Recorder.UpdateClientAsync(c1, ClientChanges.None.WithoutAttribute("region"), T0.AddDays(4));
        var log = await h.LogAsync();

        int InWork(DateTimeOffset at, string region) => StageCountsCalculator.Compute(log, at, Region(region)).InWork;
        Assert.Equal((2, 0), (InWork(T0.AddDays(1), "north"), InWork(T0.AddDays(1), "south")));
        Assert.Equal((1, 1), (InWork(T0.AddDays(2), "north"), InWork(T0.AddDays(2), "south")));
        Assert.Equal((2, 1), (InWork(T0.AddDays(3), "north"), InWork(T0.AddDays(3), "south")));
        Assert.Equal((2, 0), (InWork(T0.AddDays(4), "north"), InWork(T0.AddDays(4), "south")));
        Assert.Equal(3, StageCountsCalculator.Compute(log, T0.AddDays(4), Region("north") with { Attributes = null }).InWork);

        // The groups are every value any client held; a client is in the group of its value at the metric's instant.
        var day2 = FunnelBreakdowns.ByAttribute(log, "region", f => StageCountsCalculator.Compute(log, T0.AddDays(2), f).InWork);
        var day4 = FunnelBreakdowns.ByAttribute(log, "region", f => StageCountsCalculator.Compute(log, T0.AddDays(4), f).InWork);
        Assert.Equal([("north", 1), ("south", 1)], day2.Select(b => (b.Key, b.Result)));
        Assert.Equal([("north", 2), ("south", 0)], day4.Select(b => (b.Key, b.Result)));

        Assert.Equal(new Client(c1, SalesId, Anna, T0), log.ClientAsOf(c1, T0.AddDays(4)));
        Assert.Equal(new Client(c1, SalesId, Anna, T0, null, new Dictionary<string, string> { ["region"] = "south" }), log.ClientAsOf(c1, T0.AddDays(3)));
        Assert.Same(log.Clients[0], log.ClientAsOf(c1, T0.AddDays(2).AddTicks(-1)));
        Assert.Throws<ArgumentException>(() => log.ClientAsOf(new ClientId("nobody"), T0));
    }

    [Fact]
    public async Task WindowMetrics_FilterByAnAttributeThatChangedMidWindow_ReadItAtTheWindowsEnd()
    {
        // c1: north until day 5, then south. It advances on day 1 (north then) and on day 7 (south then); won on day 8.
        // c2: north throughout, advances on day 2.
        var h = await RecorderHarness.WithSeedAsync();
        var c1 = (await h.Recorder.AddClientAsync(new Client(new ClientId("c1"), SalesId, Anna, T0, 100m, North))).Id;
        var c2 = (await h.Recorder.AddClientAsync(new Client(new ClientId("c2"), SalesId, Anna, T0, 900m, North))).Id;
        await h.Recorder.MoveAsync(c1, DecisionMaker, T0);
        await h.Recorder.MoveAsync(c2, DecisionMaker, T0);
        await h.Recorder.MoveAsync(c1, Interest, T0.AddDays(1));
        await h.Recorder.MoveAsync(c2, Interest, T0.AddDays(2));
        await h.Recorder.UpdateClientAsync(c1, ClientChanges.None.WithAttribute("region", "south").WithValue(300m), T0.AddDays(5));
        await h.Recorder.MoveAsync(c1, Meeting, T0.AddDays(7));
        await h.Recorder.MoveAsync(c1, Contract, T0.AddDays(8));
        var log = await h.LogAsync();

        // A window ending before the change: both clients are north, c1's one advance counts for the north.
        var early = new TimeWindow(T0, T0.AddDays(4));
        Assert.Equal(2, Forward(VelocityCalculator.Compute(log, early, Region("north"))));
        Assert.Equal(0, Forward(VelocityCalculator.Compute(log, early, Region("south"))));

        // A window ending after it: c1 is south as of the window's end, so all of its moves in the window are the south's,
        // those made while it was north included, and its won value is the one it has then.
        var late = new TimeWindow(T0, T0.AddDays(10));
        var north = VelocityCalculator.Compute(log, late, Region("north"));
        var south = VelocityCalculator.Compute(log, late, Region("south"));
        Assert.Equal(1, Forward(north));
        Assert.Equal(3, Forward(south));
        Assert.Null(north.SalesVelocity.AverageWonValue);
        Assert.Equal(300m, south.SalesVelocity.AverageWonValue);
        Assert.Equal(300m, VelocityCalculator.Compute(log, late).SalesVelocity.AverageWonValue);

        // The tick before the window's end is its last instant: a window ending exactly at the change still reads north.
        var toTheChange = new TimeWindow(T0, T0.AddDays(5));
        Assert.Equal(2, Forward(VelocityCalculator.Compute(log, toTheChange, Region("north"))));
        Assert.Equal(0, Forward(VelocityCalculator.Compute(log, toTheChange, Region("south"))));

        // Conversion, time in stage and the flow ledger read the same instant.
        Assert.Equal(1, ConversionCalculator.Compute(log, late, filter: Region("south")).FirstStageCohort);
        Assert.Equal(1, ConversionCalculator.Compute(log, late, filter: Region("north")).FirstStageCohort);
        Assert.Equal(0, ConversionCalculator.Compute(log, early, filter: Region("south")).FirstStageCohort);
        Assert.Equal(2, ConversionCalculator.Compute(log, early, filter: Region("north")).FirstStageCohort);

        // Conversion's instant is the last one whose outcomes it reads: cohorts of the early window, outcomes up to day 10.
        Assert.Equal(1, ConversionCalculator.Compute(log, early, T0.AddDays(10), filter: Region("south")).FirstStageCohort);

        // c1's completed visits in the late window: decision maker, interest, meeting (3); c2's: decision maker (1).
        Assert.Equal(3, TimeInStageCalculator.Compute(log, late, Region("south")).Stages.Sum(s => s.Completed.Count));
        Assert.Equal(1, TimeInStageCalculator.Compute(log, late, Region("north")).Stages.Sum(s => s.Completed.Count));
        var flows = FlowLedgerCalculator.Compute(log, DateOnly.FromDateTime(T0.UtcDateTime), DateOnly.FromDateTime(T0.AddDays(9).UtcDateTime), "UTC", Region("south"));
        Assert.Equal(3, flows.Days.Sum(d => d.Totals.ForwardMoves));
        Assert.Equal(1, flows.Days.Sum(d => d.Totals.New));
    }

    [Fact]
    public async Task Update_IsNoActivityNoTouchNoMoveAndNoHandOver()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        await h.Recorder.MoveAsync(c, Meeting, T0);
        var log = await h.LogAsync();
        await h.Recorder.UpdateClientAsync(c, ClientChanges.None.WithValue(5m).WithAttribute("region", "north"), T0.AddDays(9));
        var updated = await h.LogAsync();

        // The meeting stage stalls after 7 days; an update on day 9 is not a touch, so the client stays stalled since day 0.
        var stalls = StallCalculator.Compute(updated, T0.AddDays(10), new StallOptions { Clock = StallClock.LastTouch });
        Assert.Equal(T0, Assert.Single(stalls.Clients).LastTouchedAt);
        Assert.Equal(StallCalculator.Compute(log, T0.AddDays(10), new StallOptions { Clock = StallClock.LastTouch }), stalls);

        var days = (DateOnly.FromDateTime(T0.UtcDateTime), DateOnly.FromDateTime(T0.AddDays(10).UtcDateTime));
        Assert.Equal(FlowLedgerCalculator.Compute(log, days.Item1, days.Item2, "UTC"), FlowLedgerCalculator.Compute(updated, days.Item1, days.Item2, "UTC"));
        Assert.Equal(0, FlowLedgerCalculator.Compute(updated, days.Item1, days.Item2, "UTC").Days.Sum(d => d.Totals.Activities));
        Assert.Equal(2, updated.EventCount);
        Assert.Equal(1, updated.UpdateCount);
        Assert.Equal(0, log.UpdateCount);
    }

    [Fact]
    public void StoredUpdate_CarryingAnotherOwner_HandsNothingOver()
    {
        // The recorder always writes the client's owner on an update; a stored one naming someone else changes no owner.
        var client = NewClient("c1");
        var move = new StageTransition(new ClientEventId("e1"), client.Id, SalesId, 1, TransitionKind.Entered, null, Meeting, T0, T0, Anna);
        var update = new ClientUpdate(new ClientEventId("e2"), client.Id, SalesId, 2, T0.AddHours(1), T0.AddHours(1), Boris, true, 7m, false, null, null);
        var activity = new ClientActivity(new ClientEventId("e3"), client.Id, SalesId, 3, T0.AddHours(2), T0.AddHours(2), Anna);

        var state = ClientState.Replay(client, [move, update, activity]);
        var log = FunnelEventLog.Build(Pipeline, [client], [move, update, activity]);
        var counts = StageCountsCalculator.Compute(log, T0.AddHours(1));
        var days = (DateOnly.FromDateTime(T0.UtcDateTime), DateOnly.FromDateTime(T0.UtcDateTime));

        Assert.Equal(Anna, state.Owner);
        Assert.Equal(Anna, Assert.Single(counts.ByOwner, o => o.InWork > 0).Owner);
        Assert.Equal(0, FlowLedgerCalculator.Compute(log, days.Item1, days.Item2, "UTC").Days.Sum(d => d.Stages.Sum(s => s.ReassignedIn)));
        Assert.Equal(7m, log.ClientAsOf(client.Id, T0.AddHours(1)).Value);
    }

    [Fact]
    public async Task LiveView_AppliesUpdates_AndMatchesTheBatchCalculators()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = (await h.Recorder.AddClientAsync(new Client(new ClientId("c1"), SalesId, Anna, T0, 10m, North))).Id;
        await h.Recorder.MoveAsync(c, Meeting, T0);
        await h.Recorder.UpdateClientAsync(c, ClientChanges.None.WithValue(20m), T0.AddDays(1));
        var start = FunnelLiveView.Create(await h.LogAsync(), T0.AddDays(1));
        Assert.Equal(20m, start.FindClient(c)!.Value);
        Assert.Null(start.FindClient(new ClientId("nobody")));

        var update = await h.Recorder.UpdateClientAsync(c, ClientChanges.None.WithoutAttribute("region").WithExpectedCloseDate(new DateOnly(2026, 5, 1)), T0.AddDays(2));
        var activity = await h.Recorder.RecordActivityAsync(c, "call", T0.AddDays(3));
        start.Apply(update);
        start.Apply(activity);
        var log = await h.LogAsync();

        Assert.Equal(new Client(c, SalesId, Anna, T0, 20m, null, new DateOnly(2026, 5, 1)), start.FindClient(c));
        Assert.Equal(4, start.EventsApplied);
        Assert.Equal(StageCountsCalculator.Compute(log, T0.AddDays(20)), start.Counts(T0.AddDays(20)));
        var fixedThresholds = new StallOptions { StageThresholds = start.Thresholds.ToDictionary(t => t.Stage.Value, t => t.Threshold) };
        Assert.Equal(StallCalculator.Compute(log, T0.AddDays(20), fixedThresholds).Clients, start.Stalled(T0.AddDays(20)).Clients);
        Assert.Equal(T0.AddDays(3), Assert.Single(start.Stalled(T0.AddDays(20)).Clients).LastTouchedAt);

        // An update of another client is refused whole, the view unchanged.
        var stranger = new ClientUpdate(new ClientEventId("x"), new ClientId("other"), SalesId, 1, T0.AddDays(4), T0.AddDays(4), Anna, true, 1m, false, null, null);
        Assert.Throws<ArgumentException>(() => start.Apply(stranger));
        Assert.Equal(4, start.EventsApplied);
    }

    [Fact]
    public void Kernel_ValueAndAttributeAsOf_FollowEachUpdateFromItsInstant_Inclusive()
    {
        var client = new Client(new ClientId("c1"), SalesId, Anna, T0, 1m, North);
        var other = NewClient("c0");
        ClientUpdate Update(int sequence, DateTimeOffset at, ClientChanges changes) =>
            new(new ClientEventId($"u{sequence}"), client.Id, SalesId, sequence, at, at, Anna, changes.SetsValue, changes.Value, changes.SetsExpectedCloseDate, changes.ExpectedCloseDate, changes.Attributes);
        ClientEvent[] events =
        [
            Update(1, T0.AddHours(1), ClientChanges.None.WithValue(2m)),
            new StageTransition(new ClientEventId("m2"), client.Id, SalesId, 2, TransitionKind.Entered, null, Meeting, T0.AddHours(1), T0.AddHours(1), Anna),
            Update(3, T0.AddHours(1), ClientChanges.None.WithAttribute("region", "south")),
            Update(4, T0.AddHours(2), ClientChanges.None.WithValue(null).WithoutAttribute("region")),
            Update(5, T0.AddHours(3), ClientChanges.None.WithExpectedCloseDate(new DateOnly(2026, 5, 1))),
        ];
        var log = FunnelEventLog.Build(Pipeline, [client, other], events);
        var history = log.History(log.IndexOfClient(client.Id));
        var hour = TimeSpan.TicksPerHour;
        var t0 = T0.UtcTicks;

        Assert.Equal([1m, 2m, 2m, null, null], new decimal?[] { history.ValueAsOf(t0), history.ValueAsOf(t0 + hour), history.ValueAsOf(t0 + hour + 1), history.ValueAsOf(t0 + (2 * hour)), history.ValueAsOf(long.MaxValue) });
        Assert.True(history.AttributeAsOf("region", t0 + hour - 1, out var before));
        Assert.True(history.AttributeAsOf("region", t0 + hour, out var at));
        Assert.False(history.AttributeAsOf("region", t0 + (2 * hour), out _));
        Assert.Equal(("north", "south"), (before, at));
        Assert.Same(client, history.ClientAsOf(long.MinValue));
        Assert.Equal(new DateOnly(2026, 5, 1), history.ClientAsOf(t0 + (3 * hour)).ExpectedCloseDate);
        Assert.Same(other, log.History(log.IndexOfClient(other.Id)).ClientAsOf(long.MaxValue));
        Assert.Equal(4, log.UpdateCount);
        Assert.Equal([EventKind.Updated, EventKind.Entered, EventKind.Updated, EventKind.Updated, EventKind.Updated], new[] { history.Kind(0), history.Kind(1), history.Kind(2), history.Kind(3), history.Kind(4) });
        Assert.Equal(ClientStatus.Open, history.Status(4));
        Assert.Equal(1, history.LastTouch(4));
    }

    private static int Forward(Velocity velocity) => velocity.Stages.Sum(s => s.ForwardMoves);
}
