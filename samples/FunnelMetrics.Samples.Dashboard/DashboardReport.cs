using FunnelMetrics.Analytics;
using FunnelMetrics.Forecasting;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Samples.Dashboard;

/// <summary>What to read and how.</summary>
/// <param name="AsOf">The instant the dashboard is read at (the end of "today").</param>
/// <param name="Day">"Today": the day in <paramref name="TimeZone"/> that ends at or contains <paramref name="AsOf"/>.</param>
/// <param name="TimeZone">The IANA zone days are counted in.</param>
/// <param name="Owner">Only this manager's clients, or everyone.</param>
/// <param name="TargetWins">
/// The wins the month should bring, or null for the recent pace: the wins of today and the 20 working days before it
/// (about a month). The forecast is asked for what is still missing: this target less the month's wins so far.
/// </param>
internal sealed record DashboardSettings(DateTimeOffset AsOf, DateOnly Day, string TimeZone, OwnerId? Owner, int? TargetWins);

/// <summary>One manager's day next to their average of the previous working days.</summary>
/// <param name="Owner">The manager, or null for the whole team.</param>
/// <param name="Today">The day's figures.</param>
/// <param name="Average">The average per day of the previous working days.</param>
/// <param name="EnteredToday">Per stage: clients that entered it today (moves into it, first entries included).</param>
/// <param name="EnteredAverage">Per stage: the average per previous working day.</param>
internal sealed record DayFigures(OwnerId? Owner, FlowTotals Today, AverageTotals Average, IReadOnlyList<int> EnteredToday, IReadOnlyList<double> EnteredAverage);

/// <summary>The month's target and the wins it has brought so far (today included).</summary>
/// <param name="Month">The first day of the month "today" is in.</param>
/// <param name="TargetWins">The wins the month should bring.</param>
/// <param name="WonSoFar">The month's wins up to the dashboard's instant.</param>
/// <param name="Closed">
/// Whether the dashboard is read at the month's end (the end of its last day): the month's result is final, and the
/// forecast looks at the next month instead, with the same target and no win yet.
/// </param>
/// <param name="ForecastMonth">The first day of the month the forecast runs to the end of.</param>
internal sealed record MonthTarget(DateOnly Month, int TargetWins, int WonSoFar, bool Closed, DateOnly ForecastMonth);

/// <summary>Averages per day of <see cref="FlowTotals"/>'s counts.</summary>
internal sealed record AverageTotals(int Days, double New, double ForwardMoves, double Regressions, double Wins, double Losses);

/// <summary>
/// Everything the head of sales' dashboard shows, computed from one in-memory log: the funnel, today's flow per
/// manager, speed, where clients get stuck, and the forecast.
/// </summary>
internal sealed record DashboardReport(
    PipelineDefinition Pipeline,
    DashboardSettings Settings,
    StageCounts Funnel,
    FlowLedger Flow,
    IReadOnlyList<DayFigures> Today,
    TimeInStage Speed,
    Conversion Conversion,
    Velocity Velocity,
    StuckStages Stuck,
    StalledClients Stalled,
    MonthTarget Month,
    Forecast Forecast)
{
    /// <summary>How many working days (Monday to Friday) before today the averages cover.</summary>
    public const int WorkingDays = 20;

    /// <summary>The window of the speed, conversion and cycle-time figures: the last 90 days.</summary>
    public static readonly TimeSpan SpeedWindow = TimeSpan.FromDays(90);

    /// <summary>The period the stuck-stage ranking compares: the last 14 days against the 14 before.</summary>
    public static readonly TimeSpan StuckPeriod = TimeSpan.FromDays(14);

    /// <summary>Computes the dashboard.</summary>
    /// <param name="log">The history, built once.</param>
    /// <param name="settings">What to read.</param>
    /// <param name="options">The library's options (stall thresholds, forecast settings).</param>
    /// <returns>The dashboard.</returns>
    public static DashboardReport Compute(FunnelEventLog log, DashboardSettings settings, FunnelMetricsOptions options)
    {
        var filter = settings.Owner is { } owner ? new FunnelFilter { Owners = [owner] } : null;
        var asOf = settings.AsOf;

        // Today and the calendar days back to the 20th working day before it.
        var firstDay = settings.Day;
        for (var working = 0; working < WorkingDays;)
        {
            firstDay = firstDay.AddDays(-1);
            working += IsWorkingDay(firstDay) ? 1 : 0;
        }

        var monthStart = new DateOnly(settings.Day.Year, settings.Day.Month, 1);
        // The flow covers the month so far too, for the wins still missing.
        var flow = FlowLedgerCalculator.Compute(log, monthStart < firstDay ? monthStart : firstDay, settings.Day, settings.TimeZone, filter);
        var recent = TimeWindow.Ending(asOf, SpeedWindow);
        var speed = TimeInStageCalculator.Compute(log, recent, filter);
        var conversion = ConversionCalculator.Compute(log, recent, options: options.Conversion, filter: filter);
        var velocity = VelocityCalculator.Compute(log, recent, filter);
        var stuck = StuckStagesCalculator.Compute(log, TimeWindow.Ending(asOf, StuckPeriod), options.Stalls, options.Conversion, filter);
        var stalled = StallCalculator.Compute(log, asOf, options.Stalls, filter);

        var monthTarget = settings.TargetWins ?? Math.Max(1, flow.Days.Where(d => d.Day >= firstDay).Sum(d => d.Totals.Wins));
        var wonThisMonth = flow.Days.Where(d => d.Day >= monthStart).Sum(d => d.Totals.Wins);

        // Read at the end of the month's last day, the month is over: its result is final and the forecast runs to the
        // end of the next month, which has the same target and no win yet.
        var closed = asOf >= EndOfMonth(settings.Day, settings.TimeZone);
        var forecastMonth = closed ? monthStart.AddMonths(1) : monthStart;
        var stillMissing = Math.Max(0, monthTarget - (closed ? 0 : wonThisMonth));
        var forecast = ForecastCalculator.Compute(log, asOf, options.Forecast, EndOfMonth(forecastMonth, settings.TimeZone), stillMissing, filter);

        return new DashboardReport(
            log.Pipeline,
            settings,
            StageCountsCalculator.Compute(log, asOf, filter),
            flow,
            DayFiguresOf(flow),
            speed,
            conversion,
            velocity,
            stuck,
            stalled,
            new MonthTarget(monthStart, monthTarget, wonThisMonth, closed, forecastMonth),
            forecast);
    }

    /// <summary>Monday to Friday.</summary>
    public static bool IsWorkingDay(DateOnly day) => day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);

    /// <summary>The instant the month of <paramref name="day"/> ends in the zone (the start of the next month's first day).</summary>
    public static DateTimeOffset EndOfMonth(DateOnly day, string timeZone) =>
        TimeZoneDays.StartOfDay(new DateOnly(day.Year, day.Month, 1).AddMonths(1), TimeZoneInfo.FindSystemTimeZoneById(timeZone));

    /// <summary>
    /// The instant <paramref name="day"/> ends in the zone: the start of the next day, as the flow ledger divides days
    /// (<see cref="TimeZoneDays"/>: after a skipped midnight, the end of the gap; of a repeated midnight, the first).
    /// </summary>
    public static DateTimeOffset EndOfDay(DateOnly day, string timeZone) => TimeZoneDays.Day(day, TimeZoneInfo.FindSystemTimeZoneById(timeZone)).End;

    private static List<DayFigures> DayFiguresOf(FlowLedger flow)
    {
        var today = flow.Days[^1];
        var previous = flow.Days.Take(flow.Days.Count - 1).Where(d => IsWorkingDay(d.Day)).TakeLast(WorkingDays).ToList();
        var figures = new List<DayFigures> { Figures(null, today.Totals, today.Stages, previous.Select(d => (d.Totals, d.Stages)).ToList()) };
        foreach (var owner in today.ByOwner)
        {
            var history = previous.Select(d => d.ByOwner.FirstOrDefault(o => o.Owner == owner.Owner) is { } o ? (o.Totals, o.Stages) : ((FlowTotals, IReadOnlyList<StageFlow>)?)null)
                .Where(x => x is not null).Select(x => x!.Value).ToList();
            figures.Add(Figures(owner.Owner, owner.Totals, owner.Stages, history, previous.Count));
        }

        return figures;
    }

    private static DayFigures Figures(OwnerId? owner, FlowTotals today, IReadOnlyList<StageFlow> stages, List<(FlowTotals Totals, IReadOnlyList<StageFlow> Stages)> previous, int? days = null)
    {
        // Days on which a manager had nothing to count are zeros, not missing days.
        var n = Math.Max(1, days ?? previous.Count);
        var average = new AverageTotals(
            n,
            previous.Sum(p => p.Totals.New) / (double)n,
            previous.Sum(p => p.Totals.ForwardMoves) / (double)n,
            previous.Sum(p => p.Totals.Regressions) / (double)n,
            previous.Sum(p => p.Totals.Wins) / (double)n,
            previous.Sum(p => p.Totals.Losses) / (double)n);
        var enteredAverage = stages.Select((_, s) => previous.Sum(p => p.Stages[s].Entered) / (double)n).ToList();
        return new DayFigures(owner, today, average, stages.Select(s => s.Entered).ToList(), enteredAverage);
    }
}
