using System.Globalization;
using System.Text;
using FunnelMetrics.Analytics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace FunnelMetrics.Hosting;

/// <summary>
/// The health of the hosted read model, registered by <c>AddHostedReadModel</c> as
/// <see cref="FunnelReadModelOptions.HealthCheckName"/> (tags <c>funnelmetrics</c> and <c>ready</c>):
/// <c>Unhealthy</c> when a model stopped at a change it could not apply (the description names the client, the event
/// and the rule) or the service is restarting after a failure; <c>Degraded</c> while a pipeline loads, while the store's
/// head cannot be read, or when a model is <see cref="FunnelReadModelOptions.DegradedLag"/> or more behind;
/// <c>Healthy</c> otherwise. Its data holds, per pipeline, the lag: <c>{pipeline}.eventsBehind</c> (head position minus
/// published position), <c>{pipeline}.secondsBehind</c>, and <c>.head</c>, <c>.position</c>, <c>.clients</c>,
/// <c>.events</c>, <c>.status</c>, with <c>.failedClient</c>, <c>.failedEvent</c>, <c>.failedRule</c> and
/// <c>.failedPosition</c> for a failed model.
/// </summary>
/// <param name="service">The hosted read model.</param>
/// <param name="registry">The registry it serves.</param>
/// <param name="options">Its options (the lag that degrades).</param>
public sealed class FunnelReadModelHealthCheck(FunnelReadModelService service, FunnelReadModelRegistry registry, IOptions<FunnelReadModelOptions> options) : IHealthCheck
{
    /// <inheritdoc/>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var models = service.Models;
        foreach (var model in models)
        {
            var id = model.PipelineId.Value;
            var snapshot = model.Snapshot;
            data[$"{id}.status"] = registry.GetStatus(model.PipelineId).ToString();
            data[$"{id}.position"] = snapshot.Position;
            data[$"{id}.clients"] = snapshot.ClientCount;
            data[$"{id}.events"] = snapshot.EventCount;
            if (model.Failure is { } f)
            {
                data[$"{id}.failedPosition"] = f.Position;
                data[$"{id}.failedClient"] = f.ClientId.Value;
                data[$"{id}.failedEvent"] = f.EventId?.Value ?? "";
                data[$"{id}.failedRule"] = f.Rule?.ToString() ?? "";
            }
        }

        IReadOnlyList<FunnelReadModelLag> lags = [];
        Exception? headError = null;
        try
        {
            lags = await service.GetLagAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            headError = e;
        }

        foreach (var lag in lags)
        {
            var id = lag.PipelineId.Value;
            data[$"{id}.head"] = lag.HeadPosition;
            data[$"{id}.eventsBehind"] = lag.EventsBehind;
            data[$"{id}.secondsBehind"] = lag.Behind.TotalSeconds;
        }

        var failures = models.Select(m => m.Failure).OfType<FunnelReadModelFailure>().ToList();
        if (failures.Count > 0)
        {
            return HealthCheckResult.Unhealthy(string.Join(" ", failures.Select(f => f.ToString())), failures[0].Exception, data);
        }

        if (service.LastError is { } error)
        {
            return HealthCheckResult.Unhealthy($"The FunnelMetrics read model failed and starts again in {Seconds(options.Value.RestartDelay)} s; the models loaded serve their last snapshots meanwhile: {error.Message}", error, data);
        }

        var loading = registry.Loading.Where(p => !models.Any(m => m.PipelineId == p)).ToList();
        if (registry.IsDiscovering || loading.Count > 0 || !service.IsReady)
        {
            var which = loading.Count > 0 ? $" pipeline(s) {string.Join(", ", loading.Select(p => $"'{p}'"))}" : " the pipelines";
            return HealthCheckResult.Degraded($"The FunnelMetrics read model is loading{which}; requests wait for it.", data: data);
        }

        if (headError is not null)
        {
            return HealthCheckResult.Degraded($"The FunnelMetrics read model cannot read the store's head to measure its lag; it serves its last snapshots: {headError.Message}", headError, data);
        }

        var behind = lags.Where(l => l.Behind >= options.Value.DegradedLag).ToList();
        if (behind.Count > 0)
        {
            return HealthCheckResult.Degraded(
                "The FunnelMetrics read model is behind the store: " + string.Join("; ", behind.Select(l => $"pipeline '{l.PipelineId}' by {l.EventsBehind} positions, {Seconds(l.Behind)} s")) + ".",
                data: data);
        }

        var text = new StringBuilder("The FunnelMetrics read model is current: ");
        _ = text.AppendJoin("; ", lags.Select(l => $"pipeline '{l.PipelineId}' at position {l.PublishedPosition}, {l.EventsBehind} behind the head"));
        return HealthCheckResult.Healthy(lags.Count == 0 ? "The FunnelMetrics read model follows no pipeline yet." : text.Append('.').ToString(), data);
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
