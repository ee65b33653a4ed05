using BenchmarkDotNet.Attributes;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Benchmarks;

/// <summary>The daily flow ledger over 30 UTC days (<see cref="BenchmarkData.FlowFirstDay"/> to <see cref="BenchmarkData.FlowLastDay"/>).</summary>
public class FlowLedgerBenchmarks : MetricBenchmark
{
    protected override bool UsesDuckDb => true;

    private static DateOnly First => BenchmarkData.FlowFirstDay;

    private static DateOnly Last => BenchmarkData.FlowLastDay;

    [Benchmark(Baseline = true)]
    public object NaiveLinq() => Benchmarks.NaiveLinq.DailyFlow(Pipeline, Events, First, Last);

    [Benchmark]
    public object DuckDB() => DuckDb.DailyFlow(First, Last);

    [Benchmark]
    public object FunnelMetrics() => FlowLedgerCalculator.Compute(Log, First, Last, "UTC");
}
