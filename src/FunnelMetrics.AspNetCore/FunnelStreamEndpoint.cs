using System.Collections.Concurrent;
using System.ComponentModel;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FunnelMetrics.Analytics;
using FunnelMetrics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace FunnelMetrics.AspNetCore;

/// <summary>
/// The Server-Sent Events stream of a pipeline's dashboard from its warm model: one event when it opens, then one per
/// snapshot the model publishes (a burst of publications between two sends coalesced into the latest), keep-alive
/// comments in between; it ends when the client goes away.
/// </summary>
internal static class FunnelStreamEndpoint
{
    public const string ContentType = "text/event-stream";

    public static async Task<IResult> StreamAsync(
        [Description("The pipeline.")] string pipelineId,
        [Description("The wins the month should bring; omitted for the recent pace.")] string? targetWins,
        [Description(FunnelReadEndpoints.Owner)] string[]? owner, [Description(FunnelReadEndpoints.Attribute)] string[]? attribute,
        [Description(FunnelReadEndpoints.EnteredFrom)] string? enteredFrom, [Description(FunnelReadEndpoints.EnteredTo)] string? enteredTo,
        HttpContext http, FunnelReadModelRegistry registry, FunnelDashboardCache cache, IOptions<FunnelEndpointsOptions> options)
    {
        FunnelQuery.Check(http.Request, ["targetWins", "owner", "attribute", "enteredFrom", "enteredTo"], ["owner", "attribute"]);
        var pipeline = FunnelQuery.Pipeline(pipelineId);
        _ = await FunnelHttp.PipelineAsync(http, pipeline).ConfigureAwait(false);
        var scope = await FunnelHttp.ScopeAsync(http, pipeline).ConfigureAwait(false);
        var filter = FunnelQuery.Filter(owner, attribute, enteredFrom, enteredTo, scope);
        var request = new DashboardRequest
        {
            TargetWins = FunnelQuery.Integer(targetWins, "targetWins", 0, 1_000_000),
            Filter = filter == FunnelFilter.All ? null : filter,
        };
        if (registry.GetStatus(pipeline) == FunnelReadModelStatus.NotServed && !registry.IsDiscovering)
        {
            throw Unavailable(pipeline);
        }

        return new StreamResult(pipeline, request, registry, cache, options.Value.KeepAliveInterval);
    }

    private static FunnelRequestException Unavailable(PipelineId pipeline) => new(
        503,
        "read-model-unavailable",
        "No warm read model serves the pipeline.",
        $"Pipeline '{pipeline}' has no warm read model in this application, so there is no live stream of it: register the hosted read model for it (AddFunnelMetrics().AddHostedReadModel()), or poll GET .../dashboard.");

    private sealed class StreamResult(PipelineId pipeline, DashboardRequest request, FunnelReadModelRegistry registry, FunnelDashboardCache cache, TimeSpan keepAlive) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            var aborted = httpContext.RequestAborted;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = ContentType;
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            try
            {
                await WriteAsync(response, ": funnelmetrics dashboard stream\n\n", aborted).ConfigureAwait(false);
                await RunAsync(response, aborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // The client went away: the stream ends.
            }
        }

        private async Task RunAsync(HttpResponse response, CancellationToken aborted)
        {
            FunnelReadModel? model = null;
            FunnelSnapshot? sent = null;
            Task? next = null;
            while (!aborted.IsCancellationRequested)
            {
                if (registry.TryGet(pipeline, out var current) && !ReferenceEquals(current, model))
                {
                    // The first model, or one that replaced it (a reload): go on from its snapshot.
                    (model, next) = (current, null);
                }
                else if (model is null && registry.GetStatus(pipeline) == FunnelReadModelStatus.NotServed && !registry.IsDiscovering)
                {
                    await WriteAsync(response, $"event: unavailable\ndata: {JsonSerializer.Serialize(Unavailable(pipeline).Message, FunnelEndpointsJsonContext.Default.String)}\n\n", aborted).ConfigureAwait(false);
                    return;
                }

                if (model is not null)
                {
                    var latest = model.Snapshot;
                    if (!ReferenceEquals(latest, sent))
                    {
                        // The latest snapshot, however many were published since the last send: bursts coalesce.
                        sent = latest;
                        next = null;
                        var json = cache.Get(latest, request);
                        await WriteAsync(response, $"event: dashboard\nid: {latest.Position.ToString(CultureInfo.InvariantCulture)}\ndata: {json}\n\n", aborted).ConfigureAwait(false);
                        continue;
                    }

                    next ??= model.NextSnapshotAsync(sent, aborted);
                }
                else
                {
                    // Loading (or being discovered): the registry's wait ends when the model is added or abandoned.
                    next ??= registry.GetSnapshotAsync(pipeline, aborted).AsTask();
                }

                using var tickCancel = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                var tick = Task.Delay(keepAlive, cache.Time, tickCancel.Token);
                var woke = next is null ? tick : await Task.WhenAny(next, tick).ConfigureAwait(false);
                if (woke == tick)
                {
                    await tick.ConfigureAwait(false);
                    await WriteAsync(response, ": keep-alive\n\n", aborted).ConfigureAwait(false);
                }
                else
                {
                    await tickCancel.CancelAsync().ConfigureAwait(false);
                    next = null;
                }
            }
        }

        private static async Task WriteAsync(HttpResponse response, string text, CancellationToken aborted)
        {
            await response.WriteAsync(text, aborted).ConfigureAwait(false);
            await response.Body.FlushAsync(aborted).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// The dashboard JSON of each published snapshot, per request (filter and target), computed once however many streams
/// show it; dropped with the snapshot.
/// </summary>
internal sealed class FunnelDashboardCache(IOptions<FunnelMetricsOptions> metrics, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, TimeProvider time)
{
    private readonly ConditionalWeakTable<FunnelSnapshot, ConcurrentDictionary<DashboardRequest, Lazy<string>>> _computed = [];

    public TimeProvider Time { get; } = time;

    /// <summary>The dashboard of the snapshot for the request, as of now, as one line of JSON.</summary>
    public string Get(FunnelSnapshot snapshot, DashboardRequest request) =>
        _computed.GetOrCreateValue(snapshot)
            .GetOrAdd(request, r => new Lazy<string>(() => Compute(snapshot, r)))
            .Value;

    private string Compute(FunnelSnapshot snapshot, DashboardRequest request)
    {
        var dashboard = FunnelDashboard.Compute(snapshot.Log, Time.GetUtcNow(), request, metrics.Value);
        var typeInfo = (JsonTypeInfo<FunnelDashboard>)json.Value.SerializerOptions.GetTypeInfo(typeof(FunnelDashboard));
        return JsonSerializer.Serialize(dashboard, typeInfo);
    }
}
