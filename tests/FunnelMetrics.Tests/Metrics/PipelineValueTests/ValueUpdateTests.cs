using FunnelMetrics.Metrics;
using FunnelMetrics.Recording;
using FunnelMetrics.Tests.Support;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Metrics.PipelineValueTests;

/// <summary>
/// Money per stage on a hand-computed history with value updates, over stages A (win probability 0.2) &lt; B (none), then
/// won, in USD. x (anna, 100): enters A at T0, value 150 at T0+1h, B at T0+2h. y (anna, no value): enters A at T0, value
/// 300 at T0+3h. z (boris, 50): enters A at T0, value removed at T0+1h, lost at T0+4h. w (boris, 400): enters A at T0, B
/// at T0+30m, won at T0+5h. Conversion by value reads the same history (<see cref="Conversion_ByValue_ReadsEachMembersValueAsOfTheTickBeforeTheOutcomeBound"/>).
/// </summary>
public sealed class ValueUpdateTests
{
    private static readonly StageId A = new("a"), B = new("b"), Won = new("won");
    private static readonly PipelineDefinition Pipeline = new(new PipelineId("p"), "P", [new StageDefinition(A, winProbability: 0.2), new StageDefinition(B), new StageDefinition(Won)], currencyCode: "USD");
    private static readonly Dictionary<StageId, double> Chain = new() { [A] = 0.5, [B] = 0.9 };
    private static readonly Lazy<Task<FunnelEventLog>> Log = new(BuildAsync);

    private static async Task<FunnelEventLog> BuildAsync()
    {
        var h = new RecorderHarness();
        await h.Store.Pipelines.AddAsync(Pipeline);
        var r = h.Recorder;
        async Task<ClientId> Add(string id, OwnerId owner, decimal? value) => (await r.AddClientAsync(new Client(new ClientId(id), Pipeline.Id, owner, T0.AddHours(-1), value))).Id;
        var (x, y, z, w) = (await Add("x", Anna, 100m), await Add("y", Anna, null), await Add("z", Boris, 50m), await Add("w", Boris, 400m));
        foreach (var c in new[] { x, y, z, w })
        {
            await r.MoveAsync(c, A, T0);
        }

        await r.MoveAsync(w, B, T0.AddMinutes(30));
        await r.UpdateClientAsync(x, ClientChanges.None.WithValue(150m), T0.AddHours(1));
        await r.UpdateClientAsync(z, ClientChanges.None.WithValue(null), T0.AddHours(1));
        await r.MoveAsync(x, B, T0.AddHours(2));
        await r.UpdateClientAsync(y, ClientChanges.None.WithValue(300m), T0.AddHours(3));
        await r.MarkLostAsync(z, occurredAt: T0.AddHours(4));
        await r.MoveAsync(w, Won, T0.AddHours(5));

        var events = new List<ClientEvent>();
        foreach (var c in new[] { x, y, z, w })
        {
            events.AddRange(await h.EventsOfAsync(c));
        }

        return FunnelEventLog.Build(Pipeline, [.. await h.Store.Clients.ListAsync(Pipeline.Id).ToListAsync()], events);
    }

    private static (int Clients, int Valued, int Missing, decimal Value) Of(StageValue s) => (s.Clients, s.Valued, s.Missing, s.Value);

    private static (int Clients, int Valued, int Missing, decimal Value) Of(ValueTally s) => (s.Clients, s.Valued, s.Missing, s.Value);

    [Fact]
    public async Task PipelineValue_AtAnUpdatesInstant_ReadsTheUpdatedValues_AndOneTickEarlierTheOldOnes()
    {
        var log = await Log.Value;

        var at = PipelineValueCalculator.Compute(log, T0.AddHours(1), chainWinProbabilities: Chain);
        Assert.Equal("USD", at.CurrencyCode);
        Assert.True(at.HasChainProbabilities);
        Assert.Equal([A, B], at.Stages.Select(s => s.Stage));
        Assert.Equal((3, 1, 2, 150m), Of(at.Stages[0])); // x 150; y never had a value, z's was removed at this instant
        Assert.Equal((0.2, 30m, 0.5, 75m), (at.Stages[0].StageWinProbability, at.Stages[0].WeightedByStageProbability, at.Stages[0].ChainWinProbability, at.Stages[0].WeightedByChain));
        Assert.Equal((1, 1, 0, 400m), Of(at.Stages[1])); // w
        Assert.Null(at.Stages[1].StageWinProbability);
        Assert.Null(at.Stages[1].WeightedByStageProbability);
        Assert.Equal(360m, at.Stages[1].WeightedByChain);
        Assert.Equal((4, 2, 2, 550m, 30m, 400m, 435m, 0m), (at.Open.Clients, at.Open.Valued, at.Open.Missing, at.Open.Value, at.Open.WeightedByStageProbability, at.Open.ValueWithoutStageProbability, at.Open.WeightedByChain, at.Open.ValueWithoutChainProbability));
        Assert.Equal([Anna, Boris], at.ByOwner.Select(o => o.Owner));
        Assert.Equal((2, 1, 1, 150m), Of(at.ByOwner[0].Stages[0]));
        Assert.Equal((1, 0, 1, 0m), Of(at.ByOwner[1].Stages[0]));
        Assert.Equal((1, 1, 0, 400m), Of(at.ByOwner[1].Stages[1]));

        var before = PipelineValueCalculator.Compute(log, T0.AddHours(1).AddTicks(-1));
        Assert.False(before.HasChainProbabilities);
        Assert.Equal((3, 2, 1, 150m), Of(before.Stages[0])); // x 100 and z 50
        Assert.Null(before.Stages[0].WeightedByChain);
        Assert.Null(before.Open.WeightedByChain);
        Assert.Equal(550m, before.Open.ValueWithoutChainProbability);
    }

    [Fact]
    public async Task PipelineValue_AfterTheCloses_CountsWonAndLostApart_AndALostClientWithoutValueAsMissing()
    {
        var log = await Log.Value;

        var late = PipelineValueCalculator.Compute(log, T0.AddHours(6), chainWinProbabilities: Chain);

        Assert.Equal((1, 1, 0, 300m), Of(late.Stages[0])); // y, valued at 3h
        Assert.Equal(60m, late.Stages[0].WeightedByStageProbability);
        Assert.Equal((1, 1, 0, 150m), Of(late.Stages[1])); // x
        Assert.Equal(285m, late.Open.WeightedByChain); // 300 × 0.5 + 150 × 0.9
        Assert.Equal((60m, 150m), (late.Open.WeightedByStageProbability, late.Open.ValueWithoutStageProbability));
        Assert.Equal((1, 1, 0, 400m), Of(late.Won)); // w
        Assert.Equal((1, 0, 1, 0m), Of(late.Lost)); // z, its value removed before the loss
        Assert.Equal((2, 2, 0, 450m), (late.ByOwner[0].Open.Clients, late.ByOwner[0].Open.Valued, late.ByOwner[0].Open.Missing, late.ByOwner[0].Open.Value));
        Assert.Equal((0, 400m, 1), (late.ByOwner[1].Open.Clients, late.ByOwner[1].Won.Value, late.ByOwner[1].Lost.Clients));
    }

    [Fact]
    public async Task PipelineValue_WithAnOwnerFilter_CountsThatOwnersClientsOnly()
    {
        var log = await Log.Value;

        var boris = PipelineValueCalculator.Compute(log, T0.AddHours(1), new FunnelFilter { Owners = [Boris] });

        Assert.Equal((1, 0, 1, 0m), Of(boris.Stages[0]));
        Assert.Equal((1, 1, 0, 400m), Of(boris.Stages[1]));
        Assert.Equal([Boris], boris.ByOwner.Select(o => o.Owner));
    }

    [Fact]
    public async Task PipelineValue_BeforeEveryEvent_IsEmpty()
    {
        var value = PipelineValueCalculator.Compute(await Log.Value, T0.AddTicks(-1));

        Assert.All(value.Stages, s => Assert.Equal((0, 0, 0, 0m), Of(s)));
        Assert.Equal(0, value.Open.Clients);
        Assert.Equal(0m, value.Open.WeightedByStageProbability); // stage A has a probability: its weighted figure is 0, not absent
        Assert.Empty(value.ByOwner);
    }

    [Fact]
    public async Task PipelineValue_WithBadChainProbabilities_ThrowsNamingTheStage()
    {
        var log = await Log.Value;

        var won = Assert.Throws<ArgumentException>(() => PipelineValueCalculator.Compute(log, T0, chainWinProbabilities: new Dictionary<StageId, double> { [Won] = 1 }));
        Assert.Equal("chainWinProbabilities", won.ParamName);
        Assert.Contains("'won'", won.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => PipelineValueCalculator.Compute(log, T0, chainWinProbabilities: new Dictionary<StageId, double> { [new StageId("nope")] = 0.5 }));
        foreach (var bad in new[] { -0.1, 1.5, double.NaN })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => PipelineValueCalculator.Compute(log, T0, chainWinProbabilities: new Dictionary<StageId, double> { [B] = bad }));
            Assert.Equal("chainWinProbabilities", e.ParamName);
            Assert.Contains("'b'", e.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Cohort [T0, T0+6h), outcomes before its end: the values as of T0+6h minus one tick. A's cohort is all four: x and w
    /// passed (150 + 400), z is lost without a value, y remains (300). B's cohort is x and w: w passed (won, 400), x remains (150).
    /// </summary>
    [Fact]
    public async Task Conversion_ByValue_ReadsEachMembersValueAsOfTheTickBeforeTheOutcomeBound()
    {
        var conversion = ConversionCalculator.Compute(await Log.Value, new TimeWindow(T0, T0.AddHours(6)));

        var a = conversion.Stages[0];
        Assert.Equal((4, 2, 1, 1), (a.Cohort, a.Advanced, a.Lost, a.Remaining));
        Assert.Equal((850m, 1, 550m, 0m, 0m, 300m), (a.CohortValue, a.CohortWithoutValue, a.AdvancedValue, a.AdvancedLateValue, a.LostValue, a.RemainingValue));
        Assert.Equal(550.0 / 850, a.AdvancedValueShare!.Value, 12);
        Assert.Equal(0.0, a.LostValueShare);
        Assert.Equal(300.0 / 850, a.RemainingValueShare!.Value, 12);
        var b = conversion.Stages[1];
        Assert.Equal((550m, 0, 400m, 0m, 150m), (b.CohortValue, b.CohortWithoutValue, b.AdvancedValue, b.LostValue, b.RemainingValue));
        Assert.Equal((0m, null), (conversion.Stages[2].CohortValue, conversion.Stages[2].AdvancedValueShare));

        // The drop-off from A to B: z, by count 1 of 4, by value 0 of 850 (z had no value).
        var drop = conversion.DropOffs[0];
        Assert.Equal((A, B, 4, 2, 1, 1, 0.25), (drop.Stage, drop.NextStage, drop.Cohort, drop.Passed, drop.Dropped, drop.StillOpen, drop.Share));
        Assert.Equal((850m, 1, 550m, 0m, 300m, 0.0), (drop.CohortValue, drop.CohortWithoutValue, drop.PassedValue, drop.DroppedValue, drop.StillOpenValue, drop.ValueShare));
        Assert.Equal((B, Won, 2, 1, 0, 1), (conversion.DropOffs[1].Stage, conversion.DropOffs[1].NextStage, conversion.DropOffs[1].Cohort, conversion.DropOffs[1].Passed, conversion.DropOffs[1].Dropped, conversion.DropOffs[1].StillOpen));
        Assert.Equal(2, conversion.DropOffs.Count);

        // Outcomes before T0+1h: x's value is still 100 and z's 50 (the updates at T0+1h are not read); nobody passed A but w.
        var early = ConversionCalculator.Compute(await Log.Value, new TimeWindow(T0, T0.AddHours(1)));
        Assert.Equal((4, 550m, 1, 400m, 150m), (early.Stages[0].Cohort, early.Stages[0].CohortValue, early.Stages[0].CohortWithoutValue, early.Stages[0].AdvancedValue, early.Stages[0].RemainingValue));
    }
}
