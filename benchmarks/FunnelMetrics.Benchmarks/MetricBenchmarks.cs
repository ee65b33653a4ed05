using BenchmarkDotNet.Attributes;
using FunnelMetrics.Forecasting;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Benchmarks;

/// <summary>The shared set-up: a generated history of <see cref="Transitions"/> stage transitions and its log.</summary>
[MemoryDiagnoser]
public abstract class MetricBenchmark
{
    [ParamsSource(nameof(Sizes))]
    public int Transitions { get; set; }

    public static IEnumerable<int> Sizes => BenchmarkData.Sizes;

    protected ClientEvent[] Events { get; private set; } = [];

    /// <summary>The history in DuckDB, loaded in the set-up: only the queries are timed.</summary>
    protected DuckDbBaseline DuckDb { get; private set; } = null!;

    protected FunnelEventLog Log { get; private set; } = null!;

    protected static PipelineDefinition Pipeline => HistoryGenerator.Pipeline;

    protected static DateTimeOffset AsOf => BenchmarkData.AsOf;

    [GlobalSetup]
    public void Setup()
    {
        (_, Events, Log) = BenchmarkData.Get(Transitions);
        if (UsesDuckDb)
        {
            DuckDb = BenchmarkData.DuckDb(Transitions, StalledClientsBenchmarks.Thresholds);
        }
    }

    /// <summary>Whether the class has a DuckDB benchmark, so the set-up loads the database.</summary>
    protected virtual bool UsesDuckDb => false;
}

/// <summary>Clients per stage as of an instant.</summary>
public class StageCountsBenchmarks : MetricBenchmark
{
    protected override bool UsesDuckDb => true;

    [Benchmark(Baseline = true)]
    public object NaiveLinq() => Benchmarks.NaiveLinq.StageCounts(Pipeline, Events, AsOf);

    [Benchmark]
    public object DuckDB() => DuckDb.StageCounts(AsOf);

    [Benchmark]
    public object FunnelMetrics() => StageCountsCalculator.Compute(Log, AsOf);
}

/// <summary>The daily flow ledger over 30 days.</summary>
public class FlowLedgerBenchmarks : MetricBenchmark
{
    protected override bool UsesDuckDb => true;

    private static readonly DateOnly First = DateOnly.FromDateTime(AsOf.UtcDateTime.AddDays(-29));
    private static readonly DateOnly Last = DateOnly.FromDateTime(AsOf.UtcDateTime);

    [Benchmark(Baseline = true)]
    public object NaiveLinq() => Benchmarks.NaiveLinq.DailyFlow(Pipeline, Events, First, Last);

    [Benchmark]
    public object DuckDB() => DuckDb.DailyFlow(First, Last);

    [Benchmark]
    public object FunnelMetrics() => FlowLedgerCalculator.Compute(Log, First, Last, "UTC");
}

/// <summary>Time in stage with the censoring-aware percentiles.</summary>
public class TimeInStageBenchmarks : MetricBenchmark
{
    protected override bool UsesDuckDb => true;

    [Benchmark(Baseline = true)]
    public object NaiveLinq() => Benchmarks.NaiveLinq.CompletedVisits(Pipeline, Events, AsOf);

    [Benchmark]
    public object DuckDB() => DuckDb.CompletedVisits(AsOf);

    [Benchmark]
    public object FunnelMetrics() => TimeInStageCalculator.Compute(Log, TimeWindow.Until(AsOf));
}

/// <summary>Conversion of the cohorts of the last 90 days.</summary>
public class ConversionBenchmarks : MetricBenchmark
{
    protected override bool UsesDuckDb => true;

    [Benchmark(Baseline = true)]
    public object NaiveLinq() => Benchmarks.NaiveLinq.Conversion(Pipeline, Events, AsOf.AddDays(-90), AsOf, AsOf);

    [Benchmark]
    public object DuckDB() => DuckDb.Conversion(AsOf.AddDays(-90), AsOf, AsOf);

    [Benchmark]
    public object FunnelMetrics() => ConversionCalculator.Compute(Log, TimeWindow.Ending(AsOf, TimeSpan.FromDays(90)));
}

/// <summary>Stalled clients under fixed thresholds.</summary>
public class StalledClientsBenchmarks : MetricBenchmark
{
    protected override bool UsesDuckDb => true;

    /// <summary>Fixed thresholds: the stage's own where it sets one (the library tries it first), 14 days elsewhere.</summary>
    public static readonly IReadOnlyDictionary<StageId, TimeSpan> Thresholds = HistoryGenerator.Pipeline.Stages.ToDictionary(s => s.Key, s => s.StallThreshold ?? TimeSpan.FromDays(14));

    /// <summary>The same thresholds as stall options.</summary>
    public static readonly StallOptions ThresholdOptions = new() { StageThresholds = Thresholds.ToDictionary(kv => kv.Key.Value, kv => kv.Value) };

    [Benchmark(Baseline = true)]
    public object NaiveLinq() => Benchmarks.NaiveLinq.Stalled(Pipeline, Events, AsOf, Thresholds);

    [Benchmark]
    public object DuckDB() => DuckDb.Stalled(AsOf);

    [Benchmark]
    public object FunnelMetrics() => StallCalculator.Compute(Log, AsOf, ThresholdOptions);
}

/// <summary>The stuck-stage ranking over 30-day windows, team and owners (no naive counterpart).</summary>
public class StuckStagesBenchmarks : MetricBenchmark
{
    [Benchmark]
    public object FunnelMetrics() => StuckStagesCalculator.Compute(Log, TimeWindow.Ending(AsOf, TimeSpan.FromDays(30)));
}

/// <summary>The forecast with the library's default settings and a horizon 30 days on, team and owners (no naive counterpart).</summary>
public class ForecastBenchmarks : MetricBenchmark
{
    [Benchmark]
    public object FunnelMetrics() => ForecastCalculator.Compute(Log, AsOf, horizonEnd: AsOf.AddDays(30));
}

/// <summary>
/// The forecast, default settings and a 30-day horizon, on the 2,000-client histories whose shape makes it expensive
/// (<see cref="PathologicalHistories"/>): clients cycling between open stages, frequent regressions, and 5,000 stages.
/// </summary>
[MemoryDiagnoser]
public class ForecastShapeBenchmarks
{
    private FunnelEventLog _log = null!;

    [Params("cycling", "regressions", "many-stages")]
    public string Shape { get; set; } = "cycling";

    [GlobalSetup]
    public void Setup()
    {
        var (pipeline, clients, events) = PathologicalHistories.Generate(Shape);
        _log = FunnelEventLog.Build(pipeline, clients, events);
    }

    [Benchmark]
    public object FunnelMetrics() => ForecastCalculator.Compute(_log, PathologicalHistories.AsOf, horizonEnd: PathologicalHistories.AsOf.AddDays(30));
}

/// <summary>
/// What the head's dashboard shows that DuckDB can also compute (stage counts, a 30-day flow ledger, completed-visit
/// percentiles, conversion, stalled clients under fixed thresholds), from a log already built, against the naive LINQ
/// and DuckDB computing the same figures.
/// </summary>
public class FullDashboardBenchmarks : MetricBenchmark
{
    protected override bool UsesDuckDb => true;

    [Benchmark(Baseline = true)]
    public object NaiveLinq() => (
        Benchmarks.NaiveLinq.StageCounts(Pipeline, Events, AsOf),
        Benchmarks.NaiveLinq.DailyFlow(Pipeline, Events, DateOnly.FromDateTime(AsOf.UtcDateTime.AddDays(-29)), DateOnly.FromDateTime(AsOf.UtcDateTime)),
        Benchmarks.NaiveLinq.CompletedVisits(Pipeline, Events, AsOf),
        Benchmarks.NaiveLinq.Conversion(Pipeline, Events, AsOf.AddDays(-90), AsOf, AsOf),
        Benchmarks.NaiveLinq.Stalled(Pipeline, Events, AsOf, StalledClientsBenchmarks.Thresholds));

    [Benchmark]
    public object DuckDB() => (
        DuckDb.StageCounts(AsOf),
        DuckDb.DailyFlow(DateOnly.FromDateTime(AsOf.UtcDateTime.AddDays(-29)), DateOnly.FromDateTime(AsOf.UtcDateTime)),
        DuckDb.CompletedVisits(AsOf),
        DuckDb.Conversion(AsOf.AddDays(-90), AsOf, AsOf),
        DuckDb.Stalled(AsOf));

    [Benchmark]
    public object FunnelMetrics() => (
        StageCountsCalculator.Compute(Log, AsOf),
        FlowLedgerCalculator.Compute(Log, DateOnly.FromDateTime(AsOf.UtcDateTime.AddDays(-29)), DateOnly.FromDateTime(AsOf.UtcDateTime), "UTC"),
        TimeInStageCalculator.Compute(Log, TimeWindow.Until(AsOf)),
        ConversionCalculator.Compute(Log, TimeWindow.Ending(AsOf, TimeSpan.FromDays(90))),
        StallCalculator.Compute(Log, AsOf, StalledClientsBenchmarks.ThresholdOptions));
}

/// <summary>Building the log from events already ordered per client.</summary>
public class LogBuildBenchmarks : MetricBenchmark
{
    [Benchmark]
    public object Build() => FunnelEventLog.Build(Pipeline, BenchmarkData.Get(Transitions).Clients, Events);
}

/// <summary>The live view: applying the last month of events one by one to a view built at the month's start.</summary>
public class LiveViewBenchmarks : MetricBenchmark
{
    private ClientEvent[] _month = [];
    private FunnelLiveView _view = null!;

    [GlobalSetup(Target = nameof(ApplyMonth))]
    public void SetupMonth()
    {
        Setup();
        _month = [.. Events.Where(e => e.OccurredAt > AsOf.AddDays(-30) && e.OccurredAt <= AsOf).OrderBy(e => e.OccurredAt).ThenBy(e => e.ClientId).ThenBy(e => e.Sequence)];
    }

    [IterationSetup(Target = nameof(ApplyMonth))]
    public void FreshView() => _view = FunnelLiveView.Create(Log, AsOf.AddDays(-30), StalledClientsBenchmarks.ThresholdOptions);

    /// <summary>Applies the month's events; divide the event count (reported in docs/performance.md) by the time for events per second.</summary>
    [Benchmark]
    public long ApplyMonth()
    {
        foreach (var e in _month)
        {
            _view.Apply(e);
        }

        return _view.EventsApplied;
    }

}

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
