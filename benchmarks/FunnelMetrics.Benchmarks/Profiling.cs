using FunnelMetrics.Metrics;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// A loop to attach a profiler to: <c>profile &lt;dashboard|logbuild|stalls|timeinstage|breakdown|liveview|sqliteload|postgresload&gt; &lt;transitions&gt; &lt;seconds&gt;</c>
/// generates the history, prints <c>ready &lt;pid&gt;</c>, waits three seconds for the profiler to attach, then repeats
/// the work for the given time, so the trace holds the work and not the generator. See docs/performance.md.
/// </summary>
public static class Profiling
{
    /// <summary>A fast load, then the snapshot, each timed (wall and this process's CPU time) to standard error.</summary>
    private static void LoadInPhases(Analytics.IFunnelLogSource source)
    {
        var process = System.Diagnostics.Process.GetCurrentProcess();
        var (cpu, watch) = (process.TotalProcessorTime, System.Diagnostics.Stopwatch.StartNew());
        var builder = new FunnelLogBuilder(HistoryGenerator.Pipeline);
        source.LoadAsync(builder).GetAwaiter().GetResult();
        process.Refresh();
        var (loadCpu, loadWall) = (process.TotalProcessorTime - cpu, watch.Elapsed);
        var log = builder.ToLog();
        process.Refresh();
        Console.Error.WriteLine($"load {loadWall.TotalMilliseconds:0} ms ({loadCpu.TotalMilliseconds:0} ms CPU), ToLog {(watch.Elapsed - loadWall).TotalMilliseconds:0} ms ({(process.TotalProcessorTime - cpu - loadCpu).TotalMilliseconds:0} ms CPU), {log.EventCount} events");
    }

    public static int Run(string[] args)
    {
        if (args.Length != 4)
        {
            Console.Error.WriteLine("usage: profile <dashboard|logbuild|stalls|timeinstage|breakdown|liveview|sqliteload|postgresload> <transitions> <seconds>");
            return 2;
        }

        var size = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        var seconds = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        // The set-ups' messages to standard error: profile.sh reads the first line of standard output for the process id.
        var stdout = Console.Out;
        Console.SetOut(Console.Error);
        SqliteReadBenchmarks? sqlite = null;
        PostgresReadBenchmarks? postgres = null;
        if (args[1] == "sqliteload")
        {
            sqlite = new SqliteReadBenchmarks { Transitions = size };
            sqlite.Setup();
        }
        else if (args[1] == "postgresload")
        {
            postgres = new PostgresReadBenchmarks { Transitions = size };
            postgres.Setup();
        }

        Console.SetOut(stdout);

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
            "sqliteload" => () => LoadInPhases(sqlite!.Source),
            "postgresload" => () => LoadInPhases(postgres!.Source),
            _ => throw new ArgumentException($"Unknown work '{args[1]}'; use dashboard, logbuild, stalls, timeinstage, breakdown, liveview, sqliteload or postgresload.", nameof(args)),
        };

        Console.WriteLine($"ready {Environment.ProcessId}");
        Thread.Sleep(3000);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var rounds = 0;
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            work();
            rounds++;
        }

        var perRound = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / rounds;
        var cpuPerRound = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / rounds;
        Console.WriteLine($"done: {rounds} rounds of {args[1]} at {size} transitions ({events.Length} events, {clients.Length} clients), {watch.Elapsed.TotalMilliseconds / rounds:0.0} ms ({cpuPerRound:0.0} ms of this process's CPU time) and {perRound / 1e6:0.00} MB allocated each");
        return 0;
    }
}
