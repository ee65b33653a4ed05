using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace FunnelMetrics.AspNetCore.Tests;

/// <summary>Who sees what: a manager sees and changes only own clients, a head of sales the team.</summary>
public sealed class AccessScopeTests
{
    private static Task<FunnelApp> StartAsync() => FunnelApp.StartAsync(services: s => s.AddFunnelAccessPolicy((user, pipeline) =>
        user.IsInRole("head") ? FunnelAccessScope.Team : FunnelAccessScope.ForOwner(new OwnerId(user.Identity!.Name!))));

    private static readonly string Day1 = FunnelApp.At(FunnelApp.T0.AddDays(1));

    private static int Count(JsonNode counts, string stage) =>
        (int)counts["stages"]!.AsArray().Single(s => (string?)s!["stage"] == stage)!["clients"]!;

    [Fact]
    public async Task AManager_SeesOnlyOwnClientsInMetrics_AndAskingForAnotherOwnerIs403()
    {
        await using var app = await StartAsync();
        var (ok, counts) = await app.GetAsync($"/pipelines/sales/stage-counts?asOf={Day1}", "anna");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal((1, 1, 0), (Count(counts!, "lead"), Count(counts!, "offer"), Count(counts!, "contract")));
        Assert.Equal(["anna"], counts!["byOwner"]!.AsArray().Select(o => (string?)o!["owner"]));

        var (forbidden, problem) = await app.GetAsync($"/pipelines/sales/stage-counts?asOf={Day1}&owner=boris", "anna");
        Assert.Equal("owner", (string?)Problem.Assert(forbidden, problem, 403, "urn:funnelmetrics:problem:outside-scope")["parameter"]);
    }

    [Fact]
    public async Task AManager_ReadsAnotherManagersClientAs404_AndCannotChangeIt403()
    {
        await using var app = await StartAsync();
        foreach (var path in new[] { "/pipelines/sales/clients/c3", "/pipelines/sales/clients/c3/events" })
        {
            var (response, problem) = await app.GetAsync(path, "anna");
            Problem.Assert(response, problem, 404, "urn:funnelmetrics:problem:unknown-client");
        }

        var (move, refused) = await app.PostAsync("/pipelines/sales/clients/c3/moves", """{"stage":"won"}""", user: "anna");
        Problem.Assert(move, refused, 403, "urn:funnelmetrics:problem:outside-scope");
        Assert.Equal(3, (await app.Store.Events.ReadClientAsync(new ClientId("c3")).ToListAsync()).Count);

        var (add, other) = await app.PostAsync("/pipelines/sales/clients", """{"id":"c9","owner":"boris"}""", user: "anna");
        Assert.Equal("owner", (string?)Problem.Assert(add, other, 403, "urn:funnelmetrics:problem:outside-scope")["parameter"]);
    }

    [Fact]
    public async Task AManager_MovesOwnClients_AndAfterHandingOneOverNoLongerSeesIt()
    {
        await using var app = await StartAsync();
        var (move, _) = await app.PostAsync("/pipelines/sales/clients/c2/moves", """{"stage":"offer","occurredAt":"2026-03-03T09:00:00Z"}""", user: "anna");
        Assert.Equal(HttpStatusCode.Created, move.StatusCode);
        var (handed, _) = await app.PostAsync("/pipelines/sales/clients/c2/reassignments", """{"owner":"boris","occurredAt":"2026-03-03T10:00:00Z"}""", user: "anna");
        Assert.Equal(HttpStatusCode.Created, handed.StatusCode);
        var (gone, problem) = await app.GetAsync("/pipelines/sales/clients/c2", "anna");
        Problem.Assert(gone, problem, 404, "urn:funnelmetrics:problem:unknown-client");
        var (boris, view) = await app.GetAsync("/pipelines/sales/clients/c2", "boris");
        Assert.Equal(HttpStatusCode.OK, boris.StatusCode);
        Assert.Equal("boris", (string?)view!["state"]!["owner"]);
    }

    [Fact]
    public async Task AHead_SeesAndChangesTheTeam()
    {
        await using var app = await StartAsync();
        var (_, counts) = await app.GetAsync($"/pipelines/sales/stage-counts?asOf={Day1}", "hanna", "head");
        Assert.Equal((1, 1, 1), (Count(counts!, "lead"), Count(counts!, "offer"), Count(counts!, "contract")));
        var (_, boris) = await app.GetAsync($"/pipelines/sales/stage-counts?asOf={Day1}&owner=boris", "hanna", "head");
        Assert.Equal((0, 0, 1), (Count(boris!, "lead"), Count(boris!, "offer"), Count(boris!, "contract")));
        var (read, _) = await app.GetAsync("/pipelines/sales/clients/c3", "hanna", "head");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var (move, _) = await app.PostAsync("/pipelines/sales/clients/c3/moves", """{"stage":"won","occurredAt":"2026-03-03T09:00:00Z"}""", user: "hanna", role: "head");
        Assert.Equal(HttpStatusCode.Created, move.StatusCode);
    }

    [Fact]
    public async Task ThePolicyIsResolvedPerRequest_AScopedPolicySeesTheRequest()
    {
        await using var app = await FunnelApp.StartAsync(services: s => s.AddFunnelAccessPolicy<HeaderPolicy>());
        using var request = FunnelApp.Get($"/pipelines/sales/stage-counts?asOf={Day1}");
        request.Headers.Add("X-Owners", "boris");
        var (_, counts) = await app.SendAsync(request);
        Assert.Equal((0, 0, 1), (Count(counts!, "lead"), Count(counts!, "offer"), Count(counts!, "contract")));
    }

    [Fact]
    public void AScope_AllowsItsOwnersOnly_AndTheTeamEveryone()
    {
        var scope = FunnelAccessScope.ForOwners([new OwnerId("b"), new OwnerId("a"), new OwnerId("b")]);
        Assert.Equal([new OwnerId("a"), new OwnerId("b")], scope.Owners);
        Assert.True(scope.Allows(new OwnerId("a")));
        Assert.False(scope.Allows(new OwnerId("c")));
        Assert.False(scope.IsTeam);
        Assert.True(FunnelAccessScope.Team.Allows(new OwnerId("c")));
        Assert.False(FunnelAccessScope.ForOwners([]).Allows(new OwnerId("a")));
        Assert.Throws<ArgumentException>(() => FunnelAccessScope.ForOwners([default]));
    }

    private sealed class HeaderPolicy : IFunnelAccessPolicy
    {
        public ValueTask<FunnelAccessScope> GetScopeAsync(Microsoft.AspNetCore.Http.HttpContext httpContext, PipelineId pipelineId, CancellationToken cancellationToken) =>
            ValueTask.FromResult(FunnelAccessScope.ForOwners(httpContext.Request.Headers["X-Owners"].Select(o => new OwnerId(o!))));
    }
}
