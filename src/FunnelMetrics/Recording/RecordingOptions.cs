using System.ComponentModel.DataAnnotations;

namespace FunnelMetrics.Recording;

/// <summary>
/// How <see cref="FunnelRecorder"/> and <c>FunnelImporter</c> check what they write: the <c>Recording</c> section of the
/// options graph (<c>FunnelMetrics:Recording</c> in configuration). Validated when the host starts, and by the recorder and
/// importer themselves when built by hand; an invalid value throws naming the setting, such as <c>Recording.FutureTolerance</c>.
/// </summary>
public sealed class RecordingOptions
{
    /// <summary>The default of <see cref="FutureTolerance"/>: five minutes.</summary>
    public static readonly TimeSpan DefaultFutureTolerance = TimeSpan.FromMinutes(5);

    /// <summary>The default of <see cref="ConcurrencyRetries"/>: 0, the losing writer gets the exception.</summary>
    public const int DefaultConcurrencyRetries = 0;

    /// <summary>
    /// How far after "now" (from the <see cref="TimeProvider"/>) an event's instant may be, to absorb clock skew
    /// between the CRM's machines. From zero to one day, both inclusive.
    /// </summary>
    /// <value>Default: <see cref="DefaultFutureTolerance"/> (5 minutes).</value>
    [TimeSpanRange("00:00:00", "1.00:00:00")]
    public TimeSpan FutureTolerance { get; set; } = DefaultFutureTolerance;

    /// <summary>
    /// How many times the recorder retries a write that lost a version race to another writer of the same client.
    /// Each retry reads the client's history again and re-checks every rule against it, so a retry never records a
    /// move the new state forbids; but a move asked as "stage 2 to 4" may then be recorded as "stage 3 to 4". With 0,
    /// the losing writer gets a <see cref="ConcurrencyConflictException"/>. From 0 to 10, both inclusive.
    /// </summary>
    /// <value>Default: <see cref="DefaultConcurrencyRetries"/> (0).</value>
    [Range(0, 10)]
    public int ConcurrencyRetries { get; set; } = DefaultConcurrencyRetries;
}
