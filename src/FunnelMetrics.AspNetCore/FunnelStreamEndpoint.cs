using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using FunnelMetrics.Analytics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace FunnelMetrics.AspNetCore;

/// <summary>
/// The Server-Sent Events stream of a pipeline's warm model: one event when it opens, then one per snapshot the model
/// publishes (a burst of publications between two writes coalesced into the latest), keep-alive comments in between.
/// </summary>
internal static class FunnelStreamEndpoint
{
    public const string ContentType = "text/event-stream";

    public static async Task<IResult> StreamAsync(
        [Description("The pipeline.")] string pipelineId,
        [Description(FunnelReadEndpoints.Owner)] string[]? owner,
        HttpContext http, FunnelReadModelRegistry registry, IOptions<FunnelEndpointsOptions> options, TimeProvider time)
    {
        FunnelQuery.Check(http.Request, ["owner"], ["owner"]);
        var pipeline = FunnelQuery.Pipeline(pipelineId);
        _ = await FunnelHttp.PipelineAsync(http, pipeline).ConfigureAwait(false);
        var scope = await FunnelHttp.ScopeAsync(http, pipeline).ConfigureAwait(false);
        _ = FunnelQuery.Filter(owner, null, null, null, scope);
        if (registry.GetStatus(pipeline) == FunnelReadModelStatus.NotServed && !registry.IsDiscovering)
        {
            throw new FunnelRequestException(
                503,
                "read-model-unavailable",
                "No warm read model serves the pipeline.",
                $"Pipeline '{pipeline}' has no warm read model in this application, so there is no stream of its changes: register the hosted read model (AddFunnelMetrics().AddHostedReadModel()) for it, or poll the metric endpoints.");
        }

        return new StreamResult(pipeline, registry, options.Value.KeepAliveInterval, time);
    }

    private sealed class StreamResult(PipelineId pipeline, FunnelReadModelRegistry registry, TimeSpan keepAlive, TimeProvider time) : IResult
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
                await response.WriteAsync($"retry: {(int)Math.Min(keepAlive.TotalMilliseconds, 10_000)}\n\n", aborted).ConfigureAwait(false);
                await response.Body.FlushAsync(aborted).ConfigureAwait(false);
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
            Task<FunnelSnapshot>? next = null;
            while (!aborted.IsCancellationRequested)
            {
                if (registry.TryGet(pipeline, out var current) && !ReferenceEquals(current, model))
                {
                    // The first model, or one that replaced it (a reload): go on from its snapshot.
                    (model, next) = (current, null);
                }
                else if (model is null && registry.GetStatus(pipeline) == FunnelReadModelStatus.NotServed && !registry.IsDiscovering)
                {
                    await WriteAsync(response, "unavailable", $"{{\"pipelineId\":{JsonSerializer.Serialize(pipeline.Value, FunnelEndpointsJsonContext.Default.String)}}}", null, aborted).ConfigureAwait(false);
                    return;
                }

                if (model is not null)
                {
                    if (sent is null || !ReferenceEquals(model.Snapshot, sent))
                    {
                        sent = model.Snapshot;
                        next = null;
                        await SendAsync(response, sent, aborted).ConfigureAwait(false);
                        continue;
                    }

                    next ??= model.NextSnapshotAsync(sent, aborted);
                }

                using var tickCancel = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                var tick = Task.Delay(keepAlive, time, tickCancel.Token);
                var woke = next is null ? tick : await Task.WhenAny(next, tick).ConfigureAwait(false);
                if (woke == tick)
                {
                    await tick.ConfigureAwait(false);
                    await response.WriteAsync(": keep-alive\n\n", aborted).ConfigureAwait(false);
                    await response.Body.FlushAsync(aborted).ConfigureAwait(false);
                }
                else
                {
                    await tickCancel.CancelAsync().ConfigureAwait(false);
                }
            }
        }

        private static Task SendAsync(HttpResponse response, FunnelSnapshot snapshot, CancellationToken aborted)
        {
            var notice = new FunnelChangeNotice(snapshot.Log.Pipeline.Id.Value, snapshot.Position, snapshot.ClientCount, snapshot.EventCount);
            return WriteAsync(response, "changed", JsonSerializer.Serialize(notice, FunnelEndpointsJsonContext.Default.FunnelChangeNotice), snapshot.Position.ToString(CultureInfo.InvariantCulture), aborted);
        }

        private static async Task WriteAsync(HttpResponse response, string type, string json, string? id, CancellationToken aborted)
        {
            var text = id is null ? $"event: {type}\ndata: {json}\n\n" : $"event: {type}\nid: {id}\ndata: {json}\n\n";
            await response.WriteAsync(text, aborted).ConfigureAwait(false);
            await response.Body.FlushAsync(aborted).ConfigureAwait(false);
        }
    }
}
