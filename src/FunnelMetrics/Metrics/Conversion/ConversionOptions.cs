namespace FunnelMetrics.Metrics;

/// <summary>
/// How conversion reads the clients' moves: the <c>Conversion</c> section of the options graph
/// (<c>FunnelMetrics:Conversion</c> in configuration), taken as is by <see cref="ConversionCalculator"/> and
/// <see cref="StuckStagesCalculator"/>.
/// </summary>
public sealed class ConversionOptions
{
    /// <summary>The default of <see cref="SkippedStagesCountAsPassed"/>: <see langword="true"/>.</summary>
    public const bool DefaultSkippedStagesCountAsPassed = true;

    /// <summary>
    /// Whether a forward jump over stages counts as having reached (and at once left) the stages jumped over, for conversion.
    /// Skipped stages never contribute a visit to time in stage either way.
    /// </summary>
    /// <value>Default: <see cref="DefaultSkippedStagesCountAsPassed"/> (<see langword="true"/>).</value>
    public bool SkippedStagesCountAsPassed { get; set; } = DefaultSkippedStagesCountAsPassed;

    /// <summary>The options with every default, used when a calculator is given none; never changed.</summary>
    internal static ConversionOptions Defaults { get; } = new();
}
