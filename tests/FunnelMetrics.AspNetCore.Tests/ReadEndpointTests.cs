using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using FunnelMetrics.Analytics;
using FunnelMetrics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FunnelMetrics.AspNetCore.Tests;

/// <summary>The read endpoints: each metric with its parameters, a client's state and events; strict parameters.</summary>
public sealed class ReadEndpointTests
{
    private static readonly string Day1 = FunnelApp.At(FunnelApp.T0.AddDays(1));

    /// <summary>The clients counted at a stage in a StageCounts answer.</summary>
    private static int Count(JsonNode counts, string stage) =>
        (int)counts["stages"]!.AsArray().Single(s => (string?)s!["stage"] == stage)!["clients"]!;

    [Fact]
    public async Task StageCounts_AsOfAnInstant_AreTheHandCountedOnes()
    {
        await using var app = await FunnelApp.StartAsync();
        var (ok, counts) = await app.GetAsync($"/pipelines/sales/stage-counts?asOf={Day1}");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal((1, 1, 1, 0), (Count(counts!, "lead"), Count(counts!, "offer"), Count(counts!, "contract"), Count(counts!, "won")));
        Assert.Equal(3, (int)counts!["inWork"]!);

        // At 13:00 c1 is still in lead (offer at 14:00) and c3 in offer (contract at 15:00).
        var (_, earlier) = await app.GetAsync($"/pipelines/sales/stage-counts?asOf={FunnelApp.At(FunnelApp.T0.AddHours(4))}");
        Assert.Equal((2, 1, 0), (Count(earlier!, "lead"), Count(earlier!, "offer"), Count(earlier!, "contract")));
    }

    [Fact]
    public async Task StageCounts_FilterByOwnerAttributeAndEntry()
    {
        await using var app = await FunnelApp.StartAsync();
        var (_, anna) = await app.GetAsync($"/pipelines/sales/stage-counts?asOf={Day1}&owner=anna");
        Assert.Equal((1, 1, 0), (Count(anna!, "lead"), Count(anna!, "offer"), Count(anna!, "contract")));
        var (_, both) = await app.GetAsync($"/pipelines/sales/stage-counts?asOf={Day1}&owner=anna&owner=boris");
        Assert.Equal(3, (int)both!["inWork"]!);
        var (_, north) = await app.GetAsync($"/pipelines/sales/stage-counts?asOf={Day1}&attribute=region%3Dnorth");
        Assert.Equal((0, 1, 1), (Count(north!, "lead"), Count(north!, "offer"), Count(north!, "contract")));
        var (_, late) = await app.GetAsync($"/pipelines/sales/stage-counts?asOf={Day1}&enteredFrom={FunnelApp.At(FunnelApp.T0.AddMinutes(90))}");
        Assert.Equal((1, 0, 0), (Count(late!, "lead"), Count(late!, "offer"), Count(late!, "contract")));
    }

    /// <summary>As of day 1: lead c2 (2000), offer c1 (1000), contract c3 (3000); anna has c1 and c2, boris c3.</summary>
    [Fact]
    public async Task PipelineValue_AsOfAnInstant_SumsTheValuesPerStageAndOwner()
    {
        await using var app = await FunnelApp.StartAsync();
        var (ok, value) = await app.GetAsync($"/pipelines/sales/pipeline-value?asOf={Day1}");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        decimal Value(JsonNode row, string stage) => (decimal)row["stages"]!.AsArray().Single(s => (string?)s!["stage"] == stage)!["value"]!;
        Assert.Equal((2000m, 1000m, 3000m), (Value(value!, "lead"), Value(value!, "offer"), Value(value!, "contract")));
        Assert.Equal((3, 3, 0, 6000m), ((int)value!["open"]!["clients"]!, (int)value["open"]!["valued"]!, (int)value["open"]!["missing"]!, (decimal)value["open"]!["value"]!));
        Assert.Equal(["anna", "boris"], value["byOwner"]!.AsArray().Select(o => (string?)o!["owner"]));
        Assert.True((bool)value["hasChainProbabilities"]!); // the forecast's chain, computed by the service

        var (_, boris) = await app.GetAsync($"/pipelines/sales/pipeline-value?asOf={Day1}&owner=boris");
        Assert.Equal(3000m, (decimal)boris!["open"]!["value"]!);
        var (bad, problem) = await app.GetAsync("/pipelines/sales/pipeline-value?asOf=yesterday");
        Problem.BadParameter(bad, problem, "asOf");
    }

    [Fact]
    public async Task Stalled_AsOfAMonthLater_ListsTheThreeClients()
    {
        await using var app = await FunnelApp.StartAsync();
        var (ok, stalled) = await app.GetAsync($"/pipelines/sales/stalled?asOf={FunnelApp.At(FunnelApp.T0.AddDays(60))}&owner=boris");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("c3", stalled!.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("\"c1\"", stalled.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slipped_AfterADateIsRecordedInThePast_ListsTheClient_AndTheWaterfallCountsItsValueChange()
    {
        await using var app = await FunnelApp.StartAsync();
        var (u, _) = await app.PostAsync("/pipelines/sales/clients/c2/updates", """{"value":2500,"expectedCloseDate":"2026-03-02","occurredAt":"2026-03-03T11:00:00Z"}""", key: "u1");
        Assert.Equal(HttpStatusCode.Created, u.StatusCode);

        var (ok, slipped) = await app.GetAsync($"/pipelines/sales/slipped?asOf={FunnelApp.At(FunnelApp.T0.AddDays(3))}");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var only = Assert.Single(slipped!["clients"]!.AsArray());
        Assert.Equal(("c2", 3), ((string?)only!["clientId"], (int)only["daysOverdue"]!));
        Assert.Equal(1, (int)slipped["slipped"]!);

        var (_, waterfall) = await app.GetAsync($"/pipelines/sales/waterfall?from={Day1}&to={FunnelApp.At(FunnelApp.T0.AddDays(3))}");
        var lead = waterfall!["stages"]!.AsArray().Single(s => (string?)s!["stage"] == "lead")!;
        Assert.Equal((1, 1), ((int)lead["openAtStart"]!["clients"]!, (int)lead["valueIncreased"]!["clients"]!));
    }

    [Fact]
    public async Task TimeInStage_UnderAConfiguredWorkingCalendar_CountsOnlyWorkingHours()
    {
        // Monday 2 March 2026: c1 is in lead 10:00-14:00, c3 10:00-12:00; with working hours 09:00-12:00 both are 2 hours.
        var window = $"from={FunnelApp.At(FunnelApp.T0)}&to={FunnelApp.At(FunnelApp.T0.AddDays(2))}";
        await using var elapsedApp = await FunnelApp.StartAsync();
        var (_, elapsed) = await elapsedApp.GetAsync($"/pipelines/sales/time-in-stage?{window}");
        await using var app = await FunnelApp.StartAsync(services: s => s.Configure<FunnelMetricsOptions>(o =>
        {
            o.WorkingCalendar.Enabled = true;
            o.WorkingCalendar.End = "12:00";
        }));
        var (ok, working) = await app.GetAsync($"/pipelines/sales/time-in-stage?{window}");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        static JsonNode Lead(JsonNode body) => body["stages"]!.AsArray().Single(s => (string?)s!["stage"] == "lead")!["completed"]!;
        Assert.Equal((2, 3 * 3600.0), ((int)Lead(elapsed!)["count"]!, (double)Lead(elapsed!)["mean"]!));
        Assert.Equal((2, 2 * 3600.0), ((int)Lead(working!)["count"]!, (double)Lead(working!)["mean"]!));
        Assert.Null(elapsed!["calendar"]);
        Assert.Equal(("UTC", 9 * 3600.0, 12 * 3600.0), ((string?)working!["calendar"]!["timeZoneId"], (double)working["calendar"]!["start"]!, (double)working["calendar"]!["end"]!));
    }

    /// <summary>Each metric endpoint answers what FunnelAnalytics answers for the same parameters, parsed from the query.</summary>
    [Fact]
    public async Task EveryMetric_PassesItsParametersToTheLibrary()
    {
        await using var app = await FunnelApp.StartAsync(time: new Microsoft.Extensions.Time.Testing.FakeTimeProvider(FunnelApp.T0.AddDays(10)));
        var json = app.App.Services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        await using var scope = app.App.Services.CreateAsyncScope();
        var analytics = scope.ServiceProvider.GetRequiredService<FunnelAnalytics>();
        var sales = FunnelApp.Sales.Id;
        var window = new TimeWindow(FunnelApp.T0, FunnelApp.T0.AddDays(2));
        var anna = new FunnelFilter { Owners = [new OwnerId("anna")] };
        var north = new FunnelFilter { Attributes = new Dictionary<string, string> { ["region"] = "north" } };
        var from = FunnelApp.At(window.Start);
        var to = FunnelApp.At(window.End);
        var horizon = FunnelApp.T0.AddDays(30);

        var cases = new (string Path, object Expected)[]
        {
            ($"/pipelines/sales/flow?firstDay=2026-03-01&lastDay=2026-03-05&owner=anna", await analytics.GetFlowLedgerAsync(sales, new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 5), anna)),
            ($"/pipelines/sales/pipeline-value?asOf={Day1}&attribute=region%3Dnorth", await analytics.GetPipelineValueAsync(sales, FunnelApp.T0.AddDays(1), north)),
            ($"/pipelines/sales/time-in-stage?from={from}&to={to}", await analytics.GetTimeInStageAsync(sales, window)),
            ($"/pipelines/sales/conversion?from={from}&to={to}&conversionWindow=86400&attribute=region%3Dnorth", await analytics.GetConversionAsync(sales, window, TimeSpan.FromDays(1), north)),
            ($"/pipelines/sales/velocity?from={from}&to={to}&owner=anna", await analytics.GetVelocityAsync(sales, window, anna)),
            ($"/pipelines/sales/stuck-stages?from={from}&to={to}", await analytics.GetStuckStagesAsync(sales, window)),
            ($"/pipelines/sales/stalled?asOf={FunnelApp.At(FunnelApp.T0.AddDays(20))}", await analytics.GetStalledClientsAsync(sales, FunnelApp.T0.AddDays(20))),
            ($"/pipelines/sales/waterfall?from={from}&to={to}&owner=anna", await analytics.GetWaterfallAsync(sales, window.Start, window.End, anna)),
            ($"/pipelines/sales/waterfall?to={to}", await analytics.GetWaterfallAsync(sales, window.End.AddDays(-30), window.End)),
            ($"/pipelines/sales/slipped?asOf={Day1}&limit=2&attribute=region%3Dnorth", await analytics.GetSlippedClientsAsync(sales, FunnelApp.T0.AddDays(1), north, 2)),
            ($"/pipelines/sales/slipped", await analytics.GetSlippedClientsAsync(sales)),
            ($"/pipelines/sales/clients?measure=Slipped&asOf={Day1}", await analytics.ListClientsAsync(sales, new ClientListQuery { Measure = ClientListMeasure.Slipped, AsOf = FunnelApp.T0.AddDays(1) })),
            ($"/pipelines/sales/forecast?asOf={Day1}&horizonEnd={FunnelApp.At(horizon)}&targetWins=3", await analytics.GetForecastAsync(sales, horizon, 3, FunnelApp.T0.AddDays(1))),
            ($"/pipelines/sales/backtest?from={from}&to={to}&step=43200&horizon=86400&owner=anna", await analytics.GetBacktestAsync(sales, window, TimeSpan.FromHours(12), TimeSpan.FromDays(1), anna)),
            ($"/pipelines/sales/trends?period=day&from={from}&to={to}&owner=anna&byOwner=true", await analytics.GetTrendsAsync(sales, window, CohortPeriod.Day, anna, byOwner: true)),
            ("/pipelines/sales/trends?attribute=region%3Dnorth", await analytics.GetTrendsAsync(sales, TimeWindow.Ending(analytics.Now, TimeSpan.FromDays(91)), CohortPeriod.Week, north)),
            ($"/pipelines/sales/trends?period=month&to={to}", await analytics.GetTrendsAsync(sales, TimeWindow.Ending(window.End, TimeSpan.FromDays(365)), CohortPeriod.Month)),
            ("/pipelines/sales/forecast-accuracy?firstMonth=2026-02&lastMonth=2026-03&owner=anna", await analytics.GetForecastAccuracyAsync(sales, new DateOnly(2026, 2, 1), new DateOnly(2026, 3, 1), anna)),
            ("/pipelines/sales/forecast-accuracy", await analytics.GetForecastAccuracyAsync(sales)),
            ("/pipelines/sales", FunnelApp.Sales),
        };
        foreach (var (path, expected) in cases)
        {
            var (response, body) = await app.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
            var want = JsonNode.Parse(JsonSerializer.Serialize(expected, expected.GetType(), json));
            Assert.True(JsonNode.DeepEquals(want, body), $"{path}:\n{body}\n!=\n{want}");
        }
    }

    [Theory]
    [InlineData("/pipelines/sales/stage-counts?asOf=yesterday", "asOf")]
    [InlineData("/pipelines/sales/stage-counts?asOf=2026-03-02T10:00:00", "asOf")]
    [InlineData("/pipelines/sales/stage-counts?asOf=2026-03-02", "asOf")]
    [InlineData("/pipelines/sales/stage-counts?asOf=2026-03-02T10:00:00+01:00", "asOf")]
    [InlineData("/pipelines/sales/stage-counts?asof=2026-03-02T10:00:00Z", "asof")]
    [InlineData("/pipelines/sales/stage-counts?asOf=2026-03-02T10:00:00Z&asOf=2026-03-03T10:00:00Z", "asOf")]
    [InlineData("/pipelines/sales/stage-counts?owner=%20anna", "owner")]
    [InlineData("/pipelines/sales/stage-counts?attribute=region", "attribute")]
    [InlineData("/pipelines/sales/stage-counts?attribute=region%3Dnorth&attribute=region%3Dsouth", "attribute")]
    [InlineData("/pipelines/sales/stage-counts?enteredFrom=2026-03-05T00:00:00Z&enteredTo=2026-03-01T00:00:00Z", "enteredFrom")]
    [InlineData("/pipelines/sales/velocity?from=2026-03-05T00:00:00Z&to=2026-03-01T00:00:00Z", "from")]
    [InlineData("/pipelines/sales/velocity?from=2026-03-05T00:00:00Z&to=2026-03-05T00:00:00Z", "from")]
    [InlineData("/pipelines/sales/time-in-stage?to=soon", "to")]
    [InlineData("/pipelines/sales/conversion?conversionWindow=-5", "conversionWindow")]
    [InlineData("/pipelines/sales/conversion?conversionWindow=P1D", "conversionWindow")]
    [InlineData("/pipelines/sales/flow", "firstDay")]
    [InlineData("/pipelines/sales/flow?firstDay=2026-3-2", "firstDay")]
    [InlineData("/pipelines/sales/flow?firstDay=2026-03-05&lastDay=2026-03-01", "firstDay")]
    [InlineData("/pipelines/sales/forecast?targetWins=5", "targetWins")]
    [InlineData("/pipelines/sales/forecast?targetWins=many&horizonEnd=2026-04-01T00:00:00Z", "targetWins")]
    [InlineData("/pipelines/sales/forecast?asOf=2026-04-01T00:00:00Z&horizonEnd=2026-03-01T00:00:00Z", "horizonEnd")]
    [InlineData("/pipelines/sales/backtest?horizon=86400", "step")]
    [InlineData("/pipelines/sales/backtest?step=86400", "horizon")]
    [InlineData("/pipelines/sales/backtest?step=1&horizon=86400", "step")]
    [InlineData("/pipelines/sales/waterfall?from=2026-03-05T00:00:00Z&to=2026-03-01T00:00:00Z", "from")]
    [InlineData("/pipelines/sales/waterfall?from=2026-03-05", "from")]
    [InlineData("/pipelines/sales/waterfall?asOf=2026-03-05T00:00:00Z", "asOf")]
    [InlineData("/pipelines/sales/slipped?limit=-1", "limit")]
    [InlineData("/pipelines/sales/slipped?limit=1001", "limit")]
    [InlineData("/pipelines/sales/slipped?from=2026-03-05T00:00:00Z", "from")]
    [InlineData("/pipelines/sales/trends?period=quarter", "period")]
    [InlineData("/pipelines/sales/trends?period=Week", "period")]
    [InlineData("/pipelines/sales/trends?byOwner=yes", "byOwner")]
    [InlineData("/pipelines/sales/trends?period=day&from=2020-01-01T00:00:00Z", "from")]
    [InlineData("/pipelines/sales/trends?from=2026-03-05T00:00:00Z&to=2026-03-05T00:00:00Z", "from")]
    [InlineData("/pipelines/sales/forecast-accuracy?firstMonth=2026-3", "firstMonth")]
    [InlineData("/pipelines/sales/forecast-accuracy?lastMonth=2026-03-01", "lastMonth")]
    [InlineData("/pipelines/sales/forecast-accuracy?firstMonth=2026-04&lastMonth=2026-03", "firstMonth")]
    [InlineData("/pipelines/sales/forecast-accuracy?firstMonth=2020-01&lastMonth=2026-03", "firstMonth")]
    [InlineData("/pipelines/sales/forecast-accuracy?firstMonth=2099-01", "firstMonth")]
    [InlineData("/pipelines/sales/clients/c1?asOf=2026-03-01T00:00:00Z", "asOf")]
    [InlineData("/pipelines/sales/clients/c1/events/%20e", "eventId")]
    public async Task ABadQueryParameter_Is400NamingIt(string path, string parameter)
    {
        await using var app = await FunnelApp.StartAsync();
        var (response, problem) = await app.GetAsync(path);
        var body = Problem.BadParameter(response, problem, parameter);
        Assert.False(string.IsNullOrWhiteSpace((string?)body["detail"]));
    }

    [Fact]
    public async Task APlusReadAsASpace_IsExplained_AndAnEncodedOffsetIsRead()
    {
        await using var app = await FunnelApp.StartAsync();
        var (bad, problem) = await app.GetAsync("/pipelines/sales/stage-counts?asOf=2026-03-03T10:00:00+01:00");
        Assert.Contains("%2B", (string?)Problem.BadParameter(bad, problem, "asOf")["detail"], StringComparison.Ordinal);
        var (ok, counts) = await app.GetAsync("/pipelines/sales/stage-counts?asOf=2026-03-03T10:00:00%2B01:00");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(new DateTimeOffset(2026, 3, 3, 9, 0, 0, TimeSpan.Zero), DateTimeOffset.Parse((string)counts!["asOf"]!, System.Globalization.CultureInfo.InvariantCulture));
    }
}
