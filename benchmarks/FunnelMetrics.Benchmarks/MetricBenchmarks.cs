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

    protected FunnelEventLog Log { get; private set; } = null!;

    protected static PipelineDefinition Pipeline => HistoryGenerator.Pipeline;

    protected static DateTimeOffset AsOf => BenchmarkData.AsOf;

    [GlobalSetup]
    public void Setup() => (_, Events, Log) = BenchmarkData.Get(Transitions);
}

/// <summary>Clients per stage as of an instant.</summary>
public class StageCountsBenchmarks : MetricBenchmark
{
    [Benchmark(Baseline = true)]
    public object NaiveLinq() => Benchmarks.NaiveLinq.StageCounts(Pipeline, Events, AsOf);

    [Benchmark]
    public object FunnelMetrics() => StageCountsCalculator.Compute(Log, AsOf);
}

/// <summary>The daily flow ledger over 30 days.</summary>
public class FlowLedgerBenchmarks : MetricBenchmark
{
    private static readonly DateOnly First = DateOnly.FromDateTime(AsOf.UtcDateTime.AddDays(-29));
    private static readonly DateOnly Last = DateOnly.FromDateTime(AsOf.UtcDateTime);

    [Benchmark(Baseline = true)]
    public object NaiveLinq() => Benchmarks.NaiveLinq.DailyFlow(Pipeline, Events, First, Last);

    [Benchmark]
    public object FunnelMetrics() => FlowLedgerCalculator.Compute(Log, First, Last, "UTC");
}

/// <summary>Time in stage with the censoring-aware percentiles.</summary>
public class TimeInStageBenchmarks : MetricBenchmark
{
    [Benchmark(Baseline = true)]
    public object NaiveLinq() => Benchmarks.NaiveLinq.CompletedVisits(Pipeline, Events, AsOf);

    [Benchmark]
    public object FunnelMetrics() => TimeInStageCalculator.Compute(Log, AsOf);
}

/// <summary>Conversion of the cohorts of the last 90 days.</summary>
public class ConversionBenchmarks : MetricBenchmark
{
    [Benchmark(Baseline = true)]
    public object NaiveLinq() => Benchmarks.NaiveLinq.Conversion(Pipeline, Events, AsOf.AddDays(-90), AsOf, AsOf);

    [Benchmark]
    public object FunnelMetrics() => ConversionCalculator.Compute(Log, AsOf.AddDays(-90), AsOf);
}

/// <summary>Stalled clients under fixed thresholds.</summary>
public class StalledClientsBenchmarks : MetricBenchmark
{
    /// <summary>Fixed thresholds: the stage's own where it sets one (the library tries it first), 14 days elsewhere.</summary>
    public static readonly IReadOnlyDictionary<StageId, TimeSpan> Thresholds = HistoryGenerator.Pipeline.Stages.ToDictionary(s => s.Key, s => s.StallThreshold ?? TimeSpan.FromDays(14));

    [Benchmark(Baseline = true)]
    public object NaiveLinq() => Benchmarks.NaiveLinq.Stalled(Pipeline, Events, AsOf, Thresholds);

    [Benchmark]
    public object FunnelMetrics() => StallCalculator.Compute(Log, AsOf, new StallSettings { StageThresholds = Thresholds });
}

/// <summary>The stuck-stage ranking over 30-day windows, team and owners (no naive counterpart).</summary>
public class StuckStagesBenchmarks : MetricBenchmark
{
    [Benchmark]
    public object FunnelMetrics() => StuckStagesCalculator.Compute(Log, AsOf, TimeSpan.FromDays(30));
}

/// <summary>The forecast with a horizon at the end of the month (no naive counterpart).</summary>
public class ForecastBenchmarks : MetricBenchmark
{
    [Benchmark]
    public object FunnelMetrics() => ForecastCalculator.Compute(Log, AsOf, new ForecastSettings { Runs = 200 }, AsOf.AddDays(30));
}

/// <summary>What the head's dashboard shows, from a log already built, against the naive LINQ of the same figures.</summary>
public class FullDashboardBenchmarks : MetricBenchmark
{
    [Benchmark(Baseline = true)]
    public object NaiveLinq() => (
        Benchmarks.NaiveLinq.StageCounts(Pipeline, Events, AsOf),
        Benchmarks.NaiveLinq.DailyFlow(Pipeline, Events, DateOnly.FromDateTime(AsOf.UtcDateTime.AddDays(-29)), DateOnly.FromDateTime(AsOf.UtcDateTime)),
        Benchmarks.NaiveLinq.CompletedVisits(Pipeline, Events, AsOf),
        Benchmarks.NaiveLinq.Conversion(Pipeline, Events, AsOf.AddDays(-90), AsOf, AsOf),
        Benchmarks.NaiveLinq.Stalled(Pipeline, Events, AsOf, StalledClientsBenchmarks.Thresholds));

    [Benchmark]
    public object FunnelMetrics() => (
        StageCountsCalculator.Compute(Log, AsOf),
        FlowLedgerCalculator.Compute(Log, DateOnly.FromDateTime(AsOf.UtcDateTime.AddDays(-29)), DateOnly.FromDateTime(AsOf.UtcDateTime), "UTC"),
        TimeInStageCalculator.Compute(Log, AsOf),
        ConversionCalculator.Compute(Log, AsOf.AddDays(-90), AsOf),
        StallCalculator.Compute(Log, AsOf, new StallSettings { StageThresholds = StalledClientsBenchmarks.Thresholds }));
}

/// <summary>Building the log from events already ordered per client.</summary>
public class LogBuildBenchmarks : MetricBenchmark
{
    [Benchmark]
    public object Build() => FunnelEventLog.Build(Pipeline, BenchmarkData.Get(Transitions).Clients, Events);
}
