using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Arrow.Tests.Support;
using FunnelMetrics.Benchmarks;
using FunnelMetrics.Metrics;
using FunnelMetrics.Serialization;

namespace FunnelMetrics.Arrow.Tests;

public sealed class SnapshotRoundTripTests
{
    private static readonly DateTimeOffset AsOf = HistoryGenerator.Start.AddDays(300);
    private static readonly TimeWindow Month = TimeWindow.Ending(AsOf, TimeSpan.FromDays(30));

    [Fact]
    public async Task AGeneratedHistoryWithUpdates_ReadsBackEqual_ColumnByColumn_AndInEveryAnswer()
    {
        using var dir = new TempDirectory();
        var log = Generated.Log(45_000, seed: 7);
        Assert.True(log.UpdateCount > 1000);
        Assert.True(LogComparison.SegmentCount(log) > 1);

        var path = dir.File("sales.arrow");
        await FunnelSnapshotFile.WriteAsync(path, log, position: 4242);
        var snapshot = await FunnelSnapshotFile.ReadAsync(path, Generated.Pipeline);

        Assert.Equal(4242, snapshot.Position);
        Assert.Null(LogComparison.FirstDifference(log, snapshot.Log));
        Assert.Equal(log.Clients, snapshot.Log.Clients);
        Assert.Equal(log.EventCount, snapshot.Log.EventCount);
        Assert.Equal(log.UpdateCount, snapshot.Log.UpdateCount);
        Assert.Equal(log.FirstEventAt, snapshot.Log.FirstEventAt);
        Assert.Equal(log.LastEventAt, snapshot.Log.LastEventAt);
        SameAnswers(log, snapshot.Log);

        // The log read back is one the rules accept: replayed through a builder, it is the same log again.
        Assert.Null(LogComparison.FirstDifference(log, SnapshotReplay.Rebuild(snapshot.Log)));

        // The client as of an instant, which reads the update side table.
        foreach (var client in log.Clients.Where((_, i) => i % 97 == 0))
        {
            foreach (var at in new[] { client.CreatedAt, AsOf, HistoryGenerator.End })
            {
                Assert.Equal(log.ClientAsOf(client.Id, at), snapshot.Log.ClientAsOf(client.Id, at));
            }
        }
    }

    [Fact]
    public async Task AnEmptyLog_ReadsBackEmpty()
    {
        using var dir = new TempDirectory();
        var log = new FunnelLogBuilder(Generated.Pipeline).ToLog();
        var path = dir.File("empty.arrow");
        await FunnelSnapshotFile.WriteAsync(path, log, 0);

        var snapshot = await FunnelSnapshotFile.ReadAsync(path, Generated.Pipeline);

        Assert.Equal(0, snapshot.Position);
        Assert.Empty(snapshot.Log.Clients);
        Assert.Null(LogComparison.FirstDifference(log, snapshot.Log));
    }

    [Fact]
    public async Task ABuilderGoesOnFromTheLogReadBack_AsFromTheLogWritten()
    {
        using var dir = new TempDirectory();
        var (clients, events) = Generated.History(5_000, seed: 3);
        var cut = events.Count * 2 / 3;

        // The first two thirds of every stream... simply the first events in client order: a prefix of whole streams and one cut stream.
        var builder = new FunnelLogBuilder(Generated.Pipeline);
        foreach (var client in clients)
        {
            builder.Add(client);
        }

        for (var i = 0; i < cut; i++)
        {
            builder.Append(events[i]);
        }

        var path = dir.File("part.arrow");
        await FunnelSnapshotFile.WriteAsync(path, builder.ToLog(), cut);
        var snapshot = await FunnelSnapshotFile.ReadAsync(path, Generated.Pipeline);

        var resumed = new FunnelLogBuilder(snapshot.Log);
        for (var i = (int)snapshot.Position; i < events.Count; i++)
        {
            resumed.Append(events[i]);
        }

        var extra = new Client(new ClientId("zz-late"), Generated.Pipeline.Id, new OwnerId("a-new-owner"), AsOf);
        resumed.Add(extra);
        builder.Add(extra);
        for (var i = cut; i < events.Count; i++)
        {
            builder.Append(events[i]);
        }

        var expected = FunnelEventLog.Build(Generated.Pipeline, [.. clients, extra], events);
        Assert.Null(LogComparison.FirstDifference(builder.ToLog(), resumed.ToLog()));
        SameAnswers(expected, resumed.ToLog());
    }

    [Fact]
    public async Task ALogMadeInSeveralSnapshots_WithNewOwnersAndClients_ReadsBackEqual()
    {
        using var dir = new TempDirectory();
        var (clients, events) = Generated.History(8_000, seed: 11, owners: 50);
        var builder = new FunnelLogBuilder(Generated.Pipeline);
        var path = dir.File("growing.arrow");
        var random = new Random(5);
        var byClient = events.GroupBy(e => e.ClientId).ToDictionary(g => g.Key, g => new Queue<ClientEvent>(g));
        var added = new List<Client>();
        var position = 0L;
        foreach (var chunk in clients.OrderBy(_ => random.Next()).Chunk(700))
        {
            foreach (var client in chunk)
            {
                builder.Add(client);
                added.Add(client);
            }

            // Some events of the clients added so far, each client's in order.
            foreach (var client in added)
            {
                var queue = byClient.GetValueOrDefault(client.Id);
                for (var n = random.Next(4); queue is { Count: > 0 } && n > 0; n--)
                {
                    builder.Append(queue.Dequeue());
                    position++;
                }
            }

            var log = builder.ToLog();
            await FunnelSnapshotFile.WriteAsync(path, log, position);
            var snapshot = await FunnelSnapshotFile.ReadAsync(path, Generated.Pipeline, minimumPosition: position, headPosition: position);
            Assert.Null(LogComparison.FirstDifference(log, snapshot.Log));
        }
    }

    [Fact]
    public async Task Values_WithScalesADecimalColumnCannotHold_AreWrittenAsText_AndReadBackExactly()
    {
        using var dir = new TempDirectory();
        var pipeline = Generated.Pipeline;
        var at = HistoryGenerator.Start;
        Client[] clients =
        [
            new(new ClientId("a"), pipeline.Id, new OwnerId("o"), at, 0.0000000000000000000000000001m),
            new(new ClientId("b"), pipeline.Id, new OwnerId("o"), at, Client.MaxValue),
            new(new ClientId("c"), pipeline.Id, new OwnerId("o"), at, null, new Dictionary<string, string> { ["k"] = "v" }, new DateOnly(2026, 1, 2)),
        ];
        var log = FunnelEventLog.Build(pipeline, clients, []);
        var path = dir.File("values.arrow");
        await FunnelSnapshotFile.WriteAsync(path, log, 1);

        var back = (await FunnelSnapshotFile.ReadAsync(path, pipeline)).Log;

        Assert.Null(LogComparison.FirstDifference(log, back));
        Assert.Equal(0.0000000000000000000000000001m, back.Clients[0].Value);
        Assert.Equal(Client.MaxValue, back.Clients[1].Value);
        using var reader = Apache.Arrow.Ipc.ArrowFileReader.FromFile(path);
        Assert.IsType<Apache.Arrow.Types.StringType>(reader.Schema.GetFieldByName("value").DataType);
    }

    [Fact]
    public async Task Values_OfOrdinaryScales_AreADecimalColumn_AtTheLargestScale()
    {
        using var dir = new TempDirectory();
        var log = Generated.Log(2_000, seed: 2);
        var path = dir.File("decimal.arrow");
        await FunnelSnapshotFile.WriteAsync(path, log, 1);

        using (var reader = Apache.Arrow.Ipc.ArrowFileReader.FromFile(path))
        {
            var type = Assert.IsType<Apache.Arrow.Types.Decimal128Type>(reader.Schema.GetFieldByName("value").DataType);
            Assert.Equal(38, type.Precision);
            Assert.Equal(4, type.Scale); // 0.0001 * n in the generated updates
        }

        Assert.Null(LogComparison.FirstDifference(log, (await FunnelSnapshotFile.ReadAsync(path, Generated.Pipeline)).Log));
    }

    [Property(MaxTest = 40)]
    public Property AnyGeneratedHistory_ReadsBackEqual() =>
        Prop.ForAll(
            (from transitions in Gen.Choose(0, 1500)
             from seed in Gen.Choose(1, 100_000)
             from owners in Gen.Choose(1, 12)
             from updateShare in Gen.Choose(0, 5)
             select (transitions, seed, owners, updateShare)).ToArbitrary(),
            h =>
            {
                using var dir = new TempDirectory();
                var log = Generated.Log(h.transitions, h.seed, h.owners, h.updateShare);
                var path = dir.File("p.arrow");
                FunnelSnapshotFile.WriteAsync(path, log, h.seed).GetAwaiter().GetResult();
                var snapshot = FunnelSnapshotFile.ReadAsync(path, Generated.Pipeline).GetAwaiter().GetResult();
                return snapshot.Position == h.seed
                    && LogComparison.FirstDifference(log, snapshot.Log) is null
                    && LogComparison.FirstDifference(log, SnapshotReplay.Rebuild(snapshot.Log)) is null;
            });

    private static void SameAnswers(FunnelEventLog expected, FunnelEventLog actual)
    {
        var json = FunnelMetricsJsonContext.Default;
        Assert.Equal(JsonSerializer.Serialize(StageCountsCalculator.Compute(expected, AsOf), json.StageCounts), JsonSerializer.Serialize(StageCountsCalculator.Compute(actual, AsOf), json.StageCounts));
        Assert.Equal(JsonSerializer.Serialize(ConversionCalculator.Compute(expected, TimeWindow.Ending(AsOf, TimeSpan.FromDays(90))), json.Conversion), JsonSerializer.Serialize(ConversionCalculator.Compute(actual, TimeWindow.Ending(AsOf, TimeSpan.FromDays(90))), json.Conversion));
        Assert.Equal(JsonSerializer.Serialize(StallCalculator.Compute(expected, AsOf), json.StalledClients), JsonSerializer.Serialize(StallCalculator.Compute(actual, AsOf), json.StalledClients));
        Assert.Equal(JsonSerializer.Serialize(VelocityCalculator.Compute(expected, Month), json.Velocity), JsonSerializer.Serialize(VelocityCalculator.Compute(actual, Month), json.Velocity));
        Assert.Equal(JsonSerializer.Serialize(TimeInStageCalculator.Compute(expected, Month), json.TimeInStage), JsonSerializer.Serialize(TimeInStageCalculator.Compute(actual, Month), json.TimeInStage));
        var firstDay = DateOnly.FromDateTime(AsOf.UtcDateTime.AddDays(-29));
        Assert.Equal(JsonSerializer.Serialize(FlowLedgerCalculator.Compute(expected, firstDay, firstDay.AddDays(29), "UTC"), json.FlowLedger), JsonSerializer.Serialize(FlowLedgerCalculator.Compute(actual, firstDay, firstDay.AddDays(29), "UTC"), json.FlowLedger));
    }
}
