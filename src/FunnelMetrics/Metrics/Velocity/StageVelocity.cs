namespace FunnelMetrics.Metrics;

/// <summary>Forward moves out of one stage in the window.</summary>
/// <param name="Stage">The stage moved out of.</param>
/// <param name="ForwardMoves">Advances, skips and wins out of the stage in the window.</param>
/// <param name="PerDay"><c>ForwardMoves</c> divided by the window's length in days (24-hour days).</param>
public sealed record StageVelocity(StageId Stage, int ForwardMoves, double PerDay);
