using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FunnelMetrics.Recording;
using FunnelMetrics.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace FunnelMetrics.AspNetCore;

/// <summary>What every endpoint does around the library: the caller's scope, the client of the route, the body, the idempotency key.</summary>
internal static class FunnelHttp
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>The caller's scope in the pipeline, from the registered <see cref="IFunnelAccessPolicy"/>.</summary>
    public static async ValueTask<FunnelAccessScope> ScopeAsync(HttpContext http, PipelineId pipelineId) =>
        await http.RequestServices.GetRequiredService<IFunnelAccessPolicy>().GetScopeAsync(http, pipelineId, http.RequestAborted).ConfigureAwait(false)
        ?? throw new InvalidOperationException($"The {nameof(IFunnelAccessPolicy)} returned no scope for pipeline '{pipelineId}'.");

    /// <summary>The pipeline of the route, which must exist.</summary>
    public static async Task<PipelineDefinition> PipelineAsync(HttpContext http, PipelineId pipelineId) =>
        await http.RequestServices.GetRequiredService<IPipelineRepository>().GetAsync(pipelineId, http.RequestAborted).ConfigureAwait(false)
        ?? throw new UnknownPipelineException(pipelineId);

    /// <summary>
    /// The client of the route, with its state: 404 when it is not in the pipeline; out of the caller's scope (by its
    /// current owner), 404 for a read and 403 for a write.
    /// </summary>
    public static async Task<ClientTarget> ClientAsync(HttpContext http, string pipelineId, string clientId, FunnelRecorder recorder, bool write)
    {
        var pipeline = FunnelQuery.Pipeline(pipelineId);
        var client = FunnelQuery.Client(clientId, "clientId");
        _ = await PipelineAsync(http, pipeline).ConfigureAwait(false);
        var scope = await ScopeAsync(http, pipeline).ConfigureAwait(false);
        var state = await recorder.GetStateAsync(client, http.RequestAborted).ConfigureAwait(false);
        if (state.PipelineId != pipeline)
        {
            throw new UnknownClientException(client);
        }

        if (!scope.Allows(state.Owner))
        {
            throw write
                ? FunnelRequestException.OutOfScope($"Client '{client}' is owned by '{state.Owner}', outside the caller's scope ({scope}): it cannot be changed.")
                : new UnknownClientException(client);
        }

        return new ClientTarget(pipeline, client, state, scope);
    }

    /// <summary>The idempotency key of the header, the recorded event's id; <see langword="null"/> without the header. An empty, invalid or repeated key is a 400.</summary>
    public static ClientEventId? Key(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(IdempotencyKeyHeader, out var values))
        {
            return null;
        }

        if (values.Count != 1)
        {
            throw FunnelRequestException.BadParameter(IdempotencyKeyHeader, $"The {IdempotencyKeyHeader} header is given {values.Count} times; give one key.");
        }

        return FunnelQuery.EventId(values[0] ?? "", IdempotencyKeyHeader);
    }

    /// <summary>Reads a JSON body strictly through the endpoints' context; a body that is not JSON or breaks the contract is a 400 naming the property.</summary>
    public static async Task<T> BodyAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            throw new FunnelRequestException(415, "unsupported-media-type", "The body is not JSON.", $"Send the body as application/json; the request says '{request.ContentType}'.", "body");
        }

        try
        {
            return await JsonSerializer.DeserializeAsync(request.Body, typeInfo, request.HttpContext.RequestAborted).ConfigureAwait(false)
                ?? throw FunnelRequestException.BadParameter("body", "The body is null; send a JSON object.");
        }
        catch (JsonException e)
        {
            var problem = FunnelRequestException.BadParameter("body", e.Message);
            if (e.Path is { } path)
            {
                problem.Extensions["path"] = path;
            }

            throw problem;
        }
    }

    /// <summary>
    /// Records an event under the request's idempotency key: 201 with the event the first time, 200 with the event stored
    /// first when the key was already used for the same request (the recorder throws for another request: 409).
    /// </summary>
    public static async Task<Microsoft.AspNetCore.Http.HttpResults.Results<Microsoft.AspNetCore.Http.HttpResults.Created<ClientEvent>, Microsoft.AspNetCore.Http.HttpResults.Ok<ClientEvent>>> RecordAsync(
        HttpContext http, ClientEventId? key, Func<ClientEventId?, CancellationToken, Task<ClientEvent>> record)
    {
        var events = http.RequestServices.GetRequiredService<IFunnelEventStore>();
        var retried = key is { } k && await events.FindAsync(k, http.RequestAborted).ConfigureAwait(false) is not null;
        var recorded = await record(key, http.RequestAborted).ConfigureAwait(false);
        if (retried)
        {
            return TypedResults.Ok(recorded);
        }

        return TypedResults.Created(Sibling(http.Request, "events/" + Uri.EscapeDataString(recorded.Id.Value)), recorded);
    }

    /// <summary>The path beside the request's last segment: <c>.../clients/c1/moves</c> gives <c>.../clients/c1/{relative}</c>.</summary>
    public static string Sibling(HttpRequest request, string relative)
    {
        var path = (request.PathBase + request.Path).Value ?? "";
        return path[..(path.LastIndexOf('/') + 1)] + relative;
    }

    /// <summary>The path below the request's: <c>.../clients</c> gives <c>.../clients/{relative}</c>.</summary>
    public static string Child(HttpRequest request, string relative) => (request.PathBase + request.Path).Value?.TrimEnd('/') + "/" + relative;
}

/// <summary>The client of a route, checked against the caller's scope.</summary>
internal sealed record ClientTarget(PipelineId PipelineId, ClientId ClientId, ClientState State, FunnelAccessScope Scope);
