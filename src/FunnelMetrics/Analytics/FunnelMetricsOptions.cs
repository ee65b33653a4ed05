using System.ComponentModel.DataAnnotations;
using FunnelMetrics.Forecasting;
using FunnelMetrics.Metrics;
using FunnelMetrics.Recording;
using Microsoft.Extensions.Options;

namespace FunnelMetrics.Analytics;

/// <summary>
/// All settings of FunnelMetrics as one graph, bound from the <c>FunnelMetrics</c> configuration section (nested sections
/// such as <c>FunnelMetrics:Stalls:DefaultThreshold</c>) or set in code, and validated as a whole when the host starts.
/// Each member is the options type of the layer that uses it, passed to it as is: <see cref="Recording"/> to the recorder
/// and the importer, <see cref="Stalls"/>, <see cref="Conversion"/>, <see cref="Parallelism"/> and <see cref="Forecast"/> to the calculators, and the
/// whole graph to <see cref="FunnelAnalytics"/>. An invalid value throws naming the setting by its path, such as
/// <c>Stalls.DefaultThreshold</c>.
/// </summary>
public sealed class FunnelMetricsOptions
{
    /// <summary>The configuration section the options are usually bound from: <c>FunnelMetrics</c>.</summary>
    public const string SectionName = "FunnelMetrics";

    /// <summary>The default of <see cref="TimeZone"/>: <c>UTC</c>.</summary>
    public const string DefaultTimeZone = "UTC";

    /// <summary>How the recorder and the importer check what they write: the future tolerance and concurrency retries.</summary>
    /// <value>Default: a new <see cref="RecordingOptions"/>, every value at its default.</value>
    [Required]
    [ValidateObjectMembers(typeof(RecordingOptionsValidator))]
    public RecordingOptions Recording { get; set; } = new();

    /// <summary>
    /// The IANA id of the time zone whose days divide daily metrics (the flow ledger, "today" in
    /// <see cref="FunnelAnalytics.GetFlowLedgerAsync"/>), such as <c>Europe/Sofia</c>; days follow that zone through
    /// daylight-saving changes as <see cref="TimeZoneDays"/> defines them. Must be known to the system.
    /// </summary>
    /// <value>Default: <see cref="DefaultTimeZone"/> (<c>UTC</c>).</value>
    [Required]
    [TimeZoneId]
    public string TimeZone { get; set; } = DefaultTimeZone;

    /// <summary>How conversion reads forward jumps over stages.</summary>
    /// <value>Default: a new <see cref="ConversionOptions"/>, every value at its default.</value>
    [Required]
    public ConversionOptions Conversion { get; set; } = new();

    /// <summary>How stalled clients are detected: the idle clock and the thresholds.</summary>
    /// <value>Default: a new <see cref="StallOptions"/>, every value at its default.</value>
    [Required]
    [ValidateObjectMembers(typeof(StallOptionsValidator))]
    public StallOptions Stalls { get; set; } = new();

    /// <summary>
    /// How many threads the calculators fold a log's clients on: stage counts, the flow ledger, time in stage,
    /// conversion and stalled clients split large logs into client ranges and merge the parts exactly, so the answers
    /// are the same whatever the degree.
    /// </summary>
    /// <value>Default: a new <see cref="ParallelismOptions"/>, every value at its default (as many threads as processors).</value>
    [Required]
    [ValidateObjectMembers(typeof(ParallelismOptionsValidator))]
    public ParallelismOptions Parallelism { get; set; } = new();

    /// <summary>How <see cref="FunnelDashboard"/> reads the pipeline: working days, the speed window, the stuck period, the overdue clients listed.</summary>
    /// <value>Default: a new <see cref="DashboardOptions"/>, every value at its default.</value>
    [Required]
    [ValidateObjectMembers(typeof(DashboardOptionsValidator))]
    public DashboardOptions Dashboard { get; set; } = new();

    /// <summary>
    /// The working calendar, in <see cref="TimeZone"/>: when enabled, time in stage, stall clocks and thresholds, the stuck
    /// stages, cycle time and velocity count only working time (docs/metrics.md, "Working-hours clocks").
    /// </summary>
    /// <value>Default: a new <see cref="WorkingCalendarOptions"/>, not enabled: elapsed time.</value>
    [Required]
    [ValidateObjectMembers(typeof(WorkingCalendarOptionsValidator))]
    public WorkingCalendarOptions WorkingCalendar { get; set; } = new();

    /// <summary>How forecasts are estimated: the history window, the minimum departures, intake.</summary>
    /// <value>Default: a new <see cref="ForecastOptions"/>, every value at its default.</value>
    [Required]
    [ValidateObjectMembers(typeof(ForecastOptionsValidator))]
    public ForecastOptions Forecast { get; set; } = new();
}
