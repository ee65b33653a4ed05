using System.ComponentModel.DataAnnotations;
using FunnelMetrics.DependencyInjection;

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
}
