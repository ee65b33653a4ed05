using FunnelMetrics.Metrics;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// A loop to attach a profiler to: <c>profile &lt;dashboard|logbuild|stalls|forecast|timeinstage|breakdown|liveview&gt; &lt;transitions&gt; &lt;seconds&gt;</c>
/// generates the history, prints <c>ready &lt;pid&gt;</c>, waits three seconds for the profiler to attach, then repeats
/// the work for the given time, so the trace holds the work and not the generator. See docs/performance.md.
/// </summary>
public static class Profiling
{
    public static int Run(string[] args)
    {
        if (args.Length != 4)
        {
            Console.Error.WriteLine("usage: profile <dashboard|logbuild|stalls|forecast|timeinstage|breakdown|liveview> <transitions> <seconds>");
            return 2;
        }

        var size = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        var seconds = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        var (clients, events, log) = BenchmarkData.Get(size);
        var asOf = BenchmarkData.AsOf;
        var thresholds = BenchmarkData.FixedThresholds;
        var month = BenchmarkData.LastMonthInOrder(events);
        Action work = args[1] switch
        {
            "dashboard" => () => _ = (
                StageCountsCalculator.Compute(log, asOf),
                FlowLedgerCalculator.Compute(log, BenchmarkData.FlowFirstDay, BenchmarkData.FlowLastDay, "UTC"),
                TimeInStageCalculator.Compute(log, TimeWindow.Until(asOf)),
                ConversionCalculator.Compute(log, BenchmarkData.ConversionCohorts),
                StallCalculator.Compute(log, asOf, thresholds)),
            "logbuild" => () => FunnelEventLog.Build(HistoryGenerator.Pipeline, clients, events),
            "stalls" => () => StallCalculator.Compute(log, asOf, thresholds),
            "forecast" => () => FunnelMetrics.Forecasting.ForecastCalculator.Compute(log, asOf, horizonEnd: asOf.AddDays(30)),
            "timeinstage" => () => TimeInStageCalculator.Compute(log, TimeWindow.Until(asOf)),
            "breakdown" => () => FunnelBreakdowns.ByOwner(log, filter => StageCountsCalculator.Compute(log, asOf, filter)),
            "liveview" => () =>
            {
                var view = FunnelLiveView.Create(log, asOf.AddDays(-30), thresholds);
                foreach (var e in month)
                {
                    view.Apply(e);
                }
            },
            _ => throw new ArgumentException($"Unknown work '{args[1]}'; use dashboard, logbuild, stalls, forecast, timeinstage, breakdown or liveview.", nameof(args)),
        };

        Console.WriteLine($"ready {Environment.ProcessId}");
        Thread.Sleep(3000);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var rounds = 0;
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            work();
            rounds++;
        }

        var perRound = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / rounds;
        Console.WriteLine($"done: {rounds} rounds of {args[1]} at {size} transitions ({events.Length} events, {clients.Length} clients), {watch.Elapsed.TotalMilliseconds / rounds:0.0} ms and {perRound / 1e6:0.00} MB allocated each");
        return 0;
    }
}
