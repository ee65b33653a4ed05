using FunnelMetrics.Metrics;

namespace FunnelMetrics.Benchmarks;

/// <summary>Generated histories by size, kept for the process, and the instants the benchmarks look at them from.</summary>
public static class BenchmarkData
{
    private static readonly Dictionary<int, (Client[] Clients, ClientEvent[] Events, FunnelEventLog Log)> Cache = [];
    private static readonly Dictionary<int, DuckDbBaseline> DuckDbs = [];

    /// <summary>The sizes benchmarked, in transitions: 100 thousand, 1 million, 10 million; <c>FUNNELMETRICS_BENCH_SIZES</c> (comma-separated) overrides them.</summary>
    public static IEnumerable<int> Sizes =>
        Environment.GetEnvironmentVariable("FUNNELMETRICS_BENCH_SIZES") is { Length: > 0 } sizes
            ? sizes.Split(',').Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture))
            : [100_000, 1_000_000, 10_000_000];

    /// <summary>Ten months into the generated year: most clients entered, many still in work.</summary>
    public static DateTimeOffset AsOf => HistoryGenerator.Start.AddDays(300);

    /// <summary>The same history loaded into an in-memory DuckDB database, with the fixed stall thresholds, loaded once per process.</summary>
    public static DuckDbBaseline DuckDb(int size, IReadOnlyDictionary<StageId, TimeSpan> thresholds)
    {
        var (clients, events, _) = Get(size);
        lock (DuckDbs)
        {
            if (!DuckDbs.TryGetValue(size, out var duck))
            {
                duck = new DuckDbBaseline(HistoryGenerator.Pipeline, clients, events);
                duck.SetThresholds(thresholds);
                DuckDbs[size] = duck;
            }

            return duck;
        }
    }

    public static (Client[] Clients, ClientEvent[] Events, FunnelEventLog Log) Get(int size)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(size, out var data))
            {
                var (clients, events) = HistoryGenerator.Generate(size, seed: 1);
                data = (clients, events, FunnelEventLog.Build(HistoryGenerator.Pipeline, clients, events));
                Cache[size] = data;
            }

            return data;
        }
    }
}
