namespace FunnelMetrics.Metrics;

/// <summary>One open stage in the bottleneck ranking.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Rank">1 for the stage where most clients wait too long.</param>
/// <param name="Score"><c>Current.Stalled + (Current.StalledShare ?? 0)</c>: the number of stalled clients, with the share (at most 1) breaking ties.</param>
/// <param name="Current">The figures for the window ending at the instant.</param>
/// <param name="Previous">The same for the window one period earlier.</param>
/// <param name="Change"><c>Current</c> minus <c>Previous</c>.</param>
public sealed record StuckStage(StageId Stage, int Rank, double Score, StageFigures Current, StageFigures Previous, StageChange Change);
