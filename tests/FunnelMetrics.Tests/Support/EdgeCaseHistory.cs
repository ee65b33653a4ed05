using FunnelMetrics.Metrics;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Support;

/// <summary>The one-client histories the metrics' edge-case tests start from, and their log.</summary>
internal static class EdgeCaseHistory
{
    internal static async Task<(RecorderHarness Harness, ClientId Client)> OneClientAsync(DateTimeOffset created)
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = (await h.Recorder.AddClientAsync(NewClient("c1", created))).Id;
        return (h, c);
    }

    internal static async Task<FunnelEventLog> LogAsync(RecorderHarness h) =>
        await h.LogAsync();
}
