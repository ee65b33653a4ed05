namespace FunnelMetrics.Metrics;

/// <summary>One owner's bottleneck ranking: the same figures for the clients the owner has as of each window's end.</summary>
/// <param name="Owner">The owner.</param>
/// <param name="Stages">The owner's open stages, ranked.</param>
public sealed record OwnerStuckStages(OwnerId Owner, IReadOnlyList<StuckStage> Stages);
