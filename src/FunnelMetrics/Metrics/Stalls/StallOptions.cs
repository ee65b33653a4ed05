using System.ComponentModel.DataAnnotations;

namespace FunnelMetrics.Metrics;

/// <summary>
/// How stalled clients are detected: the idle clock and where thresholds come from. The <c>Stalls</c> section of the
/// options graph (<c>FunnelMetrics:Stalls</c> in configuration), taken as is by <see cref="StallCalculator"/>,
/// <see cref="StuckStagesCalculator"/> and <see cref="FunnelLiveView"/>. Validated when the host starts and by each
/// calculator it is given to; an invalid value throws naming the setting, such as <c>Stalls.DefaultThreshold</c>.
/// </summary>
public sealed class StallOptions
{
    /// <summary>The default of <see cref="Clock"/>: <see cref="StallClock.TimeInStage"/>.</summary>
    public const StallClock DefaultClock = StallClock.TimeInStage;

    /// <summary>The default of <see cref="DefaultThreshold"/>: 14 days.</summary>
    public static readonly TimeSpan DefaultThresholdValue = TimeSpan.FromDays(14);

    /// <summary>The default of <see cref="Percentile"/>: 90.</summary>
    public const double DefaultPercentile = 90;

    /// <summary>The default of <see cref="MinimumVisits"/>: 30.</summary>
    public const int DefaultMinimumVisits = 30;

    /// <summary>What a client's idle time is measured from: the start of its current stage visit, or its last transition or activity.</summary>
    /// <value>Default: <see cref="DefaultClock"/> (<see cref="StallClock.TimeInStage"/>).</value>
    public StallClock Clock { get; set; } = DefaultClock;

    /// <summary>
    /// Stall thresholds per stage key, for stages whose definition sets none; every key a valid stage key and every value
    /// strictly positive. Keys that are not stages of the pipeline are ignored. In configuration, a section such as
    /// <c>"StageThresholds": { "meeting": "7.00:00:00" }</c>.
    /// </summary>
    /// <value>Default: empty.</value>
    [Required]
    [PositiveDurations]
#pragma warning disable CA2227 // The configuration binder and object initializers set it.
    public Dictionary<string, TimeSpan> StageThresholds { get; set; } = new(StringComparer.Ordinal);
#pragma warning restore CA2227

    /// <summary>The stall threshold of a stage with no other source. From one second to 3650 days (ten years), both inclusive.</summary>
    /// <value>Default: <see cref="DefaultThresholdValue"/> (14 days).</value>
    [TimeSpanRange("00:00:01", "3650.00:00:00")]
    public TimeSpan DefaultThreshold { get; set; } = DefaultThresholdValue;

    /// <summary>The percentile of a stage's time in stage (Kaplan–Meier) used as its statistical stall threshold: greater than 0, at most 100.</summary>
    /// <value>Default: <see cref="DefaultPercentile"/> (90).</value>
    [Range(0d, 100d, MinimumIsExclusive = true)]
    public double Percentile { get; set; } = DefaultPercentile;

    /// <summary>How many completed visits a stage needs before its statistical threshold is used. From 1 to 1,000,000, both inclusive.</summary>
    /// <value>Default: <see cref="DefaultMinimumVisits"/> (30).</value>
    [Range(1, 1_000_000)]
    public int MinimumVisits { get; set; } = DefaultMinimumVisits;

    /// <summary>The options with every default, used when a calculator is given none; never changed.</summary>
    internal static StallOptions Defaults { get; } = new();

    /// <summary>
    /// The options to compute with: the defaults for <see langword="null"/>, else <paramref name="options"/> once validated.
    /// </summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the setting.</exception>
    internal static StallOptions Check(StallOptions? options, string paramName)
    {
        if (options is null)
        {
            return Defaults;
        }

        OptionsCheck.ThrowIfInvalidArgument(StallOptionsValidator.Instance, "Stalls", options, paramName);
        return options;
    }
}
