using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using FunnelMetrics.Analytics;
using FunnelMetrics.Metrics;
using FunnelMetrics.Recording;

namespace FunnelMetrics.Samples.Web;

/// <summary>
/// Until FunnelMetrics.AspNetCore's MapFunnelMetrics() is merged: the few routes the pages use, in the same shape.
/// To be replaced by the package.
/// </summary>
internal static class InterimEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/pipelines/{pipelineId}").RequireAuthorization(SampleAccounts.SignedInPolicy);
        group.MapGet("/dashboard", async (string pipelineId, string? owner, DateTimeOffset? asOf, ClaimsPrincipal user, FunnelAnalytics analytics, CancellationToken ct) =>
        {
            var scope = SampleAccounts.OwnerOf(user);
            var filterOwner = scope ?? (owner is null ? null : new OwnerId(owner));
            var dash = await analytics.GetDashboardAsync(new PipelineId(pipelineId), new DashboardRequest { AsOf = asOf, Filter = filterOwner is { } o ? new FunnelFilter { Owners = [o] } : null }, ct);
            return Results.Ok(dash);
        });
        group.MapGet("/clients", async (string pipelineId, string measure, string? stage, DateTimeOffset? asOf, DateTimeOffset? from, DateTimeOffset? to, string? owner, int? offset, int? limit, ClaimsPrincipal user, FunnelAnalytics analytics, CancellationToken ct) =>
        {
            var scope = SampleAccounts.OwnerOf(user);
            var filterOwner = scope ?? (owner is null ? null : new OwnerId(owner));
            var query = new ClientListQuery
            {
                Measure = Enum.Parse<ClientListMeasure>(measure, ignoreCase: true),
                Stage = stage is null ? null : new StageId(stage),
                AsOf = asOf,
                Window = from is { } f && to is { } t ? new TimeWindow(f, t) : null,
                Filter = filterOwner is { } o ? new FunnelFilter { Owners = [o] } : null,
                Offset = offset ?? 0,
                Limit = limit ?? 50,
            };
            return Results.Ok(await analytics.ListClientsAsync(new PipelineId(pipelineId), query, ct));
        });
        group.MapGet("/clients/{clientId}", async (string clientId, FunnelRecorder recorder, CancellationToken ct) =>
            Results.Ok(new { Client = await recorder.GetClientAsync(new ClientId(clientId), cancellationToken: ct), State = await recorder.GetStateAsync(new ClientId(clientId), ct) }));
        group.MapPost("/clients/{clientId}/moves", async (string clientId, JsonElement body, FunnelRecorder recorder, CancellationToken ct) =>
            await Write(async () => Results.Ok(await recorder.MoveAsync(new ClientId(clientId), new StageId(body.GetProperty("stage").GetString()!), cancellationToken: ct))));
        group.MapPost("/clients/{clientId}/losses", async (string clientId, FunnelRecorder recorder, CancellationToken ct) =>
            await Write(async () => Results.Ok(await recorder.MarkLostAsync(new ClientId(clientId), cancellationToken: ct))));
        group.MapPost("/clients/{clientId}/activities", async (string clientId, FunnelRecorder recorder, CancellationToken ct) =>
            await Write(async () => Results.Ok(await recorder.RecordActivityAsync(new ClientId(clientId), cancellationToken: ct))));
        group.MapPost("/clients/{clientId}/reopenings", async (string clientId, JsonElement body, FunnelRecorder recorder, CancellationToken ct) =>
            await Write(async () => Results.Ok(await recorder.ReopenAsync(new ClientId(clientId), new StageId(body.GetProperty("stage").GetString()!), cancellationToken: ct))));
        group.MapGet("/dashboard/stream", async (string pipelineId, HttpContext http, FunnelReadModelRegistry registry) =>
        {
            http.Response.ContentType = "text/event-stream";
            var sent = -1L;
            while (!http.RequestAborted.IsCancellationRequested)
            {
                if (registry.TryGet(new PipelineId(pipelineId), out var model) && model.Snapshot.Position != sent)
                {
                    sent = model.Snapshot.Position;
                    await http.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"event: change\ndata: {{\"pipelineId\":\"{pipelineId}\",\"position\":{sent}}}\n\n"), http.RequestAborted);
                    await http.Response.Body.FlushAsync(http.RequestAborted);
                }

                await Task.Delay(100, http.RequestAborted);
            }
        });
    }

    private static async Task<IResult> Write(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (FunnelRuleException ex)
        {
            return Results.Problem(statusCode: 422, title: "A rule of the funnel is broken", detail: ex.Message, type: "https://funnelmetrics.dev/problems/" + ex.Rule, extensions: new Dictionary<string, object?> { ["rule"] = ex.Rule.ToString(), ["clientId"] = ex.ClientId.Value });
        }
    }
}

