using FunnelMetrics.Forecasting;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Analytics;

/// <summary>
/// Everything the head of sales' dashboard shows, computed from one log as of one instant: the funnel per manager,
/// money per stage, today against the average of the previous working days, the month's waterfall, speed, conversion
/// and drop-off over a recent window, the trends per period of entry, the stuck stages, the most overdue clients and
/// the slipped close dates, and the month's forecast. Every part is one of the library's calculators with the
/// library's options; docs/metrics.md defines each figure. Written as JSON through
/// <see cref="Serialization.FunnelMetricsJsonContext"/> (<c>Default.FunnelDashboard</c>).
/// </summary>
/// <remarks>
/// <para>
/// <b>Today</b> is the local day, in <see cref="FunnelMetricsOptions.TimeZone"/>, containing <see cref="AsOf"/>, or
/// ending at it when <see cref="AsOf"/> is that day's end. The averages cover the <see cref="DashboardOptions.WorkingDays"/>
/// working days (<see cref="DashboardOptions.WorkingWeekdays"/>) before today; today itself is never in them, even on
/// a day off.
/// </para>
/// <para>
/// Nothing after <see cref="AsOf"/> is counted: every calculator reads as of the instant, and a log holding events
/// later today than <see cref="AsOf"/> (read in the middle of a past day) is cut at the instant first, at the cost of
/// a rebuild.
/// </para>
/// </remarks>
public sealed class FunnelDashboard
{
    private FunnelDashboard(
        PipelineDefinition pipeline,
        DateTimeOffset asOf,
        DateOnly day,
        TimeWindow todayWindow,
        string timeZone,
        FunnelFilter? filter,
        StageCounts funnel,
        IReadOnlyList<DashboardDay> today,
        TimeWindow speedWindow,
        TimeInStage timeInStage,
        Conversion conversion,
        Velocity velocity,
        StuckStages stuckStages,
        DashboardStalls stalled,
        DashboardMonth month,
        Forecast forecast,
        PipelineValue value,
        PipelineWaterfall waterfall,
        SlippedClients slipped,
        FunnelTrends trends)
    {
        Pipeline = pipeline;
        AsOf = asOf;
        Day = day;
        TodayWindow = todayWindow;
        TimeZone = timeZone;
        Filter = filter;
        Funnel = funnel;
        Today = today;
        SpeedWindow = speedWindow;
        TimeInStage = timeInStage;
        Conversion = conversion;
        Velocity = velocity;
        StuckStages = stuckStages;
        Stalled = stalled;
        Month = month;
        Forecast = forecast;
        Value = value;
        Waterfall = waterfall;
        Slipped = slipped;
        Trends = trends;
    }

    /// <summary>The pipeline, with its stages' names and order.</summary>
    public PipelineDefinition Pipeline { get; }

    /// <summary>The instant the dashboard is read at (UTC).</summary>
    public DateTimeOffset AsOf { get; }

    /// <summary>"Today": the local calendar day the dashboard shows.</summary>
    public DateOnly Day { get; }

    /// <summary>Today as instants: <c>[start, end)</c> of <see cref="Day"/> in the time zone (<see cref="TimeZoneDays.Day"/>).</summary>
    public TimeWindow TodayWindow { get; }

    /// <summary>The IANA id of the time zone days are counted in.</summary>
    public string TimeZone { get; }

    /// <summary>The clients and owners the dashboard is for; <see langword="null"/> for all.</summary>
    public FunnelFilter? Filter { get; }

    /// <summary>Clients per stage as of <see cref="AsOf"/>, with the per-owner breakdown (<see cref="StageCountsCalculator"/>).</summary>
    public StageCounts Funnel { get; }

    /// <summary>Today against the average of the previous working days: the team first, then each manager with a movement in the days read.</summary>
    public IReadOnlyList<DashboardDay> Today { get; }

    /// <summary>The window of <see cref="TimeInStage"/>, <see cref="Conversion"/> and <see cref="Velocity"/>: <c>[AsOf - SpeedWindow, AsOf)</c>.</summary>
    public TimeWindow SpeedWindow { get; }

    /// <summary>Time in each stage of the visits in <see cref="SpeedWindow"/> (<see cref="TimeInStageCalculator"/>).</summary>
    public TimeInStage TimeInStage { get; }

    /// <summary>Conversion of the cohorts that entered a stage in <see cref="SpeedWindow"/>, outcomes up to <see cref="AsOf"/> (<see cref="ConversionCalculator"/>).</summary>
    public Conversion Conversion { get; }

    /// <summary>Pipeline velocity and cycle time over <see cref="SpeedWindow"/> (<see cref="VelocityCalculator"/>).</summary>
    public Velocity Velocity { get; }

    /// <summary>Stages ranked by where clients get stuck, the last <see cref="DashboardOptions.StuckPeriod"/> against the one before (<see cref="StuckStagesCalculator"/>).</summary>
    public StuckStages StuckStages { get; }

    /// <summary>The stalled clients as of <see cref="AsOf"/> with the current thresholds (<see cref="StallCalculator"/>), in summary.</summary>
    public DashboardStalls Stalled { get; }

    /// <summary>The month's target and its wins so far.</summary>
    public DashboardMonth Month { get; }

    /// <summary>The forecast of the wins by <see cref="DashboardMonth.ForecastEnd"/> against what the target still misses, with the default forecast settings unless configured (<see cref="ForecastCalculator"/>).</summary>
    public Forecast Forecast { get; }

    /// <summary>
    /// Money per stage as of <see cref="AsOf"/>: the open pipeline's value per stage and owner, weighted by each stage's
    /// configured win probability and by the chain model's, whose probabilities are those of <see cref="Forecast"/>
    /// (<see cref="PipelineValueCalculator"/>).
    /// </summary>
    public PipelineValue Value { get; }

    /// <summary>
    /// The month's waterfall: the pipeline open at the start of <see cref="DashboardMonth.Month"/>'s first day, what came
    /// in, moved, closed and changed value up to <see cref="AsOf"/>, and the pipeline open then, with the stage matrix
    /// (<see cref="PipelineWaterfallCalculator"/>).
    /// </summary>
    public PipelineWaterfall Waterfall { get; }

    /// <summary>
    /// The open clients whose expected close date is before today, the most overdue <see cref="DashboardOptions.OverdueClients"/>
    /// listed (<see cref="SlippedClientsCalculator"/>); the whole list is the <see cref="ClientListMeasure.Slipped"/> drill-down.
    /// </summary>
    public SlippedClients Slipped { get; }

    /// <summary>
    /// Time in stage, conversion and drop-off per <see cref="DashboardOptions.TrendPeriod"/> of entry, the last
    /// <see cref="DashboardOptions.TrendPeriods"/> periods up to <see cref="AsOf"/>, the current one last and cut at
    /// <see cref="AsOf"/> (<see cref="FunnelTrendsCalculator"/>).
    /// </summary>
    public FunnelTrends Trends { get; }

    /// <summary>Computes the dashboard.</summary>
    /// <param name="log">The pipeline's log (a warm model's snapshot, or a built log).</param>
    /// <param name="asOf">The instant to read at.</param>
    /// <param name="request">The clients and the month's target; its <see cref="DashboardRequest.AsOf"/> is ignored (pass it as <paramref name="asOf"/>).</param>
    /// <param name="options">The library's options: the time zone, <see cref="FunnelMetricsOptions.Dashboard"/>, stall, conversion, forecast and parallelism settings, and the working calendar (time in stage, velocity, stuck stages and stalls count working time when it is enabled).</param>
    /// <returns>The dashboard.</returns>
    /// <exception cref="ArgumentException">An option is out of range (the message names it by its path, such as <c>Dashboard.WorkingDays</c>) or the time zone is unknown.</exception>
    public static FunnelDashboard Compute(FunnelEventLog log, DateTimeOffset asOf, DashboardRequest? request, FunnelMetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(options);
        request ??= DashboardRequest.Default;
        var settings = options.Dashboard ?? throw new ArgumentException("Dashboard is null; leave it at its default or set every value.", nameof(options));
        DashboardOptions.Check(settings, nameof(FunnelMetricsOptions.Dashboard));
        var zone = TimeZones.Find(options.TimeZone, nameof(options.TimeZone));
        asOf = asOf.ToUniversalTime();
        var filter = request.Filter;

        // Today: the day containing the instant, or ending at it.
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(asOf, zone).DateTime);
        if (TimeZoneDays.StartOfDay(day, zone) >= asOf)
        {
            day = day.AddDays(-1);
        }

        // Every calculator reads as of the instant except the flow ledger, which counts whole days: a log with events
        // later today than the instant is cut there first (a rebuild; read at a day's end, or now, nothing is cut).
        var todayWindow = TimeZoneDays.Day(day, zone);
        if (log.AnyEventBetween(asOf.UtcTicks, todayWindow.End.UtcTicks))
        {
            log = log.Until(asOf.UtcTicks);
        }

        // Back to the first of the previous working days; the flow covers the month so far too, for its wins.
        var firstDay = day;
        for (var working = 0; working < settings.WorkingDays;)
        {
            firstDay = firstDay.AddDays(-1);
            working += settings.IsWorkingDay(firstDay) ? 1 : 0;
        }

        var monthStart = new DateOnly(day.Year, day.Month, 1);
        var recent = TimeWindow.Ending(asOf, settings.SpeedWindow);
        var calendar = options.WorkingCalendar?.ToCalendar(options.TimeZone);
        var threads = ParallelismOptions.Check(options.Parallelism, nameof(options.Parallelism));

        // The parts are independent reads of one immutable log, in two groups run at once when the log is large enough
        // to split and more than one thread is allowed (each calculator splits its own work too): the month (the flow
        // ledger, the forecast that needs its pace, money per stage on the forecast's chain) and everything else.
        MonthGroup MonthPart()
        {
            var flow = FlowLedgerCalculator.Compute(log, monthStart < firstDay ? monthStart : firstDay, day, options.TimeZone, filter, options.Parallelism);
            var targetGiven = request.TargetWins is not null;
            var target = request.TargetWins ?? Math.Max(1, flow.Days.Where(d => d.Day >= firstDay).Sum(d => d.Totals.Wins));
            var wonThisMonth = flow.Days.Where(d => d.Day >= monthStart).Sum(d => d.Totals.Wins);

            // Read at the end of the month's last day, the month is over: its result is final and the forecast runs to the
            // end of the next month, which has the same target and no win yet.
            var closed = asOf >= EndOfMonth(day, zone);
            var forecastMonth = closed ? monthStart.AddMonths(1) : monthStart;
            var forecastEnd = EndOfMonth(forecastMonth, zone);
            var stillMissing = Math.Max(0, target - (closed ? 0 : wonThisMonth));
            var forecast = ForecastCalculator.Compute(log, asOf, options.Forecast, forecastEnd, stillMissing, filter);

            // Money per stage weighted by the forecast's own chain (not built twice).
            var value = PipelineValueCalculator.Compute(log, asOf, filter, forecast.WinProbabilities(), options.Parallelism);
            return new MonthGroup(flow, new DashboardMonth(monthStart, target, targetGiven, wonThisMonth, closed, forecastMonth, forecastEnd), forecast, value);
        }

        var concurrent = threads.MaxDegreeOfParallelism > 1 && log.ClientCount >= 2 * threads.MinimumClientsPerPartition;
        var month = concurrent ? Task.Run(MonthPart) : Task.FromResult(MonthPart());
        TimeInStage timeInStage;
        Conversion conversion;
        Velocity velocity;
        StuckStages stuck;
        StalledClients stalled;
        PipelineWaterfall waterfall;
        SlippedClients slipped;
        FunnelTrends trends;
        StageCounts funnel;
        try
        {
            timeInStage = TimeInStageCalculator.Compute(log, recent, filter, options.Parallelism, calendar);
            conversion = ConversionCalculator.Compute(log, recent, options: options.Conversion, filter: filter, parallelism: options.Parallelism);
            velocity = VelocityCalculator.Compute(log, recent, filter, calendar);
            // The stalled clients now are the stuck stages' current figure too, unless an event falls on the instant's very
            // tick (the stuck window reads the events before its end).
            stalled = StallCalculator.Compute(log, asOf, options.Stalls, filter, options.Parallelism, calendar);
            var onTheTick = log.AnyEventBetween(asOf.UtcTicks - 1, asOf.UtcTicks + 1);
            stuck = StuckStagesCalculator.ComputeWith(log, TimeWindow.Ending(asOf, settings.StuckPeriod), options.Stalls, options.Conversion, filter, options.Parallelism, calendar, onTheTick ? null : stalled);

            // The month's waterfall, the slipped close dates and the trends of the last periods of entry.
            waterfall = PipelineWaterfallCalculator.Compute(log, TimeZoneDays.StartOfDay(monthStart, zone), asOf, options.TimeZone, filter, options.Parallelism);
            slipped = SlippedClientsCalculator.Compute(log, asOf, options.TimeZone, filter, settings.OverdueClients);
            var trendWindow = new TimeWindow(TimeZoneDays.StartOfDay(FirstTrendDay(day, settings), zone), asOf);
            trends = FunnelTrendsCalculator.Compute(log, trendWindow, settings.TrendPeriod, options.TimeZone, asOf, filter, options.Conversion, byOwner: false, options.Parallelism, calendar);
            funnel = StageCountsCalculator.Compute(log, asOf, filter, options.Parallelism);
        }
        catch
        {
            // The month's group is left to finish; its result (or its own error) is not wanted.
            month.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            throw;
        }

        var (flowLedger, monthFigures, forecast, value) = month.GetAwaiter().GetResult();
        return new FunnelDashboard(
            log.Pipeline,
            asOf,
            day,
            todayWindow,
            options.TimeZone,
            filter,
            funnel,
            DaysOf(flowLedger, settings),
            recent,
            timeInStage,
            conversion,
            velocity,
            stuck,
            new DashboardStalls(stalled, settings.OverdueClients),
            monthFigures,
            forecast,
            value,
            waterfall,
            slipped,
            trends);
    }

    /// <summary>The dashboard's month group: the flow ledger, the month's target and wins, the forecast and money per stage.</summary>
    private sealed record MonthGroup(FlowLedger Flow, DashboardMonth Figures, Forecast Forecast, PipelineValue Value);

    /// <summary>The first day of the trends: the start of the period <c>TrendPeriods - 1</c> periods before the one holding <paramref name="day"/>.</summary>
    private static DateOnly FirstTrendDay(DateOnly day, DashboardOptions settings)
    {
        var back = settings.TrendPeriods - 1;
        return settings.TrendPeriod switch
        {
            CohortPeriod.Day => day.AddDays(-back),
            CohortPeriod.Week => day.AddDays(-(((int)day.DayOfWeek + 6) % 7) - (7 * back)),
            _ => new DateOnly(day.Year, day.Month, 1).AddMonths(-back),
        };
    }

    /// <summary>The instant the month of <paramref name="day"/> ends in the zone: the start of the next month's first day.</summary>
    private static DateTimeOffset EndOfMonth(DateOnly day, TimeZoneInfo zone) =>
        TimeZoneDays.StartOfDay(new DateOnly(day.Year, day.Month, 1).AddMonths(1), zone);

    private static List<DashboardDay> DaysOf(FlowLedger flow, DashboardOptions settings)
    {
        var today = flow.Days[^1];
        var previous = flow.Days.Take(flow.Days.Count - 1).Where(d => settings.IsWorkingDay(d.Day)).TakeLast(settings.WorkingDays).ToList();
        var n = Math.Max(1, previous.Count);
        var days = new List<DashboardDay> { Figures(null, today.Totals, today.Stages, previous.Select(d => ((FlowTotals?)d.Totals, (IReadOnlyList<StageFlow>?)d.Stages)).ToList(), n) };
        foreach (var owner in today.ByOwner)
        {
            var history = previous.Select(d => d.ByOwner.FirstOrDefault(o => o.Owner == owner.Owner) is { } o ? ((FlowTotals?)o.Totals, (IReadOnlyList<StageFlow>?)o.Stages) : (null, null)).ToList();
            days.Add(Figures(owner.Owner, owner.Totals, owner.Stages, history, n));
        }

        return days;
    }

    private static DashboardDay Figures(OwnerId? owner, FlowTotals today, IReadOnlyList<StageFlow> stages, List<(FlowTotals? Totals, IReadOnlyList<StageFlow>? Stages)> previous, int n)
    {
        double Average(Func<FlowTotals, int> count) => previous.Sum(p => p.Totals is { } t ? count(t) : 0) / (double)n;
        var average = new DayAverages(n, Average(t => t.New), Average(t => t.ForwardMoves), Average(t => t.Regressions), Average(t => t.Wins), Average(t => t.Losses));
        var rows = new DashboardStageDay[stages.Count];
        for (var s = 0; s < rows.Length; s++)
        {
            rows[s] = new DashboardStageDay(stages[s].Stage, stages[s].Entered, previous.Sum(p => p.Stages is { } st ? st[s].Entered : 0) / (double)n, stages[s].CountAtEnd);
        }

        return new DashboardDay(owner, today, average, rows);
    }
}
