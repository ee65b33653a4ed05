using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace FunnelMetrics.Samples.Web;

/// <summary>
/// OpenTelemetry metrics, off unless <c>Sample:Telemetry:Exporter</c> says where to send them: <c>console</c> (standard
/// output) or <c>otlp</c> (a collector). Exported: the library's meter <c>FunnelMetrics</c> and ASP.NET Core's own
/// HTTP server and Kestrel meters.
/// </summary>
internal static class SampleTelemetry
{
    /// <summary>The library's meter: <c>FunnelMetrics</c>.</summary>
    public const string FunnelMeter = FunnelMetrics.Diagnostics.FunnelMetricsInstrumentation.MeterName;

    /// <summary>The service name the metrics are reported under.</summary>
    public const string ServiceName = "FunnelMetrics.Samples.Web";

    /// <summary>Registers the exporter the settings name, if any.</summary>
    /// <param name="services">The services.</param>
    /// <param name="settings">The sample's settings.</param>
    public static void AddTo(IServiceCollection services, SampleSettings settings)
    {
        if (settings.Exporter == TelemetryExporter.None)
        {
            return;
        }

        var interval = (int)settings.TelemetryInterval.TotalMilliseconds;
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(FunnelMeter, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel");
                if (settings.Exporter == TelemetryExporter.Console)
                {
                    metrics.AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval);
                }
                else
                {
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        if (settings.OtlpEndpoint is { } endpoint)
                        {
                            exporter.Endpoint = endpoint;
                        }

                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval;
                    });
                }
            });
    }
}
