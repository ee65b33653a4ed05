using System.Text.Json;
using FunnelMetrics.Analytics;
using FunnelMetrics.Serialization;

namespace FunnelMetrics.Samples.Dashboard;

/// <summary>
/// Writes the dashboard as one JSON document for front ends: the library's <see cref="FunnelDashboard"/> through its
/// source-generated <see cref="FunnelMetricsJsonContext"/>, so its shape is the documented JSON contract
/// (docs/integration.md), the same document the web endpoints serve.
/// </summary>
internal static class DashboardJson
{
    /// <summary>Writes the document, indented.</summary>
    /// <param name="stream">Where to write (UTF-8).</param>
    /// <param name="dashboard">The dashboard.</param>
    public static void Write(Stream stream, FunnelDashboard dashboard)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        JsonSerializer.Serialize(writer, dashboard, FunnelMetricsJsonContext.Default.FunnelDashboard);
    }
}
