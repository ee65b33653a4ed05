using System.ComponentModel.DataAnnotations;
using FunnelMetrics.DependencyInjection;
using FunnelMetrics.Metrics;

namespace FunnelMetrics;

/// <summary>
/// Settings of FunnelMetrics, bound from the <c>FunnelMetrics</c> configuration section or set in code, and
/// validated when the host starts.
/// </summary>
public sealed class FunnelMetricsOptions
{
    /// <summary>The configuration section the options are usually bound from: <c>FunnelMetrics</c>.</summary>
    public const string SectionName = "FunnelMetrics";

    /// <summary>The default of <see cref="FutureTolerance"/>: five minutes.</summary>
    public static readonly TimeSpan DefaultFutureTolerance = TimeSpan.FromMinutes(5);

    /// <summary>The default of <see cref="DefaultStallThreshold"/>: 14 days.</summary>
    public static readonly TimeSpan DefaultStallThresholdValue = TimeSpan.FromDays(14);

    /// <summary>The default of <see cref="StallPercentile"/>: 90.</summary>
    public const double DefaultStallPercentile = 90;

    /// <summary>The default of <see cref="StallMinimumVisits"/>: 30.</summary>
    public const int DefaultStallMinimumVisits = 30;

    /// <summary>The default of <see cref="ForecastHistoryWindow"/>: 180 days.</summary>
    public static readonly TimeSpan DefaultForecastHistoryWindow = TimeSpan.FromDays(180);

    /// <summary>The default of <see cref="ForecastMinimumDepartures"/>: 10.</summary>
    public const int DefaultForecastMinimumDepartures = 10;

    /// <summary>The default of <see cref="TimeZone"/>: <c>UTC</c>.</summary>
    public const string DefaultTimeZone = "UTC";

    /// <summary>The default of <see cref="ConcurrencyRetries"/>: 0, the losing writer gets the exception.</summary>
    public const int DefaultConcurrencyRetries = 0;

    /// <summary>
    /// How far after "now" (from the <see cref="TimeProvider"/>) an event's instant may be, to absorb clock skew
    /// between the CRM's machines. From zero to one day inclusive.
    /// </summary>
    /// <value>Default: <see cref="DefaultFutureTolerance"/> (5 minutes).</value>
    [TimeSpanRange("00:00:00", "1.00:00:00")]
    public TimeSpan FutureTolerance { get; set; } = DefaultFutureTolerance;

    /// <summary>
    /// How many times the recorder retries a write that lost a version race to another writer of the same client.
    /// Each retry reads the client's history again and re-checks every rule against it, so a retry never records a
    /// move the new state forbids; but a move asked as "stage 2 to 4" may then be recorded as "stage 3 to 4". With 0,
    /// the losing writer gets a <see cref="ConcurrencyConflictException"/>. From 0 to 10 inclusive.
    /// </summary>
    /// <value>Default: <see cref="DefaultConcurrencyRetries"/> (0).</value>
    [Range(0, 10)]
    public int ConcurrencyRetries { get; set; } = DefaultConcurrencyRetries;

    /// <summary>
    /// The IANA id of the time zone whose midnights divide calendar days for daily metrics (the flow ledger), such as
    /// <c>Europe/Sofia</c>; days follow that zone through daylight-saving changes. Must be known to the system.
    /// </summary>
    /// <value>Default: <see cref="DefaultTimeZone"/> (<c>UTC</c>).</value>
    [Required]
    [TimeZoneId]
    public string TimeZone { get; set; } = DefaultTimeZone;

    /// <summary>
    /// Whether a forward jump over stages counts as having reached the stages jumped over, for conversion. Skipped
    /// stages never contribute a visit to time in stage either way.
    /// </summary>
    /// <value>Default: <see langword="true"/>.</value>
    public bool SkippedStagesCountAsPassed { get; set; } = true;

    /// <summary>What a client's idle time is measured from when detecting stalled clients.</summary>
    /// <value>Default: <see cref="Metrics.StallClock.TimeInStage"/>.</value>
    public StallClock StallClock { get; set; } = StallClock.TimeInStage;

    /// <summary>
    /// Stall thresholds per stage key, for stages whose definition sets none; each strictly positive. In configuration,
    /// a section such as <c>"StallThresholds": { "meeting": "7.00:00:00" }</c>.
    /// </summary>
    /// <value>Default: empty.</value>
    [PositiveDurations]
    public Dictionary<string, TimeSpan> StallThresholds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The stall threshold of a stage with no other source. From one second to ten years inclusive.</summary>
    /// <value>Default: <see cref="DefaultStallThresholdValue"/> (14 days).</value>
    [TimeSpanRange("00:00:01", "3650.00:00:00")]
    public TimeSpan DefaultStallThreshold { get; set; } = DefaultStallThresholdValue;

    /// <summary>The percentile of a stage's time in stage used as its statistical stall threshold, greater than 0 and at most 100.</summary>
    /// <value>Default: <see cref="DefaultStallPercentile"/> (90).</value>
    [Range(0d, 100d, MinimumIsExclusive = true)]
    public double StallPercentile { get; set; } = DefaultStallPercentile;

    /// <summary>How many completed visits a stage needs before its statistical threshold is used. From 1 to 1,000,000.</summary>
    /// <value>Default: <see cref="DefaultStallMinimumVisits"/> (30).</value>
    [Range(1, 1_000_000)]
    public int StallMinimumVisits { get; set; } = DefaultStallMinimumVisits;

    /// <summary>How far back departures are read to estimate forecast rates. From one day to ten years inclusive.</summary>
    /// <value>Default: <see cref="DefaultForecastHistoryWindow"/> (180 days).</value>
    [TimeSpanRange("1.00:00:00", "3650.00:00:00")]
    public TimeSpan ForecastHistoryWindow { get; set; } = DefaultForecastHistoryWindow;

    /// <summary>How many departures a stage needs for its own forecast rates. From 1 to 1,000,000.</summary>
    /// <value>Default: <see cref="DefaultForecastMinimumDepartures"/> (10).</value>
    [Range(1, 1_000_000)]
    public int ForecastMinimumDepartures { get; set; } = DefaultForecastMinimumDepartures;

    /// <summary>Whether horizon forecasts add future intake at the recent daily rate of new clients at the first stage.</summary>
    /// <value>Default: <see langword="false"/>.</value>
    public bool ForecastIncludesIntake { get; set; }
}
