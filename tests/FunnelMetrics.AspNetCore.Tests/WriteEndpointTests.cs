using System.Net;

namespace FunnelMetrics.AspNetCore.Tests;

/// <summary>The write endpoints over HTTP: each records through the recorder; retries by Idempotency-Key are answered with the original.</summary>
public sealed class WriteEndpointTests
{
    [Fact]
    public async Task AddClient_Is201WithLocation_ARetryIs200WithTheStoredClient_ADifferentClientIs409()
    {
        await using var app = await FunnelApp.StartAsync();
        const string body = """{"id":"c9","owner":"anna","createdAt":"2026-03-02T10:00:00Z","value":500,"attributes":{"region":"east"}}""";
        var (created, client) = await app.PostAsync("/pipelines/sales/clients", body);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/pipelines/sales/clients/c9", created.Headers.Location?.OriginalString);
        Assert.Equal("c9", (string?)client!["id"]);
        Assert.Equal("anna", (string?)client["owner"]);
        Assert.Equal("east", (string?)client["attributes"]!["region"]);

        var (retried, again) = await app.PostAsync("/pipelines/sales/clients", body);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(client.ToJsonString(), again!.ToJsonString());

        var (conflict, problem) = await app.PostAsync("/pipelines/sales/clients", body.Replace("\"value\":500", "\"value\":600", StringComparison.Ordinal));
        Problem.Assert(conflict, problem, 409, "urn:funnelmetrics:problem:client-conflict");
        Assert.Equal("c9", (string?)problem!["clientId"]);
    }

    [Fact]
    public async Task AddClient_WithoutAnInstant_IsNowAndARetryMatchesTheStoredClient()
    {
        await using var app = await FunnelApp.StartAsync();
        const string body = """{"id":"c9","owner":"anna"}""";
        var (created, client) = await app.PostAsync("/pipelines/sales/clients", body);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var (retried, again) = await app.PostAsync("/pipelines/sales/clients", body);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal((string?)client!["createdAt"], (string?)again!["createdAt"]);
        Assert.Single(await app.Store.Clients.ListAsync(FunnelApp.Sales.Id).Where(c => c.Id.Value == "c9").ToListAsync());
    }

    [Fact]
    public async Task Move_First201_RetrySameKeyAndBody200WithTheSameEvent_SameKeyOtherBody409_NeverADuplicate()
    {
        await using var app = await FunnelApp.StartAsync();
        const string body = """{"stage":"offer","occurredAt":"2026-03-02T12:00:00Z","note":"called"}""";
        var (first, recorded) = await app.PostAsync("/pipelines/sales/clients/c2/moves", body, key: "crm-4711");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal("/pipelines/sales/clients/c2/events/crm-4711", first.Headers.Location?.OriginalString);
        Assert.Equal("transition", (string?)recorded!["type"]);
        Assert.Equal("crm-4711", (string?)recorded["id"]);
        Assert.Equal("lead", (string?)recorded["fromStage"]);
        Assert.Equal("offer", (string?)recorded["toStage"]);
        Assert.Equal("Advanced", (string?)recorded["kind"]);
        Assert.Equal(2L, (long?)recorded["sequence"]);

        var (retry, original) = await app.PostAsync("/pipelines/sales/clients/c2/moves", body, key: "crm-4711");
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(recorded.ToJsonString(), original!.ToJsonString());

        var (conflict, problem) = await app.PostAsync("/pipelines/sales/clients/c2/moves", body.Replace("offer", "contract", StringComparison.Ordinal), key: "crm-4711");
        Problem.Assert(conflict, problem, 409, "urn:funnelmetrics:problem:event-id-conflict");
        Assert.Equal("crm-4711", (string?)problem!["eventId"]);
        Assert.Equal("c2", (string?)problem["clientId"]);

        var events = await app.Store.Events.ReadClientAsync(new ClientId("c2")).ToListAsync();
        Assert.Equal(2, events.Count);
        Assert.Equal(1, events.Count(e => e.Id.Value == "crm-4711"));
    }

    [Fact]
    public async Task Move_WithoutAKey_RecordsAFreshIdEachTime()
    {
        await using var app = await FunnelApp.StartAsync();
        var (first, a) = await app.PostAsync("/pipelines/sales/clients/c2/moves", """{"stage":"offer","occurredAt":"2026-03-02T12:00:00Z"}""");
        var (second, b) = await app.PostAsync("/pipelines/sales/clients/c2/moves", """{"stage":"contract","occurredAt":"2026-03-02T13:00:00Z"}""");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.NotEqual((string?)a!["id"], (string?)b!["id"]);
    }

    [Theory]
    [InlineData(" padded")]
    [InlineData("tab\there")]
    public async Task ABadIdempotencyKey_Is400NamingTheHeader(string key)
    {
        await using var app = await FunnelApp.StartAsync();
        var (response, problem) = await app.PostAsync("/pipelines/sales/clients/c2/moves", """{"stage":"offer"}""", key: key);
        Problem.BadParameter(response, problem, "Idempotency-Key");
        Assert.Single(await app.Store.Events.ReadClientAsync(new ClientId("c2")).ToListAsync());
    }

    [Fact]
    public async Task AKeyTooLong_Is400NamingTheHeader()
    {
        await using var app = await FunnelApp.StartAsync();
        var (response, problem) = await app.PostAsync("/pipelines/sales/clients/c2/moves", """{"stage":"offer"}""", key: new string('k', 201));
        Problem.BadParameter(response, problem, "Idempotency-Key");
    }

    [Fact]
    public async Task LoseThenReopen_RecordTheTransitions_AndTheClientReadsReopened()
    {
        await using var app = await FunnelApp.StartAsync();
        var (lost, loss) = await app.PostAsync("/pipelines/sales/clients/c1/losses", """{"lostReason":"price","occurredAt":"2026-03-03T09:00:00Z"}""", key: "l1");
        Assert.Equal(HttpStatusCode.Created, lost.StatusCode);
        Assert.Equal("Lost", (string?)loss!["kind"]);
        Assert.Equal("price", (string?)loss["lostReason"]);

        var (reopened, reopen) = await app.PostAsync("/pipelines/sales/clients/c1/reopenings", """{"stage":"lead","occurredAt":"2026-03-04T09:00:00Z"}""", key: "r1");
        Assert.Equal(HttpStatusCode.Created, reopened.StatusCode);
        Assert.Equal("Reopened", (string?)reopen!["kind"]);

        var (_, view) = await app.GetAsync("/pipelines/sales/clients/c1");
        Assert.Equal("Open", (string?)view!["state"]!["status"]);
        Assert.Equal("lead", (string?)view["state"]!["stage"]);
        Assert.Equal(4L, (long?)view["state"]!["version"]);
    }

    [Fact]
    public async Task ActivityReassignmentAndUpdate_AreRecorded_AndTheClientReadsThem()
    {
        await using var app = await FunnelApp.StartAsync();
        var (a, activity) = await app.PostAsync("/pipelines/sales/clients/c2/activities", """{"note":"follow-up call","occurredAt":"2026-03-03T09:00:00Z"}""", key: "a1");
        Assert.Equal(HttpStatusCode.Created, a.StatusCode);
        Assert.Equal("activity", (string?)activity!["type"]);
        Assert.Equal("follow-up call", (string?)activity["note"]);

        var (r, reassignment) = await app.PostAsync("/pipelines/sales/clients/c2/reassignments", """{"owner":"boris","occurredAt":"2026-03-03T10:00:00Z"}""", key: "r1");
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        Assert.Equal("reassignment", (string?)reassignment!["type"]);
        Assert.Equal("anna", (string?)reassignment["previousOwner"]);
        Assert.Equal("boris", (string?)reassignment["owner"]);

        var (u, update) = await app.PostAsync("/pipelines/sales/clients/c2/updates", """{"value":2500,"attributes":{"region":"west","campaign":null},"occurredAt":"2026-03-03T11:00:00Z"}""", key: "u1");
        Assert.Equal(HttpStatusCode.Created, u.StatusCode);
        Assert.Equal("update", (string?)update!["type"]);

        var (_, view) = await app.GetAsync("/pipelines/sales/clients/c2");
        Assert.Equal(2500m, (decimal?)view!["client"]!["value"]);
        Assert.Equal("west", (string?)view["client"]!["attributes"]!["region"]);
        Assert.Equal("boris", (string?)view["state"]!["owner"]);
        Assert.Equal(4L, (long?)view["state"]!["version"]);

        var (_, events) = await app.GetAsync("/pipelines/sales/clients/c2/events");
        Assert.Equal(["transition", "activity", "reassignment", "update"], events!.AsArray().Select(e => (string?)e!["type"]));

        var (found, one) = await app.GetAsync("/pipelines/sales/clients/c2/events/r1");
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal("boris", (string?)one!["owner"]);
        var (missing, problem) = await app.GetAsync("/pipelines/sales/clients/c1/events/r1");
        Problem.Assert(missing, problem, 404, "urn:funnelmetrics:problem:unknown-event");
    }

    [Fact]
    public async Task AnUpdateThatChangesNothingOrContradictsItself_Is400()
    {
        await using var app = await FunnelApp.StartAsync();
        var (empty, problem) = await app.PostAsync("/pipelines/sales/clients/c2/updates", "{}");
        Problem.BadParameter(empty, problem, "body");
        var (both, contradiction) = await app.PostAsync("/pipelines/sales/clients/c2/updates", """{"value":1,"clearValue":true}""");
        Problem.BadParameter(both, contradiction, "body");
    }

    [Theory]
    [InlineData("""{"occurredAt":"2026-03-02T12:00:00Z"}""", "$")]
    [InlineData("""{"stage":"offer","stgae":"x"}""", "$.stgae")]
    [InlineData("""{"stage":null}""", "$.stage")]
    [InlineData("""{"stage":"offer","occurredAt":"yesterday"}""", "$.occurredAt")]
    [InlineData("""not json""", "$")]
    public async Task ABodyThatBreaksTheContract_Is400NamingThePath(string body, string path)
    {
        await using var app = await FunnelApp.StartAsync();
        var (response, problem) = await app.PostAsync("/pipelines/sales/clients/c2/moves", body);
        Problem.BadParameter(response, problem, "body");
        Assert.StartsWith(path, (string?)problem!["path"] ?? "$", StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABodyThatIsNotJson_Is415_AndWithoutAContentTypeTheProblemSaysSo()
    {
        await using var app = await FunnelApp.StartAsync();

        // Refused by routing (the endpoint accepts application/json only), before the endpoint runs.
        using var form = new HttpRequestMessage(HttpMethod.Post, "/pipelines/sales/clients/c2/moves") { Content = new StringContent("stage=offer", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded") };
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await app.Http.SendAsync(form)).StatusCode);

        using var bare = new HttpRequestMessage(HttpMethod.Post, "/pipelines/sales/clients/c2/moves") { Content = new ByteArrayContent("{\"stage\":\"offer\"}"u8.ToArray()) };
        var (response, problem) = await app.SendAsync(bare);
        Problem.Assert(response, problem, 415, "urn:funnelmetrics:problem:unsupported-media-type");
        Assert.Single(await app.Store.Events.ReadClientAsync(new ClientId("c2")).ToListAsync());
    }

    [Fact]
    public async Task ARepeatedIdempotencyKey_Is400NamingTheHeader()
    {
        await using var app = await FunnelApp.StartAsync();
        using var request = FunnelApp.Post("/pipelines/sales/clients/c2/moves", """{"stage":"offer"}""");
        request.Headers.Add("Idempotency-Key", ["k1", "k2"]);
        var (response, problem) = await app.SendAsync(request);
        Problem.BadParameter(response, problem, "Idempotency-Key");
    }

    [Theory]
    [InlineData("/pipelines/sales/clients/c2/moves", """{"stage":" offer"}""", "stage")]
    [InlineData("/pipelines/sales/clients/c2/reassignments", """{"owner":""}""", "owner")]
    [InlineData("/pipelines/sales/clients", """{"id":"c\u0007","owner":"anna"}""", "id")]
    [InlineData("/pipelines/%20sales/clients/c2/moves", """{"stage":"offer"}""", "pipelineId")]
    [InlineData("/pipelines/sales/clients/%20c2/moves", """{"stage":"offer"}""", "clientId")]
    public async Task AnInvalidIdentifier_Is400NamingIt(string path, string body, string parameter)
    {
        await using var app = await FunnelApp.StartAsync();
        var (response, problem) = await app.PostAsync(path, body);
        Problem.BadParameter(response, problem, parameter);
    }
}
