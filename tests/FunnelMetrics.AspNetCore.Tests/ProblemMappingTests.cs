using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace FunnelMetrics.AspNetCore.Tests;

/// <summary>The one table from what went wrong to a problem: every rule and every refusal, over HTTP.</summary>
public sealed class ProblemMappingTests
{
    /// <summary>Every value of the enum, with the status and type the docs' table gives it.</summary>
    public static TheoryData<FunnelRule, int, string> EveryRule => new()
    {
        { FunnelRule.SameStage, 422, "urn:funnelmetrics:rule:same-stage" },
        { FunnelRule.ClientClosed, 422, "urn:funnelmetrics:rule:client-closed" },
        { FunnelRule.ReopenOfOpenClient, 422, "urn:funnelmetrics:rule:reopen-of-open-client" },
        { FunnelRule.ClientNotEntered, 422, "urn:funnelmetrics:rule:client-not-entered" },
        { FunnelRule.EntryIntoWonStage, 422, "urn:funnelmetrics:rule:entry-into-won-stage" },
        { FunnelRule.ReopenIntoWonStage, 422, "urn:funnelmetrics:rule:reopen-into-won-stage" },
        { FunnelRule.EventBeforePreviousEvent, 422, "urn:funnelmetrics:rule:event-before-previous-event" },
        { FunnelRule.EventBeforeClientCreated, 422, "urn:funnelmetrics:rule:event-before-client-created" },
        { FunnelRule.EventInFuture, 422, "urn:funnelmetrics:rule:event-in-future" },
        { FunnelRule.SameOwner, 422, "urn:funnelmetrics:rule:same-owner" },
        { FunnelRule.AlreadyEntered, 422, "urn:funnelmetrics:rule:already-entered" },
        { FunnelRule.FromStageMismatch, 422, "urn:funnelmetrics:rule:from-stage-mismatch" },
        { FunnelRule.KindContradictsStageOrder, 422, "urn:funnelmetrics:rule:kind-contradicts-stage-order" },
        { FunnelRule.SequenceNotNext, 422, "urn:funnelmetrics:rule:sequence-not-next" },
        { FunnelRule.UnknownStage, 404, "urn:funnelmetrics:rule:unknown-stage" },
        { FunnelRule.ReassignmentFromOtherOwner, 422, "urn:funnelmetrics:rule:reassignment-from-other-owner" },
    };

    [Fact]
    public void TheTable_HasEveryRule_AndTheTheoryToo()
    {
        Assert.Equal(Enum.GetValues<FunnelRule>().Order(), FunnelProblems.Rules.Keys.Order());
        Assert.Equal(Enum.GetValues<FunnelRule>().Order(), EveryRule.Select(row => (FunnelRule)row[0]).Order());
    }

    [Theory]
    [MemberData(nameof(EveryRule))]
    public async Task EveryRule_IsAProblemWithItsStatusTypeAndExtensions(FunnelRule rule, int status, string type)
    {
        var at = new DateTimeOffset(2026, 3, 2, 9, 30, 0, TimeSpan.Zero);
        await using var app = await FunnelApp.StartAsync(map: group => group.MapGet("/test/rules/{rule}", (string rule) =>
        {
            var value = Enum.Parse<FunnelRule>(rule);
            throw new FunnelRuleException(value, new ClientId("c1"), at, $"Refused by {value}.");
        }));
        var (response, body) = await app.GetAsync($"/test/rules/{rule}");
        var problem = Problem.Assert(response, body, status, type);
        Assert.Equal(rule.ToString(), (string?)problem["rule"]);
        Assert.Equal("c1", (string?)problem["clientId"]);
        Assert.Equal(at, DateTimeOffset.Parse((string)problem["occurredAt"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal($"Refused by {rule}.", (string?)problem["detail"]);
    }

    [Theory]
    [InlineData("/pipelines/sales/clients/c1/moves", """{"stage":"offer","occurredAt":"2026-03-02T20:00:00Z"}""", "same-stage", "c1", "offer", "2026-03-02T20:00:00Z")]
    [InlineData("/pipelines/sales/clients/c2/reopenings", """{"stage":"lead","occurredAt":"2026-03-02T20:00:00Z"}""", "reopen-of-open-client", "c2", null, "2026-03-02T20:00:00Z")]
    [InlineData("/pipelines/sales/clients/c4/losses", """{"occurredAt":"2026-03-02T20:00:00Z"}""", "client-not-entered", "c4", null, "2026-03-02T20:00:00Z")]
    [InlineData("/pipelines/sales/clients/c4/moves", """{"stage":"won","occurredAt":"2026-03-02T20:00:00Z"}""", "entry-into-won-stage", "c4", null, "2026-03-02T20:00:00Z")]
    [InlineData("/pipelines/sales/clients/c1/moves", """{"stage":"contract","occurredAt":"2026-03-02T10:00:00Z"}""", "event-before-previous-event", "c1", null, "2026-03-02T10:00:00Z")]
    [InlineData("/pipelines/sales/clients/c4/activities", """{"occurredAt":"2026-03-01T10:00:00Z"}""", "event-before-client-created", "c4", null, "2026-03-01T10:00:00Z")]
    [InlineData("/pipelines/sales/clients/c1/moves", """{"stage":"contract","occurredAt":"2099-01-01T00:00:00Z"}""", "event-in-future", "c1", null, "2099-01-01T00:00:00Z")]
    [InlineData("/pipelines/sales/clients/c1/reassignments", """{"owner":"anna","occurredAt":"2026-03-02T20:00:00Z"}""", "same-owner", "c1", null, "2026-03-02T20:00:00Z")]
    public async Task ARefusedWrite_IsItsRuleWithClientStageAndInstant(string path, string body, string slug, string client, string? stage, string instant)
    {
        await using var app = await FunnelApp.StartAsync();
        await app.Store.Clients.AddAsync(new Client(new ClientId("c4"), FunnelApp.Sales.Id, new OwnerId("anna"), FunnelApp.T0));
        var (response, problem) = await app.PostAsync(path, body);
        var status = slug == "unknown-stage" ? 404 : 422;
        Problem.Assert(response, problem, status, "urn:funnelmetrics:rule:" + slug);
        Assert.Equal(client, (string?)problem!["clientId"]);
        Assert.Equal(stage, (string?)problem["stage"]);
        Assert.Equal(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse((string)problem["occurredAt"]!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task ClosedClients_AreClientClosed_AndAReopenIntoWon_IsReopenIntoWonStage()
    {
        await using var app = await FunnelApp.StartAsync();
        await app.PostAsync("/pipelines/sales/clients/c3/moves", """{"stage":"won","occurredAt":"2026-03-02T20:00:00Z"}""");
        var (closed, problem) = await app.PostAsync("/pipelines/sales/clients/c3/moves", """{"stage":"offer","occurredAt":"2026-03-02T21:00:00Z"}""");
        Problem.Assert(closed, problem, 422, "urn:funnelmetrics:rule:client-closed");
        Assert.Equal(("c3", "offer", "Won", "won"), ((string?)problem!["clientId"], (string?)problem["stage"], (string?)problem["clientStatus"], (string?)problem["currentStage"]));
        var (won, again) = await app.PostAsync("/pipelines/sales/clients/c3/reopenings", """{"stage":"won","occurredAt":"2026-03-02T21:00:00Z"}""");
        Problem.Assert(won, again, 422, "urn:funnelmetrics:rule:reopen-into-won-stage");
    }

    [Fact]
    public async Task AStageThePipelineDoesNotHave_Is404UnknownStageNamingPipelineClientAndStage()
    {
        await using var app = await FunnelApp.StartAsync();
        var (response, problem) = await app.PostAsync("/pipelines/sales/clients/c1/moves", """{"stage":"negotiation"}""");
        Problem.Assert(response, problem, 404, "urn:funnelmetrics:rule:unknown-stage");
        Assert.Equal(("sales", "c1", "negotiation", "UnknownStage"), ((string?)problem!["pipelineId"], (string?)problem["clientId"], (string?)problem["stage"], (string?)problem["rule"]));
    }

    [Theory]
    [InlineData("/pipelines/sales/clients/nobody", "urn:funnelmetrics:problem:unknown-client", "clientId", "nobody")]
    [InlineData("/pipelines/nowhere/clients/c1", "urn:funnelmetrics:problem:unknown-pipeline", "pipelineId", "nowhere")]
    [InlineData("/pipelines/nowhere/stage-counts", "urn:funnelmetrics:problem:unknown-pipeline", "pipelineId", "nowhere")]
    public async Task UnknownClientsAndPipelines_Are404NamingThem(string path, string type, string name, string value)
    {
        await using var app = await FunnelApp.StartAsync();
        var (response, problem) = await app.GetAsync(path);
        Problem.Assert(response, problem, 404, type);
        Assert.Equal(value, (string?)problem![name]);
    }

    [Fact]
    public async Task AClientOfAnotherPipeline_Is404()
    {
        var other = new PipelineDefinition(new PipelineId("other"), "Other", [new StageDefinition(new StageId("lead")), new StageDefinition(new StageId("won"))]);
        await using var app = await FunnelApp.StartAsync();
        await app.Store.Pipelines.AddAsync(other);
        var (response, problem) = await app.PostAsync("/pipelines/other/clients/c1/moves", """{"stage":"won"}""");
        Problem.Assert(response, problem, 404, "urn:funnelmetrics:problem:unknown-client");
    }

    [Fact]
    public async Task OtherRefusals_MapToTheirStatusAndType()
    {
        var cases = new Dictionary<string, (Exception Error, int Status, string Type, string Extension, object Value)>
        {
            ["concurrency"] = (new ConcurrencyConflictException(new ClientId("c1"), 3, 4), 409, "urn:funnelmetrics:problem:concurrency-conflict", "actualVersion", 4L),
            ["history"] = (new FunnelHistoryException(FunnelRule.SequenceNotNext, new ClientId("c1"), new ClientEventId("e7"), 7, FunnelApp.T0, "Gap."), 500, "urn:funnelmetrics:problem:broken-history", "rule", "SequenceNotNext"),
            ["pipeline"] = (new PipelineConflictException(FunnelApp.Sales, FunnelApp.Sales), 409, "urn:funnelmetrics:problem:pipeline-conflict", "pipelineId", "sales"),
            ["argument"] = (new ArgumentException("A note is at most 1000 characters.", "note"), 400, "urn:funnelmetrics:problem:invalid-request", "parameter", "note"),
        };
        await using var app = await FunnelApp.StartAsync(map: group => group.MapGet("/test/errors/{name}", IResult (string name) => throw cases[name].Error));
        foreach (var (name, (_, status, type, extension, value)) in cases)
        {
            var (response, body) = await app.GetAsync($"/test/errors/{name}");
            var problem = Problem.Assert(response, body, status, type);
            Assert.Equal(value.ToString(), problem[extension]!.ToString());
        }
    }

    [Fact]
    public async Task AnExceptionOutsideTheTable_IsLeftToTheHost()
    {
        await using var app = await FunnelApp.StartAsync(map: group => group.MapGet("/test/bug", IResult () => throw new InvalidOperationException("A bug.")));
        await Assert.ThrowsAsync<InvalidOperationException>(() => app.Http.GetAsync("/test/bug"));
        Assert.Equal(HttpStatusCode.OK, (await app.Http.GetAsync("/pipelines/sales")).StatusCode);
    }
}
