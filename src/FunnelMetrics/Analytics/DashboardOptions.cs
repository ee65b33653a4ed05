using System.ComponentModel.DataAnnotations;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Analytics;

/// <summary>
/// How <see cref="FunnelDashboard"/> reads the pipeline: which days are working days, how many of them today is
/// compared with, the windows of the speed and stuck-stage figures, and how many overdue clients it lists. Bound from
/// <c>FunnelMetrics:Dashboard</c>.
/// </summary>
public sealed class DashboardOptions
{
    /// <summary>The most previous working days an average may cover: 366.</summary>
    public const int MaxWorkingDays = 366;

    /// <summary>The most overdue clients a dashboard lists: 1,000.</summary>
    public const int MaxOverdueClients = 1000;

    /// <summary>How many working days before today the "average per working day" covers.</summary>
    /// <value>Default: 20 (about a month). From 1 to <see cref="MaxWorkingDays"/>.</value>
    [Range(1, MaxWorkingDays)]
    public int WorkingDays { get; set; } = 20;

    /// <summary>
    /// The days of the week that are working days, in the time zone of the options graph
    /// (<see cref="FunnelMetricsOptions.TimeZone"/>), written in configuration as <c>"Monday, Tuesday, Wednesday"</c>.
    /// </summary>
    /// <value>Default: <see cref="Weekdays.MondayToFriday"/>. Must hold at least one day.</value>
    [WeekdaySet]
    public Weekdays WorkingWeekdays { get; set; } = Weekdays.MondayToFriday;

    /// <summary>
    /// The window of time in stage, conversion and velocity: the span before the dashboard's instant,
    /// <c>[asOf - SpeedWindow, asOf)</c>.
    /// </summary>
    /// <value>Default: 90 days. From 1 second to 3,650 days.</value>
    [TimeSpanRange("00:00:01", "3650.00:00:00")]
    public TimeSpan SpeedWindow { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// The period the stuck-stage ranking compares: the span before the dashboard's instant against the span before it
    /// (<see cref="Metrics.StuckStagesCalculator"/>).
    /// </summary>
    /// <value>Default: 14 days. From 1 second to 3,650 days.</value>
    [TimeSpanRange("00:00:01", "3650.00:00:00")]
    public TimeSpan StuckPeriod { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How many of the stalled clients, the most overdue first, the dashboard lists in <see cref="DashboardStalls.MostOverdue"/>.</summary>
    /// <value>Default: 10. From 0 to <see cref="MaxOverdueClients"/>; the whole list is a drill-down away.</value>
    [Range(0, MaxOverdueClients)]
    public int OverdueClients { get; set; } = 10;

    /// <summary>The most periods the dashboard's trends may cover: 104.</summary>
    public const int MaxTrendPeriods = 104;

    /// <summary>
    /// The periods of the dashboard's trends (<see cref="FunnelDashboard.Trends"/>): time in stage, conversion and drop-off
    /// per ISO week (or day, or month) of entry, in the time zone of the options graph.
    /// </summary>
    /// <value>Default: <see cref="CohortPeriod.Week"/>.</value>
    [EnumDataType(typeof(CohortPeriod))]
    public CohortPeriod TrendPeriod { get; set; } = CohortPeriod.Week;

    /// <summary>
    /// How many periods the trends show, the current one (up to the dashboard's instant) last: the window starts at the
    /// beginning of the period <c>TrendPeriods - 1</c> periods before the current one.
    /// </summary>
    /// <value>Default: 13 (a quarter of weeks). From 1 to <see cref="MaxTrendPeriods"/>.</value>
    [Range(1, MaxTrendPeriods)]
    public int TrendPeriods { get; set; } = 13;

    /// <summary>Whether <paramref name="day"/> is one of <see cref="WorkingWeekdays"/>.</summary>
    /// <param name="day">The local calendar day.</param>
    /// <returns><see langword="true"/> for a working day.</returns>
    public bool IsWorkingDay(DateOnly day) => (WorkingWeekdays & WeekdaysOf(day.DayOfWeek)) != 0;

    /// <summary>The flag of one day of the week.</summary>
    /// <param name="day">The day of the week.</param>
    /// <returns>Its flag.</returns>
    public static Weekdays WeekdaysOf(DayOfWeek day) => (Weekdays)(1 << (((int)day + 6) % 7));

    /// <summary>Checks the options, naming the setting that is out of range by its path under the options graph.</summary>
    /// <param name="options">The options.</param>
    /// <param name="path">The settings' path, such as <c>Dashboard</c>.</param>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    internal static void Check(DashboardOptions options, string path)
    {
        if (options.WorkingDays is < 1 or > MaxWorkingDays)
        {
            throw new ArgumentException($"{path}.WorkingDays is {options.WorkingDays}; it must be from 1 to {MaxWorkingDays}.", nameof(options));
        }

        if ((options.WorkingWeekdays & Weekdays.All) == 0 || (options.WorkingWeekdays & ~Weekdays.All) != 0)
        {
            throw new ArgumentException($"{path}.WorkingWeekdays is '{options.WorkingWeekdays}'; it must name at least one day of the week and nothing else.", nameof(options));
        }

        if (options.SpeedWindow < TimeSpan.FromSeconds(1) || options.SpeedWindow > TimeSpan.FromDays(3650))
        {
            throw new ArgumentException($"{path}.SpeedWindow is {options.SpeedWindow}; it must be from 1 second to 3,650 days.", nameof(options));
        }

        if (options.StuckPeriod < TimeSpan.FromSeconds(1) || options.StuckPeriod > TimeSpan.FromDays(3650))
        {
            throw new ArgumentException($"{path}.StuckPeriod is {options.StuckPeriod}; it must be from 1 second to 3,650 days.", nameof(options));
        }

        if (options.OverdueClients is < 0 or > MaxOverdueClients)
        {
            throw new ArgumentException($"{path}.OverdueClients is {options.OverdueClients}; it must be from 0 to {MaxOverdueClients}.", nameof(options));
        }

        if (!Enum.IsDefined(options.TrendPeriod))
        {
            throw new ArgumentException($"{path}.TrendPeriod is '{options.TrendPeriod}'; it must be Day, Week or Month.", nameof(options));
        }

        if (options.TrendPeriods is < 1 or > MaxTrendPeriods)
        {
            throw new ArgumentException($"{path}.TrendPeriods is {options.TrendPeriods}; it must be from 1 to {MaxTrendPeriods}.", nameof(options));
        }
    }
}
