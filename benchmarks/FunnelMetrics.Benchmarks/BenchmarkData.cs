using FunnelMetrics.Metrics;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// The benchmarks' shared set-up: generated histories by size, kept for the process, the instants and windows the
/// benchmarks read them at, and the fixed stall thresholds the baselines need. Every benchmark class reads these, so the
/// classes compare the same work.
/// </summary>
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

    /// <summary>The 30 days before <see cref="AsOf"/>, [AsOf - 30 days, AsOf): the window of velocity and stuck stages.</summary>
    public static TimeWindow LastThirtyDays => TimeWindow.Ending(AsOf, TimeSpan.FromDays(30));

    /// <summary>The conversion cohorts: the clients who first reached a stage in the 90 days before <see cref="AsOf"/>.</summary>
    public static TimeWindow ConversionCohorts => TimeWindow.Ending(AsOf, TimeSpan.FromDays(90));

    /// <summary>The flow ledger's first day: 30 UTC days ending on <see cref="AsOf"/>'s.</summary>
    public static DateOnly FlowFirstDay => DateOnly.FromDateTime(AsOf.UtcDateTime.AddDays(-29));

    /// <summary>The flow ledger's last day, <see cref="AsOf"/>'s UTC day.</summary>
    public static DateOnly FlowLastDay => DateOnly.FromDateTime(AsOf.UtcDateTime);

    /// <summary>
    /// Fixed stall thresholds, for the benchmarks compared with the baselines (which cannot learn thresholds from the
    /// visits as the library's default does): the stage's own where it sets one (the library tries it first), 14 days elsewhere.
    /// </summary>
    public static IReadOnlyDictionary<StageId, TimeSpan> StallThresholds { get; } =
        HistoryGenerator.Pipeline.Stages.ToDictionary(s => s.Key, s => s.StallThreshold ?? TimeSpan.FromDays(14));

    /// <summary>The same thresholds as stall options: the settings of the benchmarks named <c>...FixedThresholds</c>.</summary>
    public static StallOptions FixedThresholds { get; } = new() { StageThresholds = StallThresholds.ToDictionary(kv => kv.Key.Value, kv => kv.Value) };

    /// <summary>The history of <paramref name="size"/> transitions in DuckDB, with <see cref="StallThresholds"/>, loaded once per process.</summary>
    public static DuckDbBaseline DuckDb(int size)
    {
        var (clients, events, _) = Get(size);
        lock (DuckDbs)
        {
            if (!DuckDbs.TryGetValue(size, out var duck))
            {
                duck = new DuckDbBaseline(HistoryGenerator.Pipeline, clients, events);
                duck.SetThresholds(StallThresholds);
                DuckDbs[size] = duck;
            }

            return duck;
        }
    }

    /// <summary>The history of <paramref name="size"/> transitions (seed 1) and its log, generated once per process.</summary>
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

    /// <summary>The events of the 30 days up to <see cref="AsOf"/>, (AsOf - 30 days, AsOf], in the order they happened: what the live view is fed.</summary>
    public static ClientEvent[] LastMonthInOrder(IEnumerable<ClientEvent> events) =>
        [.. events.Where(e => e.OccurredAt > AsOf.AddDays(-30) && e.OccurredAt <= AsOf).OrderBy(e => e.OccurredAt).ThenBy(e => e.ClientId).ThenBy(e => e.Sequence)];
}
