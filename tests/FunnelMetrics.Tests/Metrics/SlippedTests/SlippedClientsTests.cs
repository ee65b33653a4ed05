using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Metrics;
using FunnelMetrics.Recording;
using FunnelMetrics.Serialization;
using FunnelMetrics.Tests.Metrics.WaterfallTests;
using FunnelMetrics.Tests.Support;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Metrics.SlippedTests;

public sealed class SlippedClientsTests
{
    /// <summary>Friday 6 March 2026, 12:00 UTC.</summary>
    private static readonly DateTimeOffset Friday = T0.AddDays(4).AddHours(3);

    /// <summary>
    /// docs/metrics.md, "Slipped expected close dates": s1 (interest, 2 March), s2 (meeting, 5 March, value unknown), s3
    /// (interest, 6 March), s4 (offer, no date), s5 (won, 20 February), s6 (boris, decision maker, 20 March, then 27 February).
    /// </summary>
    internal static async Task<FunnelEventLog> ExampleAsync()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var r = h.Recorder;
        async Task<ClientId> Add(string id, StageId stage, DateOnly? date, decimal? value = 1000m, OwnerId? owner = null)
        {
            var c = (await r.AddClientAsync(new Client(new ClientId(id), SalesId, owner ?? Anna, T0, value, expectedCloseDate: date))).Id;
            await r.MoveAsync(c, stage, T0);
            return c;
        }

        await Add("s1", Interest, new DateOnly(2026, 3, 2));
        await Add("s2", Meeting, new DateOnly(2026, 3, 5), value: null);
        await Add("s3", Interest, new DateOnly(2026, 3, 6));
        await Add("s4", Offer, null);
        var s5 = await Add("s5", Offer, new DateOnly(2026, 2, 20));
        await r.MoveAsync(s5, Contract, T0.AddDays(1));
        var s6 = await Add("s6", DecisionMaker, new DateOnly(2026, 3, 20), owner: Boris);
        await r.UpdateClientAsync(s6, ClientChanges.None.WithExpectedCloseDate(new DateOnly(2026, 2, 27)), T0.AddDays(1));
        return await h.LogAsync();
    }

    [Fact]
    public async Task Example_OnFridayNoon_MatchesTheDocs()
    {
        var log = await ExampleAsync();
        var slipped = SlippedClientsCalculator.Compute(log, Friday, "UTC");

        Assert.Equal((new DateOnly(2026, 3, 6), 5, 3, 2000m, 1), (slipped.Today, slipped.Open, slipped.Slipped, slipped.SlippedValue, slipped.NoCloseDate));
        Assert.Equal(
            ["s6 boris decision-maker 2026-02-27 7 1000", "s1 anna interest 2026-03-02 4 1000", "s2 anna meeting 2026-03-05 1 "],
            slipped.Clients.Select(c => $"{c.ClientId} {c.Owner} {c.Stage} {c.ExpectedCloseDate:yyyy-MM-dd} {c.DaysOverdue} {c.Value}"));
        Assert.Equal(T0, slipped.Clients[1].VisitStart);
        Assert.Equal(
            ["decision-maker 1/1/0", "interest 2/1/0", "meeting 1/1/0", "requirements 0/0/0", "offer 1/0/1", "terms 0/0/0"],
            slipped.ByStage.Select(s => $"{s.Stage} {s.Clients}/{s.Slipped}/{s.NoCloseDate}"));
        Assert.Equal(["anna 4/2/1000", "boris 1/1/1000"], slipped.ByOwner.Select(o => $"{o.Owner} {o.Clients}/{o.Slipped}/{o.SlippedValue}"));
    }

    [Fact]
    public async Task AtMidnight_TodayIsTheDayEnding_SoYesterdaysDateHasNotSlipped()
    {
        var log = await ExampleAsync();
        var slipped = SlippedClientsCalculator.Compute(log, new DateTimeOffset(2026, 3, 6, 0, 0, 0, TimeSpan.Zero), "UTC");
        Assert.Equal(new DateOnly(2026, 3, 5), slipped.Today);
        Assert.Equal(["s6 6", "s1 3"], slipped.Clients.Select(c => $"{c.ClientId} {c.DaysOverdue}"));
    }

    [Fact]
    public async Task Days_AreTheZonesDays()
    {
        var log = await ExampleAsync();
        var slipped = SlippedClientsCalculator.Compute(log, Friday, "Pacific/Kiritimati"); // UTC+14: Saturday 02:00 there
        Assert.Equal(new DateOnly(2026, 3, 7), slipped.Today);
        Assert.Equal(4, slipped.Slipped);
        Assert.Equal("s3", slipped.Clients[^1].ClientId.ToString());
    }

    [Fact]
    public async Task Limit_CutsTheListNotTheCounts_AndBadInputNamesTheParameter()
    {
        var log = await ExampleAsync();
        var slipped = SlippedClientsCalculator.Compute(log, Friday, "UTC", new FunnelFilter { Owners = [Anna] }, limit: 1);
        Assert.Equal((2, "s1"), (slipped.Slipped, Assert.Single(slipped.Clients).ClientId.ToString()));
        Assert.Equal("limit", Assert.Throws<ArgumentOutOfRangeException>(() => SlippedClientsCalculator.Compute(log, Friday, "UTC", limit: -1)).ParamName);
        Assert.Equal("timeZoneId", Assert.Throws<ArgumentException>(() => SlippedClientsCalculator.Compute(log, Friday, "Nowhere/Else")).ParamName);
    }

    [Fact]
    public async Task List_Slipped_IsTheCalculatorsList_AndNeedsATimeZone()
    {
        var log = await ExampleAsync();
        var list = ClientListCalculator.Compute(log, new ClientListQuery { Measure = ClientListMeasure.Slipped, AsOf = Friday, TimeZone = "UTC" });
        Assert.Equal(3, list.Total);
        Assert.Equal(["s6", "s1", "s2"], list.Items.Select(i => i.ClientId.ToString()));
        Assert.Equal(7, list.Items[0].Overdue);
        var inInterest = ClientListCalculator.Compute(log, new ClientListQuery { Measure = ClientListMeasure.Slipped, AsOf = Friday, TimeZone = "UTC", Stage = Interest });
        Assert.Equal("s1", Assert.Single(inInterest.Items).ClientId.ToString());
        Assert.Throws<ArgumentException>(() => ClientListCalculator.Compute(log, new ClientListQuery { Measure = ClientListMeasure.Slipped, AsOf = Friday }));
    }

    [Fact]
    public async Task Json_RoundTrips()
    {
        var log = await ExampleAsync();
        var slipped = SlippedClientsCalculator.Compute(log, Friday, "UTC");
        var json = JsonSerializer.Serialize(slipped, FunnelMetricsJsonContext.Default.SlippedClients);
        Assert.Equal(slipped, JsonSerializer.Deserialize(json, FunnelMetricsJsonContext.Default.SlippedClients));
        Assert.Contains("\"daysOverdue\":7", json, StringComparison.Ordinal);
    }

    [Property(MaxTest = 200)]
    public Property Slipped_AreTheOpenClientsWhoseDateAsOfTheInstantIsBeforeToday_MostOverdueFirst() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var log = PipelineWaterfallProperties.LogWithUpdates(h);
            var slipped = SlippedClientsCalculator.Compute(log, h.AsOf, "UTC", limit: int.MaxValue);
            var today = slipped.Today;
            var open = ClientListCalculator.Compute(log, new ClientListQuery { Measure = ClientListMeasure.InWork, AsOf = h.AsOf, Limit = ClientListQuery.MaxLimit });
            var dates = open.Items.Select(i => (i.ClientId, Date: log.ClientAsOf(i.ClientId, h.AsOf).ExpectedCloseDate)).ToList();
            var expected = dates.Where(d => d.Date < today).OrderBy(d => d.Date).ThenBy(d => d.ClientId).Select(d => (d.ClientId, today.DayNumber - d.Date!.Value.DayNumber));

            Assert.Equal(expected, slipped.Clients.Select(c => (c.ClientId, c.DaysOverdue)));
            Assert.Equal((open.Total, dates.Count(d => d.Date is null)), (slipped.Open, slipped.NoCloseDate));
            Assert.Equal((slipped.Open, slipped.Slipped, slipped.NoCloseDate), (slipped.ByStage.Sum(s => s.Clients), slipped.ByStage.Sum(s => s.Slipped), slipped.ByStage.Sum(s => s.NoCloseDate)));
            Assert.Equal((slipped.Open, slipped.Slipped, slipped.SlippedValue), (slipped.ByOwner.Sum(s => s.Clients), slipped.ByOwner.Sum(s => s.Slipped), slipped.ByOwner.Sum(s => s.SlippedValue)));
            Assert.Equal(slipped.SlippedValue, slipped.Clients.Sum(c => c.Value ?? 0m));
        });
}
