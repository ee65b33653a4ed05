namespace FunnelMetrics.Metrics;

/// <summary>
/// A duration estimated with still-running visits counted (Kaplan–Meier): either a value, or, when too many visits are
/// still running for the estimate to fall to the level, only a lower bound ("more than <see cref="MoreThan"/>").
/// Both are <see langword="null"/> when there was nothing to estimate from.
/// </summary>
/// <param name="Value">The estimate, when the data reach it.</param>
/// <param name="MoreThan">When the data do not reach it: the longest duration observed, which the estimate exceeds.</param>
public sealed record DurationEstimate(TimeSpan? Value, TimeSpan? MoreThan)
{
    /// <summary>No estimate: no visits at all.</summary>
    public static DurationEstimate None { get; } = new(null, null);
}
