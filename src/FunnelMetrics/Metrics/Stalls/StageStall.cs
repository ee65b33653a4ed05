namespace FunnelMetrics.Metrics;

/// <summary>Stalled clients in one stage.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Clients">Open clients in the stage (after the filter).</param>
/// <param name="Stalled">Of them, the stalled ones.</param>
/// <param name="Share"><c>Stalled / Clients</c>, or <see langword="null"/> when the stage is empty.</param>
/// <param name="Threshold">The stage's threshold, or <see langword="null"/> for the won stage, where nobody stalls.</param>
/// <param name="Source">Where the threshold came from, or <see langword="null"/> for the won stage.</param>
public sealed record StageStall(StageId Stage, int Clients, int Stalled, double? Share, TimeSpan? Threshold, StallThresholdSource? Source);
