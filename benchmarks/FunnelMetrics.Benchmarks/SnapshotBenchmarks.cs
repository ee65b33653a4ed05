using BenchmarkDotNet.Attributes;
using FunnelMetrics.Arrow;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// Snapshot files (FunnelMetrics.Arrow) of the generated histories: writing the log, and reading it back into a ready log
/// (and a builder going on from it), the cold start from a snapshot. The file is in the temporary directory, so the read
/// comes from the page cache: what a restart on the same machine costs, not a cold disk.
/// </summary>
[MemoryDiagnoser]
public class SnapshotBenchmarks
{
    private string _path = "";
    private string _writePath = "";
    private FunnelEventLog _log = null!;

    [ParamsSource(nameof(Sizes))]
    public int Transitions { get; set; }

    public static IEnumerable<int> Sizes => BenchmarkData.Sizes;

    [GlobalSetup]
    public void Setup()
    {
        _log = BenchmarkData.Get(Transitions).Log;
        _path = Path.Combine(Path.GetTempPath(), $"funnelmetrics-snapshot-{Transitions}.arrow");
        _writePath = Path.Combine(Path.GetTempPath(), $"funnelmetrics-snapshot-{Transitions}-write.arrow");
        FunnelSnapshotFile.WriteAsync(_path, _log, Transitions).GetAwaiter().GetResult();
        Console.WriteLine($"// snapshot of {Transitions:N0} transitions ({_log.EventCount:N0} events, {_log.Clients.Count:N0} clients): {new FileInfo(_path).Length:N0} bytes");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        File.Delete(_path);
        File.Delete(_writePath);
    }

    [Benchmark]
    public Task Write() => FunnelSnapshotFile.WriteAsync(_writePath, _log, Transitions);

    [Benchmark]
    public async Task<object> Read() => (await FunnelSnapshotFile.ReadAsync(_path, HistoryGenerator.Pipeline)).Log;

    /// <summary>The read, then every history replayed through a new builder (checked against the rule table again): what trusting the file saves.</summary>
    [Benchmark]
    public async Task<object> ReadAndReplay() => SnapshotReplay.Rebuild((await FunnelSnapshotFile.ReadAsync(_path, HistoryGenerator.Pipeline)).Log);

    [Benchmark]
    public async Task<object> ReadIntoBuilder() => new FunnelLogBuilder((await FunnelSnapshotFile.ReadAsync(_path, HistoryGenerator.Pipeline)).Log);
}
