using BenchmarkDotNet.Attributes;

namespace FunnelMetrics.Benchmarks.Compare.Cases;

/// <summary>
/// One class per calculation: <c>Before</c> (the baseline commit, the Ratio column's 1.00) and <c>After</c> (the
/// working tree) over the same history with the same arguments. The calls themselves are in Before.cs and After.cs.
/// Each class has its own category: the joined summary groups by category, so each Ratio is against its class's Before.
/// </summary>
[MemoryDiagnoser]
public abstract class Comparison
{
    // Every class names its two benchmarks Before and After.
    [GlobalSetup(Target = "Before")]
    public void SetupBefore() => Setup("Before");

    [GlobalSetup(Target = "After")]
    public void SetupAfter() => Setup("After");

    /// <summary>Whether the benchmarks read the in-memory store.</summary>
    protected virtual bool UsesStore => false;

    private void Setup(string side)
    {
        Sides.Load(side, UsesStore);
        Sides.CollectGarbage();
    }
}

/// <summary>Building the log from the generated clients and events.</summary>
[BenchmarkCategory("LogBuild")]
public class LogBuild : Comparison
{
    [Benchmark(Baseline = true)]
    public object Before() => Sides.Before.BuildLog();

    [Benchmark]
    public object After() => Sides.After.BuildLog();
}

/// <summary>Stage counts.</summary>
[BenchmarkCategory("StageCounts")]
public class StageCounts : Comparison
{
    [Benchmark(Baseline = true)]
    public object Before() => Sides.Before.StageCounts();

    [Benchmark]
    public object After() => Sides.After.StageCounts();
}

/// <summary>Time in stage.</summary>
[BenchmarkCategory("TimeInStage")]
public class TimeInStage : Comparison
{
    [Benchmark(Baseline = true)]
    public object Before() => Sides.Before.TimeInStage();

    [Benchmark]
    public object After() => Sides.After.TimeInStage();
}

/// <summary>Conversion of 90 days of cohorts.</summary>
[BenchmarkCategory("Conversion")]
public class Conversion : Comparison
{
    [Benchmark(Baseline = true)]
    public object Before() => Sides.Before.Conversion();

    [Benchmark]
    public object After() => Sides.After.Conversion();
}

/// <summary>Velocity over 90 days.</summary>
[BenchmarkCategory("Velocity")]
public class Velocity : Comparison
{
    [Benchmark(Baseline = true)]
    public object Before() => Sides.Before.Velocity();

    [Benchmark]
    public object After() => Sides.After.Velocity();
}

/// <summary>Stalled clients under fixed thresholds.</summary>
[BenchmarkCategory("StalledClients")]
public class StalledClients : Comparison
{
    [Benchmark(Baseline = true)]
    public object Before() => Sides.Before.StalledClients();

    [Benchmark]
    public object After() => Sides.After.StalledClients();
}

/// <summary>The stuck-stage ranking over 30 days.</summary>
[BenchmarkCategory("StuckStages")]
public class StuckStages : Comparison
{
    [Benchmark(Baseline = true)]
    public object Before() => Sides.Before.StuckStages();

    [Benchmark]
    public object After() => Sides.After.StuckStages();
}

/// <summary>The daily flow ledger over 30 days.</summary>
[BenchmarkCategory("FlowLedger")]
public class FlowLedger : Comparison
{
    [Benchmark(Baseline = true)]
    public object Before() => Sides.Before.FlowLedger();

    [Benchmark]
    public object After() => Sides.After.FlowLedger();
}

/// <summary>A breakdown per owner: stage counts for each of the 200 owners.</summary>
[BenchmarkCategory("OwnerBreakdown")]
public class OwnerBreakdown : Comparison
{
    [Benchmark(Baseline = true)]
    public object Before() => Sides.Before.OwnerBreakdown();

    [Benchmark]
    public object After() => Sides.After.OwnerBreakdown();
}

/// <summary>The forecast, default settings, 30-day horizon, team and owners.</summary>
[BenchmarkCategory("Forecast")]
public class Forecast : Comparison
{
    [Benchmark(Baseline = true)]
    public object Before() => Sides.Before.Forecast();

    [Benchmark]
    public object After() => Sides.After.Forecast();
}

/// <summary>The live view: the last month's events applied one by one to a view made at the month's start (made per iteration, not timed).</summary>
[InvocationCount(1, 1)]
[BenchmarkCategory("LiveViewApply")]
public class LiveViewApply : Comparison
{
    [IterationSetup(Target = nameof(Before))]
    public void FreshBefore() => Sides.Before.FreshLiveView();

    [IterationSetup(Target = nameof(After))]
    public void FreshAfter() => Sides.After.FreshLiveView();

    [Benchmark(Baseline = true)]
    public long Before() => Sides.Before.ApplyMonth();

    [Benchmark]
    public long After() => Sides.After.ApplyMonth();
}

/// <summary>FunnelAnalytics over the in-memory store: read the pipeline's history, build the log, compute stage counts.</summary>
[BenchmarkCategory("AnalyticsStageCounts")]
public class AnalyticsStageCounts : Comparison
{
    protected override bool UsesStore => true;

    [Benchmark(Baseline = true)]
    public object Before() => Sides.Before.AnalyticsStageCounts();

    [Benchmark]
    public object After() => Sides.After.AnalyticsStageCounts();
}
