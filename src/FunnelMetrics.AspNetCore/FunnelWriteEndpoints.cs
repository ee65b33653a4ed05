using System.ComponentModel;
using FunnelMetrics.Recording;
using FunnelMetrics.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace FunnelMetrics.AspNetCore;

/// <summary>The write endpoints: each through <see cref="FunnelRecorder"/>, idempotent by the <c>Idempotency-Key</c> header.</summary>
internal static class FunnelWriteEndpoints
{
    private const string KeyDescription = "The CRM's idempotency key, the event's id (at most 200 characters, no control characters): a retry with the same key and body returns the event stored first (200); the same key with another body is 409. Omitted: a fresh id, so a blind retry records twice.";

    private static FunnelEndpointsJsonContext Json => FunnelEndpointsJsonContext.Default;

    public static async Task<Results<Created<Client>, Ok<Client>>> AddClientAsync(
        [Description("The pipeline.")] string pipelineId, HttpContext http, FunnelRecorder recorder, IClientRepository clients, TimeProvider time)
    {
        var pipeline = FunnelQuery.Pipeline(pipelineId);
        var body = await FunnelHttp.BodyAsync(http.Request, Json.AddClientRequest).ConfigureAwait(false);
        var id = FunnelQuery.Client(body.Id, "id");
        var owner = FunnelQuery.Owner(body.Owner, "owner");
        var scope = await FunnelHttp.ScopeAsync(http, pipeline).ConfigureAwait(false);
        if (!scope.Allows(owner))
        {
            throw FunnelRequestException.OutOfScope($"Owner '{owner}' is outside the caller's scope ({scope}): add clients of your own.", "owner");
        }

        var existing = await clients.GetAsync(id, http.RequestAborted).ConfigureAwait(false);
        if (existing is not null && body.CreatedAt is null && existing.PipelineId == pipeline
            && new Client(id, pipeline, owner, existing.CreatedAt, body.Value, body.Attributes, body.ExpectedCloseDate).Equals(existing))
        {
            // A retry of a request without an instant: the client stored first, whatever its instant.
            return TypedResults.Ok(existing);
        }

        var client = new Client(id, pipeline, owner, body.CreatedAt ?? time.GetUtcNow(), body.Value, body.Attributes, body.ExpectedCloseDate);
        var added = await recorder.AddClientAsync(client, http.RequestAborted).ConfigureAwait(false);
        return existing is null
            ? TypedResults.Created(FunnelHttp.Child(http.Request, Uri.EscapeDataString(added.Id.Value)), added)
            : TypedResults.Ok(added);
    }

    public static async Task<Results<Created<ClientEvent>, Ok<ClientEvent>>> MoveAsync(
        [Description("The pipeline.")] string pipelineId, [Description("The client.")] string clientId,
        [FromHeader(Name = FunnelHttp.IdempotencyKeyHeader), Description(KeyDescription)] string? idempotencyKey,
        HttpContext http, FunnelRecorder recorder)
    {
        var key = FunnelHttp.Key(http.Request);
        var body = await FunnelHttp.BodyAsync(http.Request, Json.MoveRequest).ConfigureAwait(false);
        var target = await FunnelHttp.ClientAsync(http, pipelineId, clientId, recorder, write: true).ConfigureAwait(false);
        return await FunnelHttp.RecordAsync(http, key, async (id, ct) => await recorder.MoveAsync(target.ClientId, FunnelQuery.Stage(body.Stage, "stage"), body.OccurredAt, body.Note, id, ct).ConfigureAwait(false)).ConfigureAwait(false);
    }

    public static async Task<Results<Created<ClientEvent>, Ok<ClientEvent>>> LoseAsync(
        [Description("The pipeline.")] string pipelineId, [Description("The client.")] string clientId,
        [FromHeader(Name = FunnelHttp.IdempotencyKeyHeader), Description(KeyDescription)] string? idempotencyKey,
        HttpContext http, FunnelRecorder recorder)
    {
        var key = FunnelHttp.Key(http.Request);
        var body = await FunnelHttp.BodyAsync(http.Request, Json.LoseRequest).ConfigureAwait(false);
        var target = await FunnelHttp.ClientAsync(http, pipelineId, clientId, recorder, write: true).ConfigureAwait(false);
        return await FunnelHttp.RecordAsync(http, key, async (id, ct) => await recorder.MarkLostAsync(target.ClientId, body.LostReason, body.OccurredAt, body.Note, id, ct).ConfigureAwait(false)).ConfigureAwait(false);
    }

    public static async Task<Results<Created<ClientEvent>, Ok<ClientEvent>>> ReopenAsync(
        [Description("The pipeline.")] string pipelineId, [Description("The client.")] string clientId,
        [FromHeader(Name = FunnelHttp.IdempotencyKeyHeader), Description(KeyDescription)] string? idempotencyKey,
        HttpContext http, FunnelRecorder recorder)
    {
        var key = FunnelHttp.Key(http.Request);
        var body = await FunnelHttp.BodyAsync(http.Request, Json.ReopenRequest).ConfigureAwait(false);
        var target = await FunnelHttp.ClientAsync(http, pipelineId, clientId, recorder, write: true).ConfigureAwait(false);
        return await FunnelHttp.RecordAsync(http, key, async (id, ct) => await recorder.ReopenAsync(target.ClientId, FunnelQuery.Stage(body.Stage, "stage"), body.OccurredAt, body.Note, id, ct).ConfigureAwait(false)).ConfigureAwait(false);
    }

    public static async Task<Results<Created<ClientEvent>, Ok<ClientEvent>>> RecordActivityAsync(
        [Description("The pipeline.")] string pipelineId, [Description("The client.")] string clientId,
        [FromHeader(Name = FunnelHttp.IdempotencyKeyHeader), Description(KeyDescription)] string? idempotencyKey,
        HttpContext http, FunnelRecorder recorder)
    {
        var key = FunnelHttp.Key(http.Request);
        var body = await FunnelHttp.BodyAsync(http.Request, Json.ActivityRequest).ConfigureAwait(false);
        var target = await FunnelHttp.ClientAsync(http, pipelineId, clientId, recorder, write: true).ConfigureAwait(false);
        return await FunnelHttp.RecordAsync(http, key, async (id, ct) => await recorder.RecordActivityAsync(target.ClientId, body.Note, body.OccurredAt, id, ct).ConfigureAwait(false)).ConfigureAwait(false);
    }

    public static async Task<Results<Created<ClientEvent>, Ok<ClientEvent>>> ReassignAsync(
        [Description("The pipeline.")] string pipelineId, [Description("The client.")] string clientId,
        [FromHeader(Name = FunnelHttp.IdempotencyKeyHeader), Description(KeyDescription)] string? idempotencyKey,
        HttpContext http, FunnelRecorder recorder)
    {
        var key = FunnelHttp.Key(http.Request);
        var body = await FunnelHttp.BodyAsync(http.Request, Json.ReassignRequest).ConfigureAwait(false);
        var target = await FunnelHttp.ClientAsync(http, pipelineId, clientId, recorder, write: true).ConfigureAwait(false);
        return await FunnelHttp.RecordAsync(http, key, async (id, ct) => await recorder.ReassignAsync(target.ClientId, FunnelQuery.Owner(body.Owner, "owner"), body.OccurredAt, body.Note, id, ct).ConfigureAwait(false)).ConfigureAwait(false);
    }

    public static async Task<Results<Created<ClientEvent>, Ok<ClientEvent>>> UpdateClientAsync(
        [Description("The pipeline.")] string pipelineId, [Description("The client.")] string clientId,
        [FromHeader(Name = FunnelHttp.IdempotencyKeyHeader), Description(KeyDescription)] string? idempotencyKey,
        HttpContext http, FunnelRecorder recorder)
    {
        var key = FunnelHttp.Key(http.Request);
        var body = await FunnelHttp.BodyAsync(http.Request, Json.UpdateClientRequest).ConfigureAwait(false);
        var changes = Changes(body);
        var target = await FunnelHttp.ClientAsync(http, pipelineId, clientId, recorder, write: true).ConfigureAwait(false);
        return await FunnelHttp.RecordAsync(http, key, async (id, ct) => await recorder.UpdateClientAsync(target.ClientId, changes, body.OccurredAt, body.Note, id, ct).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private static ClientChanges Changes(UpdateClientRequest body)
    {
        if (body.ClearValue && body.Value is not null)
        {
            throw FunnelRequestException.BadParameter("body", "The update both sets the value and clears it: send value or clearValue, not both.");
        }

        if (body.ClearExpectedCloseDate && body.ExpectedCloseDate is not null)
        {
            throw FunnelRequestException.BadParameter("body", "The update both sets the expected close date and clears it: send expectedCloseDate or clearExpectedCloseDate, not both.");
        }

        var changes = ClientChanges.None;
        if (body.Value is not null || body.ClearValue)
        {
            changes = changes.WithValue(body.Value);
        }

        if (body.ExpectedCloseDate is not null || body.ClearExpectedCloseDate)
        {
            changes = changes.WithExpectedCloseDate(body.ExpectedCloseDate);
        }

        foreach (var (name, value) in body.Attributes ?? new Dictionary<string, string?>())
        {
            changes = value is null ? changes.WithoutAttribute(name) : changes.WithAttribute(name, value);
        }

        return changes.IsEmpty
            ? throw FunnelRequestException.BadParameter("body", "The update changes nothing: set value, clearValue, expectedCloseDate, clearExpectedCloseDate or attributes.")
            : changes;
    }
}
