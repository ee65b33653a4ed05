using Apache.Arrow;
using Apache.Arrow.Ipc;
using FunnelMetrics.Arrow.Tests.Support;
using FunnelMetrics.Benchmarks;

namespace FunnelMetrics.Arrow.Tests;

/// <summary>A file that is missing, damaged, foreign, of another version, stale or ahead is refused, naming the file and the problem.</summary>
public sealed class SnapshotRefusalTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _path;

    public SnapshotRefusalTests()
    {
        _path = _dir.File("sales.arrow");
        FunnelSnapshotFile.WriteAsync(_path, Generated.Log(3_000, seed: 5), position: 100).GetAwaiter().GetResult();
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AMissingFile_IsRefusedAsMissing()
    {
        var e = await Refused(_dir.File("none.arrow"), FunnelSnapshotProblem.Missing);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.01)]
    [InlineData(0.5)]
    [InlineData(0.99)]
    public async Task ATruncatedFile_IsRefusedAsCorrupt(double keep)
    {
        var bytes = await File.ReadAllBytesAsync(_path);
        await File.WriteAllBytesAsync(_path, bytes[..(int)(bytes.Length * keep)]);

        var e = await Refused(_path, FunnelSnapshotProblem.Corrupt);
        Assert.Contains("corrupt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_IsRefusedAsCorrupt()
    {
        var random = new Random(1);
        var bytes = new byte[100_000];
        random.NextBytes(bytes);
        await File.WriteAllBytesAsync(_path, bytes);

        await Refused(_path, FunnelSnapshotProblem.Corrupt);
    }

    [Fact]
    public async Task BytesFlippedAnywhere_EitherReadBackOrAreRefused_NeverAnotherException()
    {
        var original = await File.ReadAllBytesAsync(_path);
        var random = new Random(3);
        for (var n = 0; n < 60; n++)
        {
            var bytes = (byte[])original.Clone();
            var at = random.Next(bytes.Length);
            bytes[at] ^= (byte)random.Next(1, 256);
            await File.WriteAllBytesAsync(_path, bytes);
            try
            {
                await FunnelSnapshotFile.ReadAsync(_path, Generated.Pipeline);
            }
            catch (FunnelSnapshotException e)
            {
                Assert.Equal(_path, e.Path);
            }
        }
    }

    [Fact]
    public async Task AnotherPipeline_IsRefusedAsForeign()
    {
        var other = new PipelineDefinition(new PipelineId("other"), "Other", Generated.Pipeline.Stages);
        var e = await Refused(_path, FunnelSnapshotProblem.Foreign, other);
        Assert.Contains("holds pipeline 'sales', not 'other'", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> ChangedDefinitions => ["reordered", "renamed", "removed", "won"];

    [Theory]
    [MemberData(nameof(ChangedDefinitions))]
    public async Task AChangedDefinition_IsRefusedAsForeign(string change)
    {
        var stages = Generated.Pipeline.Stages.ToList();
        StageId? won = null;
        switch (change)
        {
            case "reordered":
                (stages[1], stages[2]) = (stages[2], stages[1]);
                break;
            case "renamed":
                stages[3] = new StageDefinition(new StageId("needs"), stages[3].DisplayName);
                break;
            case "removed":
                stages.RemoveAt(4);
                break;
            default:
                won = stages[5].Key;
                break;
        }

        var changed = new PipelineDefinition(Generated.Pipeline.Id, Generated.Pipeline.Name, stages, won);
        var e = await Refused(_path, FunnelSnapshotProblem.Foreign, changed);
        Assert.Contains("another definition of pipeline 'sales'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADefinitionChangedOnlyInNamesThresholdsOrProbabilities_IsAccepted()
    {
        var stages = Generated.Pipeline.Stages.Select(s => new StageDefinition(s.Key, s.DisplayName + " (renamed)", TimeSpan.FromDays(3), 0.5)).ToList();
        var relabelled = new PipelineDefinition(Generated.Pipeline.Id, "Renamed", stages, currencyCode: "USD");

        var snapshot = await FunnelSnapshotFile.ReadAsync(_path, relabelled);

        Assert.Same(relabelled, snapshot.Log.Pipeline);
    }

    [Fact]
    public async Task ASnapshotOlderThanTheLowestPositionAccepted_IsRefusedAsStale()
    {
        var e = await Refused(_path, FunnelSnapshotProblem.Stale, minimumPosition: 101);
        Assert.Contains("at feed position 100, older than 101", e.Message, StringComparison.Ordinal);
        Assert.Equal(100, (await FunnelSnapshotFile.ReadAsync(_path, Generated.Pipeline, minimumPosition: 100)).Position);
    }

    [Fact]
    public async Task ASnapshotAheadOfTheStoresHead_IsRefusedAsAhead()
    {
        var e = await Refused(_path, FunnelSnapshotProblem.Ahead, headPosition: 99);
        Assert.Contains("ahead of the store's head 99", e.Message, StringComparison.Ordinal);
        Assert.Equal(100, (await FunnelSnapshotFile.ReadAsync(_path, Generated.Pipeline, headPosition: 100)).Position);
    }

    [Fact]
    public async Task AnotherFormatVersion_IsRefusedAsUnsupported()
    {
        await RewriteHeader(m => m[SnapshotFormat.FormatKey] = "2");
        var e = await Refused(_path, FunnelSnapshotProblem.UnsupportedVersion);
        Assert.Contains("format version '2'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnArrowFileThatIsNotASnapshot_IsRefusedAsForeign()
    {
        await RewriteHeader(m => m.Clear());
        var e = await Refused(_path, FunnelSnapshotProblem.Foreign);
        Assert.Contains("not a FunnelMetrics snapshot", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SnapshotFormat.ClientsKey)]
    [InlineData(SnapshotFormat.EventsKey)]
    [InlineData(SnapshotFormat.UpdatesKey)]
    [InlineData(SnapshotFormat.OwnersKey)]
    [InlineData(SnapshotFormat.SegmentsKey)]
    public async Task CountsThatDisagreeWithTheBatches_AreRefusedAsCorrupt(string key)
    {
        await RewriteHeader(m => m[key] = (long.Parse(m[key], System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Refused(_path, FunnelSnapshotProblem.Corrupt);
    }

    [Fact]
    public async Task AHeaderWithoutAPosition_IsRefusedAsCorrupt()
    {
        await RewriteHeader(m => m.Remove(SnapshotFormat.PositionKey));
        var e = await Refused(_path, FunnelSnapshotProblem.Corrupt);
        Assert.Contains($"no '{SnapshotFormat.PositionKey}'", e.Message, StringComparison.Ordinal);
    }

    private static async Task<FunnelSnapshotException> Refused(string path, FunnelSnapshotProblem problem, PipelineDefinition? pipeline = null, long minimumPosition = 0, long headPosition = long.MaxValue)
    {
        var e = await Assert.ThrowsAsync<FunnelSnapshotException>(() => FunnelSnapshotFile.ReadAsync(path, pipeline ?? HistoryGenerator.Pipeline, minimumPosition, headPosition));
        Assert.Equal(problem, e.Problem);
        Assert.Equal(path, e.Path);
        Assert.Contains($"'{path}'", e.Message, StringComparison.Ordinal);
        return e;
    }

    /// <summary>Rewrites the file with the same batches and the header changed.</summary>
    private async Task RewriteHeader(Action<Dictionary<string, string>> change)
    {
        var batches = new List<RecordBatch>();
        Schema schema;
        using (var reader = ArrowFileReader.FromFile(_path))
        {
            schema = reader.Schema;
            var count = await reader.RecordBatchCountAsync();
            for (var i = 0; i < count; i++)
            {
                batches.Add((await reader.ReadRecordBatchAsync(i)).Clone());
            }
        }

        var metadata = new Dictionary<string, string>(schema.Metadata);
        change(metadata);
        var changed = new Schema(schema.FieldsList, metadata);
        using (var stream = File.Create(_path))
        using (var writer = new ArrowFileWriter(stream, changed))
        {
            await writer.WriteStartAsync();
            foreach (var batch in batches)
            {
                await writer.WriteRecordBatchAsync(new RecordBatch(changed, batch.Arrays, batch.Length));
            }

            await writer.WriteEndAsync();
        }
    }
}
