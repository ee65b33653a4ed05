using FunnelMetrics.Analytics;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// A loop to attach a profiler to: <c>profile &lt;work&gt; &lt;transitions&gt; &lt;seconds&gt;</c> (the works in
/// <see cref="Works"/>: the sample's whole dashboard, the DuckDB subset in the library on every core, on one, and in
/// DuckDB, each of the subset's five figures timed in the three, and single calculators) generates the history, prints <c>ready &lt;pid&gt;</c>, waits three seconds for the
/// profiler to attach, then repeats the work for the given time, so the trace holds the work and not the generator. See docs/performance.md.
/// </summary>
public static class Profiling
{
    private const string Works = "memory, dashboard, dashboard-moving, dashboard-parts, dashboard-parts-now, subset, parts, subset-sequential, subset-duckdb, logbuild, stalls, thresholds, forecast, forecast-now, forecast-advancing, forecast-first, dashboard-advancing, forecast-digest, forecast-memory, timeinstage, breakdown, liveview, sqliteload, postgresload";

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

    /// <summary>
    /// Each calculator the dashboard calls, with the library's default options and the dashboard's windows, timed alone
    /// (the median of the rounds that fit in the given seconds per part, after one warm-up), then the whole dashboard:
    /// where a dashboard request's time goes.
    /// </summary>
    private static int DashboardParts(FunnelEventLog log, DateTimeOffset asOf, int seconds)
    {
        var options = new FunnelMetricsOptions();
        var dash = options.Dashboard;
        var day = DateOnly.FromDateTime(asOf.UtcDateTime);
        var monthStart = new DateOnly(day.Year, day.Month, 1);
        var monthStartAt = new DateTimeOffset(monthStart.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var monthEnd = monthStartAt.AddMonths(1);
        var recent = TimeWindow.Ending(asOf, dash.SpeedWindow);
        var monday = asOf.UtcDateTime.Date.AddDays(-(((int)asOf.UtcDateTime.DayOfWeek + 6) % 7) - (7 * (dash.TrendPeriods - 1)));
        var weeks = new TimeWindow(new DateTimeOffset(monday, TimeSpan.Zero), asOf);
        var forecast = Forecasting.ForecastCalculator.Compute(log, asOf, options.Forecast, monthEnd, 10);
        var parts = new (string Name, Func<object> Work)[]
        {
            ("flow ledger (the month and 20 working days)", () => FlowLedgerCalculator.Compute(log, monthStart.AddDays(-31), day, options.TimeZone, parallelism: options.Parallelism)),
            ("stage counts", () => StageCountsCalculator.Compute(log, asOf, parallelism: options.Parallelism)),
            ("time in stage (90 days)", () => TimeInStageCalculator.Compute(log, recent, parallelism: options.Parallelism)),
            ("conversion (90 days, with values and drop-off)", () => ConversionCalculator.Compute(log, recent, options: options.Conversion, parallelism: options.Parallelism)),
            ("velocity (90 days)", () => VelocityCalculator.Compute(log, recent)),
            ("stuck stages (14 days against 14)", () => StuckStagesCalculator.Compute(log, TimeWindow.Ending(asOf, dash.StuckPeriod), options.Stalls, options.Conversion, parallelism: options.Parallelism)),
            ("stalled clients", () => StallCalculator.Compute(log, asOf, options.Stalls, parallelism: options.Parallelism)),
            ("of which the learned thresholds", () => StallCalculator.Thresholds(log, asOf, options.Stalls)),
            ("learned thresholds 14 days before", () => StallCalculator.Thresholds(log, asOf - dash.StuckPeriod, options.Stalls)),
            ("forecast (to the month's end)", () => Forecasting.ForecastCalculator.Compute(log, asOf, options.Forecast, monthEnd, 10)),
            ("money per stage (the forecast's chain)", () => PipelineValueCalculator.Compute(log, asOf, null, forecast.WinProbabilities(), options.Parallelism)),
            ("waterfall (the month)", () => PipelineWaterfallCalculator.Compute(log, monthStartAt, asOf, options.TimeZone, parallelism: options.Parallelism)),
            ("slipped close dates", () => SlippedClientsCalculator.Compute(log, asOf, options.TimeZone, limit: dash.OverdueClients)),
            ("trends (13 weeks)", () => FunnelTrendsCalculator.Compute(log, weeks, CohortPeriod.Week, options.TimeZone, asOf, options: options.Conversion, parallelism: options.Parallelism)),
            ("the whole dashboard", () => FunnelDashboard.Compute(log, asOf, null, options)),
        };
        foreach (var (name, work) in parts)
        {
            work();
            var times = new List<double>();
            var total = System.Diagnostics.Stopwatch.StartNew();
            do
            {
                var start = System.Diagnostics.Stopwatch.GetTimestamp();
                work();
                times.Add(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            while (total.Elapsed.TotalSeconds < seconds || times.Count < 5);

            times.Sort();
            Console.WriteLine($"{name}: median {times[times.Count / 2]:0.0} ms, fastest {times[0]:0.0} ms ({times.Count} rounds)");
        }

        return 0;
    }

    private static int InWork(FunnelEventLog log, DateTimeOffset asOf) =>
        ClientListCalculator.Compute(log, new ClientListQuery { Measure = ClientListMeasure.InWork, AsOf = asOf, Limit = 1 }).Total;

    /// <summary>
    /// The dashboard as a warm model serves it while the team works: before each request one more event (an activity on
    /// a client in work, a second after the previous one) goes into the model's builder and a new snapshot is taken, so
    /// every request reads a snapshot no request has read before (what a snapshot makes on first use is made again), as
    /// of the new event's instant. Prints the median and the fastest request, and the snapshot's cost apart.
    /// </summary>
    private static int DashboardMoving(FunnelEventLog log, DateTimeOffset asOf, int seconds)
    {
        var options = new FunnelMetricsOptions();
        var builder = new FunnelLogBuilder(log);
        var inWork = ClientListCalculator.Compute(log, new ClientListQuery { Measure = ClientListMeasure.InWork, AsOf = asOf, Limit = ClientListQuery.MaxLimit }).Items.Select(c => c.ClientId).ToList();
        var (requests, snapshots) = (new List<double>(), new List<double>());
        // "Now" is after every event, as for a model following the store.
        var at = log.LastEventAt is { } last && last > asOf ? last : asOf;
        var total = System.Diagnostics.Stopwatch.StartNew();
        for (var round = 0; round < 6 || total.Elapsed.TotalSeconds < seconds; round++)
        {
            at = at.AddSeconds(1);
            var client = inWork[round % inWork.Count];
            builder.TryGetVersion(client, out var version);
            var owner = builder.FindClient(client)!.Owner;
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            builder.Append(new ClientActivity(ClientEventId.New(), client, log.Pipeline.Id, version + 1, at, at, owner));
            var snapshot = builder.ToLog();
            var made = System.Diagnostics.Stopwatch.GetTimestamp();
            _ = FunnelDashboard.Compute(snapshot, at, null, options);
            if (round > 0)
            {
                snapshots.Add(System.Diagnostics.Stopwatch.GetElapsedTime(start, made).TotalMilliseconds);
                requests.Add(System.Diagnostics.Stopwatch.GetElapsedTime(made).TotalMilliseconds);
            }
        }

        requests.Sort();
        snapshots.Sort();
        Console.WriteLine($"dashboard on a new snapshot each request: median {requests[requests.Count / 2]:0.0} ms, fastest {requests[0]:0.0} ms ({requests.Count} rounds); taking the snapshot: median {snapshots[snapshots.Count / 2]:0.00} ms");
        return 0;
    }

    public static int Run(string[] args)
    {
        if (args.Length != 4)
        {
            Console.Error.WriteLine($"usage: profile <{Works.Replace(", ", "|", StringComparison.Ordinal)}> <transitions> <seconds>");
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
        if (args[1] == "memory")
        {
            // The log's resident size: the managed heap after a full collection, with and without one more log built
            // from the same clients and events (the client records are the input's, shared, and not counted).
            var before = GC.GetTotalMemory(forceFullCollection: true);
            var another = FunnelEventLog.Build(HistoryGenerator.Pipeline, clients, events);
            var after = GC.GetTotalMemory(forceFullCollection: true);
            Console.WriteLine($"memory: {size} transitions, {another.EventCount} events, {another.Clients.Count} clients: the log holds {(after - before) / 1e6:0.0} MB, {(double)(after - before) / size:0.0} bytes per transition, {(double)(after - before) / another.EventCount:0.0} per event");

            // What a snapshot keeps once read: the sorted completed visits of the learned stall thresholds. Read once on
            // the first log so that the shared array pool holds its scratch buffers before the second is measured.
            _ = StallCalculator.Thresholds(log, asOf);
            var unread = GC.GetTotalMemory(forceFullCollection: true);
            _ = StallCalculator.Thresholds(another, asOf);
            var read = GC.GetTotalMemory(forceFullCollection: true);
            Console.WriteLine($"memory: the stall thresholds' sorted completed visits, made on the first read, add {(read - unread) / 1e6:0.0} MB, {(double)(read - unread) / size:0.0} bytes per transition");
            GC.KeepAlive(another);
            return 0;
        }

        if (args[1] == "parts")
        {
            return Parts(size, seconds);
        }

        if (args[1] == "dashboard-parts")
        {
            return DashboardParts(log, asOf, seconds);
        }

        if (args[1] == "dashboard-parts-now")
        {
            // The same parts read "now": on the history recorded up to the benchmark's instant, a second after it (the
            // generated pipeline in its steady state), and a second after the whole history's last event (the instant of
            // EndToEndBenchmarks.WarmRequestAfterLastEvent, in the generated history's last days, when fewer clients are in work).
            var end = log.LastEventAt!.Value.AddSeconds(1);
            var upTo = Snapshot(clients, events, asOf);
            Console.WriteLine($"clients in work: {InWork(upTo, asOf.AddSeconds(1))} at {asOf.AddSeconds(1):O} on the history up to it, {InWork(log, end)} at {end:O} on the whole history");
            Console.WriteLine("-- at the benchmark's instant, on the history up to it:");
            DashboardParts(upTo, asOf.AddSeconds(1), seconds);
            Console.WriteLine("-- after the whole history's last event:");
            return DashboardParts(log, end, seconds);
        }

        if (args[1] == "dashboard-moving")
        {
            return DashboardMoving(log, asOf, seconds);
        }

        if (args[1] == "forecast-memory")
        {
            // What the snapshot holds for the forecast's kept fit: the managed heap after a forecast that keeps nothing (an
            // instant before the snapshot's last event, which builds the snapshot's lazy columns), then after one that keeps it.
            var held = Snapshot(clients, events, asOf);
            Forecasting.ForecastCalculator.Compute(held, asOf.AddDays(-1), horizonEnd: asOf.AddDays(29));
            var before = GC.GetTotalMemory(forceFullCollection: true);
            Forecasting.ForecastCalculator.Compute(held, asOf, horizonEnd: asOf.AddDays(30));
            var after = GC.GetTotalMemory(forceFullCollection: true);
            Console.WriteLine($"forecast-memory: the kept fit at {size} transitions holds {(after - before) / 1e6:0.0} MB");
            GC.KeepAlive(held);
            return 0;
        }

        if (args[1] == "forecast-digest")
        {
            return ForecastDigest(log, Snapshot(clients, events, asOf), asOf);
        }

        var month = BenchmarkData.LastMonthInOrder(events);
        var oneThread = new ParallelismOptions { MaxDegreeOfParallelism = 1 };
        var round = 0;
        // The warm read model's snapshot "now": the history as recorded up to AsOf, so that no event is after the instant
        // (its figures at AsOf are those of the whole log at AsOf). Built only for the works that read it.
        var snapshot = new Lazy<FunnelEventLog>(() => Snapshot(clients, events, asOf));
        Action work = args[1] switch
        {
            // The same forecast as "forecast" on the snapshot, asked again at the same instant every round: the kept fit's best case.
            "forecast-now" => () => FunnelMetrics.Forecasting.ForecastCalculator.Compute(snapshot.Value, asOf, horizonEnd: asOf.AddDays(30)),
            // A request a second after the last, every round, as a warm model serves "now": the kept fit serves until a departure leaves the window.
            "forecast-advancing" => () =>
            {
                var now = asOf.AddSeconds(round++);
                FunnelMetrics.Forecasting.ForecastCalculator.Compute(snapshot.Value, now, horizonEnd: now.AddDays(30));
            },
            // A second before the last, every round: the kept fit never serves an earlier instant, so each round fits afresh
            // (and keeps its fit), as the first request on a new snapshot does, but for the snapshot's one scan for its last event.
            "forecast-first" => () =>
            {
                var now = asOf.AddSeconds(-round++);
                FunnelMetrics.Forecasting.ForecastCalculator.Compute(snapshot.Value, now, horizonEnd: now.AddDays(30));
            },
            // The whole dashboard on the snapshot, a second later every round (its forecast to the month's end, with a target).
            "dashboard-advancing" => () => FunnelDashboard.Compute(snapshot.Value, asOf.AddSeconds(round++), null, new FunnelMetricsOptions()),
            "dashboard" => () => FunnelDashboard.Compute(log, asOf, null, new FunnelMetricsOptions()),
            "subset" => () => _ = (
                StageCountsCalculator.Compute(log, asOf),
                FlowLedgerCalculator.Compute(log, BenchmarkData.FlowFirstDay, BenchmarkData.FlowLastDay, "UTC"),
                TimeInStageCalculator.Compute(log, TimeWindow.Until(asOf)),
                ConversionCalculator.Compute(log, BenchmarkData.ConversionCohorts),
                StallCalculator.Compute(log, asOf, thresholds)),
            "subset-sequential" => () => _ = (
                StageCountsCalculator.Compute(log, asOf, parallelism: oneThread),
                FlowLedgerCalculator.Compute(log, BenchmarkData.FlowFirstDay, BenchmarkData.FlowLastDay, "UTC", parallelism: oneThread),
                TimeInStageCalculator.Compute(log, TimeWindow.Until(asOf), parallelism: oneThread),
                ConversionCalculator.Compute(log, BenchmarkData.ConversionCohorts, parallelism: oneThread),
                StallCalculator.Compute(log, asOf, thresholds, parallelism: oneThread)),
            "subset-duckdb" => DuckDbSubset(size),
            "logbuild" => () => FunnelEventLog.Build(HistoryGenerator.Pipeline, clients, events),
            "stalls" => () => StallCalculator.Compute(log, asOf, thresholds),
            "thresholds" => () => StallCalculator.Thresholds(log, asOf),
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
            "sqliteload" => () => LoadInPhases(sqlite!.Source),
            "postgresload" => () => LoadInPhases(postgres!.Source),
            _ => throw new ArgumentException($"Unknown work '{args[1]}'; use {Works}.", nameof(args)),
        };

        if (args[1] is "forecast-now" or "forecast-advancing" or "forecast-first" or "dashboard-advancing")
        {
            var built = snapshot.Value;
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            var last = built.LastEventAt;
            Console.Error.WriteLine($"snapshot up to {asOf:O}: {built.EventCount} events, the last at {last:O}, found once in {System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds:0.00} ms");
        }

        Console.WriteLine($"ready {Environment.ProcessId}");
        Thread.Sleep(3000);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var collections = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
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
        Console.WriteLine($"done: {rounds} rounds of {args[1]} at {size} transitions ({events.Length} events, {clients.Length} clients), {watch.Elapsed.TotalMilliseconds / rounds:0.0} ms ({cpuPerRound:0.0} ms of this process's CPU time) and {perRound / 1e6:0.00} MB allocated each; collections of generations 0, 1, 2: {GC.CollectionCount(0) - collections.Item1}, {GC.CollectionCount(1) - collections.Item2}, {GC.CollectionCount(2) - collections.Item3}");
        return 0;
    }

    /// <summary>
    /// The SHA-256 of the JSON of forecasts and dashboards in several settings, each asked twice on the snapshot a second
    /// apart (the second from the kept fit where the library keeps one): two builds computing the same figures print the same lines.
    /// </summary>
    private static int ForecastDigest(FunnelEventLog log, FunnelEventLog snapshot, DateTimeOffset asOf)
    {
        static string Digest(string json) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(json)))[..16];
        var context = Serialization.FunnelMetricsJsonContext.Default;
        var monthEnd = new DateTimeOffset(asOf.Year, asOf.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
        var intake = new Forecasting.ForecastOptions { IncludeIntake = true, MinimumDepartures = 30 };
        var two = new FunnelFilter { Owners = [new OwnerId("owner-003"), new OwnerId("owner-017")] };
        foreach (var (name, at) in new[] { ("as of", asOf), ("a second later", asOf.AddSeconds(1)), ("a day later", asOf.AddDays(1)) })
        {
            Console.WriteLine($"{name}: forecast, 30 days, whole log {Digest(System.Text.Json.JsonSerializer.Serialize(Forecasting.ForecastCalculator.Compute(log, at, horizonEnd: at.AddDays(30)), context.Forecast))}");
            Console.WriteLine($"{name}: forecast, 30 days {Digest(System.Text.Json.JsonSerializer.Serialize(Forecasting.ForecastCalculator.Compute(snapshot, at, horizonEnd: at.AddDays(30)), context.Forecast))}");
            Console.WriteLine($"{name}: forecast, month's end, target 10 {Digest(System.Text.Json.JsonSerializer.Serialize(Forecasting.ForecastCalculator.Compute(snapshot, at, null, monthEnd, 10), context.Forecast))}");
            Console.WriteLine($"{name}: forecast, intake, two owners, target 50 {Digest(System.Text.Json.JsonSerializer.Serialize(Forecasting.ForecastCalculator.Compute(snapshot, at, intake, monthEnd, 50, two), context.Forecast))}");
            Console.WriteLine($"{name}: dashboard {Digest(System.Text.Json.JsonSerializer.Serialize(FunnelDashboard.Compute(snapshot, at, null, new FunnelMetricsOptions()), context.FunnelDashboard))}");
        }

        return 0;
    }

    /// <summary>The log of the clients and their events up to <paramref name="asOf"/>, inclusive: the snapshot a read model held then.</summary>
    private static FunnelEventLog Snapshot(Client[] clients, ClientEvent[] events, DateTimeOffset asOf) =>
        FunnelEventLog.Build(HistoryGenerator.Pipeline, clients, events.Where(e => e.OccurredAt <= asOf));

    /// <summary>
    /// Where the subset's time goes: each of its five figures in the library on every core, on one, and in DuckDB, run in
    /// turn (so the machine's load falls on all three alike) for the given time, and the median of each printed. One
    /// process for all three: indicative only; the comparison to quote is BenchmarkDotNet's, a process per benchmark.
    /// </summary>
    private static int Parts(int size, int seconds)
    {
        var (_, _, log) = BenchmarkData.Get(size);
        var duck = BenchmarkData.DuckDb(size);
        var asOf = BenchmarkData.AsOf;
        var one = new ParallelismOptions { MaxDegreeOfParallelism = 1 };
        var all = new ParallelismOptions();
        (string Name, Func<ParallelismOptions, object> Library, Func<object> DuckDb)[] parts =
        [
            ("stage counts", p => StageCountsCalculator.Compute(log, asOf, parallelism: p), () => duck.StageCounts(asOf)),
            ("flow ledger", p => FlowLedgerCalculator.Compute(log, BenchmarkData.FlowFirstDay, BenchmarkData.FlowLastDay, "UTC", parallelism: p), () => duck.DailyFlow(BenchmarkData.FlowFirstDay, BenchmarkData.FlowLastDay)),
            ("time in stage", p => TimeInStageCalculator.Compute(log, TimeWindow.Until(asOf), parallelism: p), () => duck.CompletedVisits(asOf)),
            ("conversion", p => ConversionCalculator.Compute(log, BenchmarkData.ConversionCohorts, parallelism: p), () => duck.Conversion(BenchmarkData.ConversionCohorts.Start, BenchmarkData.ConversionCohorts.End, asOf)),
            ("stalled clients", p => StallCalculator.Compute(log, asOf, BenchmarkData.FixedThresholds, parallelism: p), () => duck.Stalled(asOf)),
        ];
        var times = new List<double>[parts.Length, 3];
        var cpu = new List<double>[parts.Length, 3];
        foreach (var i in Enumerable.Range(0, parts.Length))
        {
            for (var e = 0; e < 3; e++)
            {
                (times[i, e], cpu[i, e]) = ([], []);
            }
        }

        using var process = System.Diagnostics.Process.GetCurrentProcess();

        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var round = 0; round < 3 || watch.Elapsed.TotalSeconds < seconds; round++)
        {
            for (var i = 0; i < parts.Length; i++)
            {
                var (_, library, inDuckDb) = parts[i];
                Func<object>[] runs = [() => library(all), () => library(one), inDuckDb];
                for (var e = 0; e < 3; e++)
                {
                    process.Refresh();
                    var (start, cpuStart) = (System.Diagnostics.Stopwatch.GetTimestamp(), process.TotalProcessorTime);
                    _ = runs[e]();
                    var ms = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    process.Refresh();
                    if (round > 0)
                    {
                        // The first round warms up. Processor time is every thread's, DuckDB's own included.
                        times[i, e].Add(ms);
                        cpu[i, e].Add((process.TotalProcessorTime - cpuStart).TotalMilliseconds);
                    }
                }
            }
        }

        static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        foreach (var (what, values) in (ReadOnlySpan<(string, List<double>[,])>)[("elapsed", times), ("processor (all threads)", cpu)])
        {
            Console.WriteLine($"median {what} ms at {size} transitions ({times[0, 0].Count} rounds; library on {all.MaxDegreeOfParallelism} threads, DuckDB on {duck.Threads}): figure, library all cores, library one core, DuckDB, DuckDB / library all cores");
            var totals = new double[3];
            for (var i = 0; i < parts.Length; i++)
            {
                var m = new[] { Median(values[i, 0]), Median(values[i, 1]), Median(values[i, 2]) };
                for (var e = 0; e < 3; e++)
                {
                    totals[e] += m[e];
                }

                Console.WriteLine(FormattableString.Invariant($"  {parts[i].Name}: {m[0]:0.0}, {m[1]:0.0}, {m[2]:0.0}, {m[2] / m[0]:0.0}x"));
            }

            Console.WriteLine(FormattableString.Invariant($"  sum of medians: {totals[0]:0.0}, {totals[1]:0.0}, {totals[2]:0.0}, {totals[2] / totals[0]:0.0}x"));
        }

        return 0;
    }

    /// <summary>The subset in DuckDB: the database loaded before the loop, so only the queries repeat.</summary>
    private static Action DuckDbSubset(int size)
    {
        var duck = BenchmarkData.DuckDb(size);
        var asOf = BenchmarkData.AsOf;
        return () => _ = (
            duck.StageCounts(asOf),
            duck.DailyFlow(BenchmarkData.FlowFirstDay, BenchmarkData.FlowLastDay),
            duck.CompletedVisits(asOf),
            duck.Conversion(BenchmarkData.ConversionCohorts.Start, BenchmarkData.ConversionCohorts.End, asOf),
            duck.Stalled(asOf));
    }
}
