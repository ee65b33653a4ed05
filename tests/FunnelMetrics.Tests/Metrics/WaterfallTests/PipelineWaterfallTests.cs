using System.Text.Json;
using FunnelMetrics.Metrics;
using FunnelMetrics.Recording;
using FunnelMetrics.Serialization;
using FunnelMetrics.Tests.Support;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Metrics.WaterfallTests;

public sealed class PipelineWaterfallTests
{
    private static (int, decimal, int) L(WaterfallLine line) => (line.Clients, line.Value, line.UnknownValues);

    private static StageWaterfall At(Func<StageId, StageWaterfall?> find, StageId stage) => Assert.IsType<StageWaterfall>(find(stage));

    /// <summary>docs/metrics.md, "The pipeline waterfall": the worked example from Tuesday 00:00 to Friday 12:00.</summary>
    [Fact]
    public async Task WorkedExample_FromTuesdayToFridayNoon_MatchesTheDocs()
    {
        var log = await WorkedExample.HistoryAsync();
        var w = PipelineWaterfallCalculator.Compute(log, WorkedExample.Mon.AddDays(1), WorkedExample.Mon.AddDays(4).AddHours(12), "UTC");

        Assert.Equal((new DateOnly(2026, 3, 3), new DateOnly(2026, 3, 6)), (w.FirstDay, w.LastDay));
        var dm = At(w.Stage, DecisionMaker);
        Assert.Equal((2, 2000m, 0), L(dm.OpenAtStart));
        Assert.Equal((1, 1000m, 0), L(dm.Won));
        Assert.Equal((Interest, (1, 1000m, 0)), (Assert.Single(dm.MovedOut).Stage, L(dm.MovedOut[0].Line)));
        Assert.Equal((0, 0m, 0), L(dm.OpenAtEnd));

        var interest = At(w.Stage, Interest);
        Assert.Equal((1, 1000m, 0), L(interest.OpenAtStart));
        Assert.Equal((1, 1000m, 0), L(interest.HandedOverIn));
        Assert.Equal((1, 1000m, 0), L(interest.HandedOverOut));
        Assert.Equal((DecisionMaker, (1, 1000m, 0)), (Assert.Single(interest.MovedIn).Stage, L(interest.MovedIn[0].Line)));
        Assert.Equal((Meeting, (1, 1000m, 0)), (Assert.Single(interest.MovedOut).Stage, L(interest.MovedOut[0].Line)));
        Assert.Equal((1, 1000m, 0), L(interest.OpenAtEnd));
        Assert.Equal((0, 0), (interest.Reopened.Clients, interest.New.Clients)); // B's loss and reopen are inside the period

        var meeting = At(w.Stage, Meeting);
        Assert.Equal((0, 1, 1), (meeting.OpenAtStart.Clients, meeting.MovedInTotal.Clients, meeting.OpenAtEnd.Clients));

        // Only the stages with a line not zero are listed: requirements, offer and terms had no client at either instant.
        Assert.Equal([DecisionMaker, Interest, Meeting], w.Stages.Select(s => s.Stage!.Value));
        Assert.Equal((null, null), (w.Stage(Offer), w.Stage(Contract)));

        Assert.Equal((3, 1, 2, 2, 1, 1, 2), (w.Total.OpenAtStart.Clients, w.Total.Won.Clients, w.Total.MovedInTotal.Clients, w.Total.MovedOutTotal.Clients, w.Total.HandedOverIn.Clients, w.Total.HandedOverOut.Clients, w.Total.OpenAtEnd.Clients));

        var (anna, boris) = (w.ByOwner.Single(o => o.Owner == Anna), w.ByOwner.Single(o => o.Owner == Boris));
        Assert.Equal([DecisionMaker, Interest, Meeting], anna.Stages.Select(s => s.Stage!.Value));
        Assert.Equal([Interest], boris.Stages.Select(s => s.Stage!.Value)); // B, handed over to Anna there
        Assert.Null(boris.Stage(Meeting));
        Assert.Equal((2, 1, 0, 2), (anna.Total.OpenAtStart.Clients, anna.Total.HandedOverIn.Clients, anna.Total.HandedOverOut.Clients, anna.Total.OpenAtEnd.Clients));
        Assert.Equal((1, 0, 1, 0), (boris.Total.OpenAtStart.Clients, boris.Total.HandedOverIn.Clients, boris.Total.HandedOverOut.Clients, boris.Total.OpenAtEnd.Clients));

        Assert.Equal(
            ["decision-maker->interest:1", "decision-maker->won:1", "interest->meeting:1"],
            w.Matrix.Select(c => $"{c.From}->{c.To}:{c.Clients}"));
    }

    /// <summary>Values and expected close dates that change in the period, a new client, one that entered and won within it (docs/metrics.md).</summary>
    [Fact]
    public async Task HandBuilt_WithValueAndCloseDateUpdates_EveryLineAsComputedByHand()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var r = h.Recorder;
        var (march5, march6, april10, april20) = (new DateOnly(2026, 3, 5), new DateOnly(2026, 3, 6), new DateOnly(2026, 4, 10), new DateOnly(2026, 4, 20));
        var c1 = (await r.AddClientAsync(new Client(new ClientId("c1"), SalesId, Anna, T0, 1000m, expectedCloseDate: march5))).Id;
        var c2 = (await r.AddClientAsync(new Client(new ClientId("c2"), SalesId, Anna, T0, null, expectedCloseDate: april20))).Id;
        var c3 = (await r.AddClientAsync(new Client(new ClientId("c3"), SalesId, Boris, T0, 2000m))).Id;
        var c4 = (await r.AddClientAsync(new Client(new ClientId("c4"), SalesId, Boris, T0, 300m))).Id;
        var c5 = (await r.AddClientAsync(new Client(new ClientId("c5"), SalesId, Anna, T0, 1000m))).Id;
        var c6 = (await r.AddClientAsync(new Client(new ClientId("c6"), SalesId, Anna, T0, 500m))).Id;
        await r.MoveAsync(c1, Interest, T0);
        await r.UpdateClientAsync(c1, ClientChanges.None.WithValue(1500m).WithExpectedCloseDate(april10), T0.AddDays(2));
        await r.MoveAsync(c1, Offer, T0.AddDays(3));
        await r.MoveAsync(c2, DecisionMaker, T0);
        await r.UpdateClientAsync(c2, ClientChanges.None.WithValue(800m).WithExpectedCloseDate(march6), T0.AddDays(2));
        await r.MoveAsync(c3, Offer, T0);
        await r.UpdateClientAsync(c3, ClientChanges.None.WithValue(1200m), T0.AddDays(1));
        await r.MarkLostAsync(c3, "price", T0.AddDays(4));
        await r.MoveAsync(c4, DecisionMaker, T0.AddDays(1));
        await r.MoveAsync(c5, DecisionMaker, T0.AddDays(1));
        await r.MoveAsync(c5, Contract, T0.AddDays(2));
        await r.MoveAsync(c6, Meeting, T0);
        await r.UpdateClientAsync(c6, ClientChanges.None.WithValue(null), T0.AddDays(2));
        var log = await h.LogAsync();

        var w = PipelineWaterfallCalculator.Compute(log, T0.AddHours(12), T0.AddDays(5), "UTC");

        Assert.Equal((new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 7)), (w.FirstDay, w.LastDay));
        var dm = At(w.Stage, DecisionMaker);
        Assert.Equal((1, 0m, 1), L(dm.OpenAtStart)); // c2, its value unknown
        Assert.Equal((1, 300m, 0), L(dm.New)); // c4, with its value as of the end
        Assert.Equal((1, 800m, 0), L(dm.ValueBecameKnown)); // c2
        Assert.Equal((2, 1100m, 0), L(dm.OpenAtEnd));
        Assert.Equal((1, 800m, 0), L(dm.CloseDatePulledIn)); // c2: 20 April, then 6 March

        var interest = At(w.Stage, Interest);
        Assert.Equal(((1, 1000m, 0), (1, 1000m, 0), (0, 0m, 0)), (L(interest.OpenAtStart), L(interest.MovedOutTotal), L(interest.OpenAtEnd)));

        var meeting = At(w.Stage, Meeting);
        Assert.Equal(((1, 500m, 0), (1, 500m, 0), (1, 0m, 1)), (L(meeting.OpenAtStart), L(meeting.ValueBecameUnknown), L(meeting.OpenAtEnd)));

        var offer = At(w.Stage, Offer);
        Assert.Equal((1, 2000m, 0), L(offer.OpenAtStart)); // c3
        Assert.Equal((1, 2000m, 0), L(offer.Lost)); // c3 leaves with its start value; its fall to 1200 is not a line
        Assert.Equal((Interest, (1, 1000m, 0)), (Assert.Single(offer.MovedIn).Stage, L(offer.MovedIn[0].Line))); // c1 carries its start value
        Assert.Equal((1, 500m, 0), L(offer.ValueIncreased)); // c1: 1000 to 1500
        Assert.Equal((1, 1500m, 0), L(offer.OpenAtEnd));
        Assert.Equal((1, 1500m, 0), L(offer.CloseDatePushedOut)); // c1: 5 March, then 10 April

        Assert.Equal([DecisionMaker, Interest, Meeting, Offer], w.Stages.Select(s => s.Stage!.Value)); // requirements and terms: all zero
        Assert.Equal((1, 1000m, 0), L(w.EnteredAndWon)); // c5
        Assert.Equal((0, 0m, 0), L(w.EnteredAndLost));
        Assert.Equal(((4, 3500m, 1), (4, 2600m, 1)), (L(w.Total.OpenAtStart), L(w.Total.OpenAtEnd)));

        var boris = w.ByOwner.Single(o => o.Owner == Boris);
        Assert.Equal(((1, 2000m, 0), (1, 300m, 0), (1, 300m, 0)), (L(boris.Total.OpenAtStart), L(boris.Total.New), L(boris.Total.OpenAtEnd)));

        Assert.Equal(
            [
                "not entered->decision-maker:1 300/0 300/0",
                "not entered->won:1 1000/0 1000/0",
                "decision-maker->decision-maker:1 0/1 800/0",
                "interest->offer:1 1000/0 1500/0",
                "meeting->meeting:1 500/0 0/1",
                "offer->lost:1 2000/0 1200/0",
            ],
            w.Matrix.Select(c => $"{c.From}->{c.To}:{c.Clients} {c.ValueAtStart}/{c.UnknownAtStart} {c.ValueAtEnd}/{c.UnknownAtEnd}"));
    }

    [Fact]
    public async Task Matrix_ClientsWonAtBothInstants_AreCountedWithoutValues()
    {
        var log = await WorkedExample.HistoryAsync();
        var w = PipelineWaterfallCalculator.Compute(log, WorkedExample.Mon.AddDays(5), WorkedExample.Mon.AddDays(6), "UTC");
        var won = Assert.Single(w.Matrix, c => c.From.Kind == WaterfallStateKind.Won);
        Assert.Equal((WaterfallStateKind.Won, 1, (decimal?)null, (int?)null), (won.To.Kind, won.Clients, won.ValueAtStart, won.UnknownAtEnd));
        Assert.Equal((0, 0), (w.Total.Won.Clients, w.EnteredAndWon.Clients));
        var json = JsonSerializer.Serialize(w, FunnelMetricsJsonContext.Default.PipelineWaterfall);
        Assert.Equal(w, JsonSerializer.Deserialize(json, FunnelMetricsJsonContext.Default.PipelineWaterfall));
    }

    [Fact]
    public async Task Compute_EndNotAfterStart_OrAnUnknownZone_ThrowsNamingTheParameter()
    {
        var log = await WorkedExample.HistoryAsync();
        Assert.Equal("end", Assert.Throws<ArgumentException>(() => PipelineWaterfallCalculator.Compute(log, T0, T0, "UTC")).ParamName);
        Assert.Equal("timeZoneId", Assert.Throws<ArgumentException>(() => PipelineWaterfallCalculator.Compute(log, T0, T0.AddDays(1), "Mars/Olympus")).ParamName);
    }

    [Fact]
    public async Task Days_InTheZone_EndAtAMidnightEndsTheDayBefore()
    {
        var log = await WorkedExample.HistoryAsync();
        var sofia = TimeZoneInfo.FindSystemTimeZoneById("Europe/Sofia");
        var start = TimeZoneDays.StartOfDay(new DateOnly(2026, 3, 1), sofia);
        var end = TimeZoneDays.StartOfDay(new DateOnly(2026, 4, 1), sofia);
        var w = PipelineWaterfallCalculator.Compute(log, start, end, "Europe/Sofia");
        Assert.Equal((new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 31), "Europe/Sofia"), (w.FirstDay, w.LastDay, w.TimeZone));
    }

    [Fact]
    public async Task Json_RoundTrips()
    {
        var log = await WorkedExample.HistoryAsync();
        var w = PipelineWaterfallCalculator.Compute(log, WorkedExample.Mon.AddDays(1), WorkedExample.Mon.AddDays(4).AddHours(12), "UTC");
        var json = JsonSerializer.Serialize(w, FunnelMetricsJsonContext.Default.PipelineWaterfall);
        Assert.Equal(w, JsonSerializer.Deserialize(json, FunnelMetricsJsonContext.Default.PipelineWaterfall));
        Assert.Contains("\"handedOverIn\":", json, StringComparison.Ordinal);
    }
}
