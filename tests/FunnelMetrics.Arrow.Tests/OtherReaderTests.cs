using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FunnelMetrics.Arrow.Tests.Support;

namespace FunnelMetrics.Arrow.Tests;

/// <summary>
/// The file opens in another Arrow implementation: Arrow JS (the npm package apache-arrow) under Node.js, when
/// FUNNELMETRICS_ARROW_JS names a directory with it installed (<c>npm install apache-arrow</c> there); skipped otherwise.
/// No other reader (pyarrow, Polars, DuckDB with its Arrow extension) can be installed offline on this machine.
/// </summary>
public sealed class OtherReaderTests
{
    [SkippableFact]
    public async Task ArrowJs_ReadsTheSchemaHeaderClientsEventsAndUpdates()
    {
        var modules = Environment.GetEnvironmentVariable("FUNNELMETRICS_ARROW_JS");
        Skip.If(string.IsNullOrEmpty(modules) || !Directory.Exists(Path.Combine(modules, "node_modules", "apache-arrow")), "FUNNELMETRICS_ARROW_JS does not name a directory with apache-arrow installed.");

        using var dir = new TempDirectory();
        var log = Generated.Log(3_000, seed: 9);
        var path = dir.File("sales.arrow");
        await FunnelSnapshotFile.WriteAsync(path, log, 31);
        var script = Path.Combine(modules!, "read-snapshot.mjs");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "js", "read-snapshot.mjs"), script, overwrite: true);

        var start = new ProcessStartInfo("node", [script, path]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = modules };
        using var node = Process.Start(start)!;
        var output = await node.StandardOutput.ReadToEndAsync();
        var errors = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        Assert.True(node.ExitCode == 0, errors);

        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(log.Clients.Count, root.GetProperty("rows").GetInt32());
        Assert.Equal(log.EventCount, root.GetProperty("events").GetInt32());
        Assert.Equal(log.UpdateCount, root.GetProperty("updates").GetInt32());
        Assert.Equal(log.UpdateCount, root.GetProperty("updatedKinds").GetInt32());
        Assert.Equal(LogComparison.SegmentCount(log), root.GetProperty("batches").GetInt32());
        Assert.Equal("31", root.GetProperty("meta").GetProperty("funnelmetrics.position").GetString());
        Assert.Equal("sales", root.GetProperty("meta").GetProperty("funnelmetrics.pipeline.id").GetString());
        var first = log.Clients[0];
        var client = root.GetProperty("firstClient");
        Assert.Equal(first.Id.Value, client.GetProperty("id").GetString());
        Assert.Equal(first.Owner.Value, client.GetProperty("owner").GetString());
        Assert.Equal(first.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), client.GetProperty("created_at").GetString());
        Assert.Equal([.. first.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}")], client.GetProperty("attributes").EnumerateArray().Select(a => a.GetString()!).ToArray());
        var firstEvent = root.GetProperty("firstEvent");
        Assert.Equal(1, firstEvent.GetProperty("sequence").GetInt32());
        Assert.Contains(firstEvent.GetProperty("kind").GetString(), new[] { "Entered", "Updated" });
        Assert.Equal(
            [.. Generated.Pipeline.Stages.Select(s => s.Key.Value).Order(StringComparer.Ordinal)],
            root.GetProperty("stages").EnumerateArray().Select(s => s.GetString()!).Order(StringComparer.Ordinal).ToArray());
    }
}
