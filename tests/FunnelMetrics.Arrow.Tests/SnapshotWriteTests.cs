using FunnelMetrics.Arrow.Tests.Support;
using FunnelMetrics.Benchmarks;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Arrow.Tests;

/// <summary>The write is atomic: the target is the old file or the new one, and nothing is left beside it.</summary>
public sealed class SnapshotWriteTests
{
    [Fact]
    public async Task AWrite_ReplacesTheFile_AndLeavesNoTemporaryFile()
    {
        using var dir = new TempDirectory();
        var path = dir.File("sales.arrow");
        await FunnelSnapshotFile.WriteAsync(path, Generated.Log(500, seed: 1), 1);
        var newer = Generated.Log(800, seed: 2);
        await FunnelSnapshotFile.WriteAsync(path, newer, 2);

        var snapshot = await FunnelSnapshotFile.ReadAsync(path, Generated.Pipeline);

        Assert.Equal(2, snapshot.Position);
        Assert.Null(LogComparison.FirstDifference(newer, snapshot.Log));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task ACancelledWrite_LeavesTheOldFile_AndNoTemporaryFile()
    {
        using var dir = new TempDirectory();
        var path = dir.File("sales.arrow");
        var old = Generated.Log(500, seed: 1);
        await FunnelSnapshotFile.WriteAsync(path, old, 1);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => FunnelSnapshotFile.WriteAsync(path, Generated.Log(800, seed: 2), 2, cancelled.Token));

        Assert.Equal(1, (await FunnelSnapshotFile.ReadAsync(path, Generated.Pipeline)).Position);
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task ALogWithAnInstantTheFileCannotHold_IsRefusedNamingTheClient_AndTheOldFileStays()
    {
        using var dir = new TempDirectory();
        var path = dir.File("sales.arrow");
        await FunnelSnapshotFile.WriteAsync(path, Generated.Log(500, seed: 1), 1);
        var pipeline = HistoryGenerator.Pipeline;
        var early = new Client(new ClientId("medieval"), pipeline.Id, new OwnerId("o"), new DateTimeOffset(1500, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var log = FunnelEventLog.Build(pipeline, [early], []);

        var e = await Assert.ThrowsAsync<ArgumentException>(() => FunnelSnapshotFile.WriteAsync(path, log, 2));

        Assert.Contains("Client 'medieval'", e.Message, StringComparison.Ordinal);
        Assert.Contains("1677-09-21 to 2262-04-11", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await FunnelSnapshotFile.ReadAsync(path, Generated.Pipeline)).Position);
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task WritesWhileReading_EachReadGetsOneWholeSnapshot()
    {
        using var dir = new TempDirectory();
        var path = dir.File("sales.arrow");
        var logs = new[] { Generated.Log(3_000, seed: 1), Generated.Log(2_000, seed: 2) };
        await FunnelSnapshotFile.WriteAsync(path, logs[0], 0);

        var writer = Task.Run(async () =>
        {
            for (var n = 1; n <= 20; n++)
            {
                await FunnelSnapshotFile.WriteAsync(path, logs[n % 2], n);
            }
        });
        var reads = 0;
        while (!writer.IsCompleted || reads == 0)
        {
            var snapshot = await FunnelSnapshotFile.ReadAsync(path, Generated.Pipeline);
            Assert.Null(LogComparison.FirstDifference(logs[snapshot.Position % 2], snapshot.Log));
            reads++;
        }

        await writer;
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task ANegativePosition_IsRefused()
    {
        using var dir = new TempDirectory();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => FunnelSnapshotFile.WriteAsync(dir.File("x.arrow"), Generated.Log(10, seed: 1), -1));
    }

    [Fact]
    public async Task TheHeader_NamesTheFormatPipelineHashPositionAndCounts()
    {
        using var dir = new TempDirectory();
        var path = dir.File("sales.arrow");
        var log = Generated.Log(2_000, seed: 4);
        await FunnelSnapshotFile.WriteAsync(path, log, 77);

        using var reader = Apache.Arrow.Ipc.ArrowFileReader.FromFile(path);
        var metadata = reader.Schema.Metadata;
        Assert.Equal("1", metadata["funnelmetrics.snapshot.format"]);
        Assert.Equal("sales", metadata["funnelmetrics.pipeline.id"]);
        Assert.Matches("^sha256:[0-9a-f]{64}$", metadata["funnelmetrics.pipeline.hash"]);
        Assert.Equal("77", metadata["funnelmetrics.position"]);
        Assert.Equal(log.Clients.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), metadata["funnelmetrics.clients"]);
        Assert.Equal(log.EventCount.ToString(System.Globalization.CultureInfo.InvariantCulture), metadata["funnelmetrics.events"]);
        Assert.Equal(log.UpdateCount.ToString(System.Globalization.CultureInfo.InvariantCulture), metadata["funnelmetrics.updates"]);
        Assert.Equal(LogComparison.SegmentCount(log), await reader.RecordBatchCountAsync());
        Assert.Equal(
            ["client_id", "created_at", "owner", "value", "expected_close_date", "attributes", "events", "updates"],
            reader.Schema.FieldsList.Select(f => f.Name));
    }
}
