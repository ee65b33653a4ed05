namespace FunnelMetrics.Metrics;

/// <summary>The stall threshold of one stage and where it came from.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Threshold">How long a client may be idle in the stage; idle time strictly greater is stalled.</param>
/// <param name="Source">Where the threshold came from.</param>
public sealed record StallThreshold(StageId Stage, TimeSpan Threshold, StallThresholdSource Source);
