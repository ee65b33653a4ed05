using BenchmarkDotNet.Attributes;

namespace FunnelMetrics.Benchmarks;

/// <summary>Recording moves through the recorder, with every rule checked, into the in-memory store.</summary>
[MemoryDiagnoser]
public class RecordingBenchmarks
{
    private const int Clients = 10_000;
    private FunnelMetrics.Recording.FunnelRecorder _recorder = null!;
    private ClientId[] _ids = [];

    [IterationSetup]
    public void Setup()
    {
        var store = new FunnelMetrics.Storage.InMemoryFunnelStore();
        var clock = new FixedClock(HistoryGenerator.End);
        _recorder = new FunnelMetrics.Recording.FunnelRecorder(store.Pipelines, store.Clients, store.Events, clock, Microsoft.Extensions.Options.Options.Create(new FunnelMetrics.Recording.RecordingOptions()));
        store.Pipelines.AddAsync(HistoryGenerator.Pipeline).GetAwaiter().GetResult();
        _ids = [.. Enumerable.Range(0, Clients).Select(i => new ClientId($"c{i}"))];
        foreach (var id in _ids)
        {
            store.Clients.AddAsync(new Client(id, HistoryGenerator.Pipeline.Id, new OwnerId("o"), HistoryGenerator.Start)).GetAwaiter().GetResult();
        }
    }

    /// <summary>Six moves per client (an entry, then five advances up to terms): 60,000 moves an operation, each read back and checked.</summary>
    [Benchmark(OperationsPerInvoke = Clients * 6)]
    public async Task RecordMoves()
    {
        var stages = HistoryGenerator.Pipeline.Stages;
        for (var s = 0; s < 6; s++)
        {
            var at = HistoryGenerator.Start.AddHours(s);
            foreach (var id in _ids)
            {
                await _recorder.MoveAsync(id, stages[s].Key, at).ConfigureAwait(false);
            }
        }
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
