using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace FunnelMetrics.AspNetCore.Tests;

/// <summary>The dashboard and the clients behind its counts (drill-down), paged, strict, within the caller's scope.</summary>
public sealed class DashboardEndpointTests
{
    private static readonly string Day1 = FunnelApp.At(FunnelApp.T0.AddDays(1));

    private static string[] Clients(JsonNode list) => [.. list["items"]!.AsArray().Select(i => (string)i!["clientId"]!)];

    [Fact]
    public async Task TheDashboard_AsOfAnInstant_CountsTheSeededFunnel_AndFiltersByOwner()
    {
        await using var app = await FunnelApp.StartAsync();
        var (ok, dashboard) = await app.GetAsync($"/pipelines/sales/dashboard?asOf={Day1}&targetWins=4");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(3, (int)dashboard!["funnel"]!["inWork"]!);
        Assert.Equal(4, (int)dashboard["month"]!["targetWins"]!);
        Assert.Equal(FunnelApp.T0.AddDays(1), DateTimeOffset.Parse((string)dashboard["asOf"]!, System.Globalization.CultureInfo.InvariantCulture));

        var (_, anna) = await app.GetAsync($"/pipelines/sales/dashboard?asOf={Day1}&owner=anna");
        Assert.Equal(2, (int)anna!["funnel"]!["inWork"]!);
        var (bad, problem) = await app.GetAsync("/pipelines/sales/dashboard?targetWins=-1");
        Problem.BadParameter(bad, problem, "targetWins");
    }

    [Fact]
    public async Task TheClientsInAStage_AreListed_AndPaged()
    {
        await using var app = await FunnelApp.StartAsync();
        var (ok, offer) = await app.GetAsync($"/pipelines/sales/clients?measure=InStage&stage=offer&asOf={Day1}");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(["c1"], Clients(offer!));
        Assert.Equal(1, (int)offer!["total"]!);

        var (_, first) = await app.GetAsync($"/pipelines/sales/clients?measure=InWork&asOf={Day1}&limit=2");
        var (_, second) = await app.GetAsync($"/pipelines/sales/clients?measure=InWork&asOf={Day1}&limit=2&offset=2");
        Assert.Equal((3, 2, 1), ((int)first!["total"]!, Clients(first).Length, Clients(second!).Length));
        Assert.Equal(["c1", "c2", "c3"], Clients(first).Concat(Clients(second!)).Order());
        Assert.Equal(2, (int)second!["offset"]!);
    }

    [Fact]
    public async Task TheEntriesIntoAStageInAWindow_AreOneRowEach()
    {
        await using var app = await FunnelApp.StartAsync();
        var (_, entered) = await app.GetAsync($"/pipelines/sales/clients?measure=Entered&stage=offer&from={FunnelApp.At(FunnelApp.T0)}&to={Day1}");
        Assert.Equal(["c1", "c3"], Clients(entered!).Order());
        var (_, north) = await app.GetAsync($"/pipelines/sales/clients?measure=New&from={FunnelApp.At(FunnelApp.T0)}&to={Day1}&attribute=region%3Dnorth");
        Assert.Equal(["c1", "c3"], Clients(north!).Order());
    }

    [Fact]
    public async Task AManager_ListsOnlyOwnClients()
    {
        await using var app = await FunnelApp.StartAsync(services: s => s.AddFunnelAccessPolicy((user, _) =>
            user.IsInRole("head") ? FunnelAccessScope.Team : FunnelAccessScope.ForOwner(new OwnerId(user.Identity!.Name!))));
        var (_, anna) = await app.GetAsync($"/pipelines/sales/clients?measure=InWork&asOf={Day1}", "anna");
        Assert.Equal(["c1", "c2"], Clients(anna!).Order());
        var (_, head) = await app.GetAsync($"/pipelines/sales/clients?measure=InWork&asOf={Day1}", "hanna", "head");
        Assert.Equal(["c1", "c2", "c3"], Clients(head!).Order());
    }

    [Theory]
    [InlineData("/pipelines/sales/clients", "measure")]
    [InlineData("/pipelines/sales/clients?measure=instage&stage=offer", "measure")]
    [InlineData("/pipelines/sales/clients?measure=0", "measure")]
    [InlineData("/pipelines/sales/clients?measure=InStage", "stage")]
    [InlineData("/pipelines/sales/clients?measure=InStage&stage=negotiation", "stage")]
    [InlineData("/pipelines/sales/clients?measure=Won&stage=won", "stage")]
    [InlineData("/pipelines/sales/clients?measure=Entered&asOf=2026-03-03T00:00:00Z", "asOf")]
    [InlineData("/pipelines/sales/clients?measure=InWork&from=2026-03-01T00:00:00Z", "from")]
    [InlineData("/pipelines/sales/clients?measure=Lost&from=2026-03-05T00:00:00Z&to=2026-03-01T00:00:00Z", "from")]
    [InlineData("/pipelines/sales/clients?measure=InWork&limit=0", "limit")]
    [InlineData("/pipelines/sales/clients?measure=InWork&limit=1001", "limit")]
    [InlineData("/pipelines/sales/clients?measure=InWork&offset=-1", "offset")]
    [InlineData("/pipelines/sales/clients?measure=InWork&page=2", "page")]
    public async Task ABadDrillDownParameter_Is400NamingIt(string path, string parameter)
    {
        await using var app = await FunnelApp.StartAsync();
        var (response, problem) = await app.GetAsync(path);
        Problem.BadParameter(response, problem, parameter);
    }
}
