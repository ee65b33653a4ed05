namespace FunnelMetrics.Metrics;

/// <summary>
/// One owner's bottleneck ranking: the same figures under an owner filter, so each figure keeps what its calculator
/// attributes to the owner: stalled clients by the owner as of the window's end, time in stage by the owner on the
/// transition that began the visit, conversion by the owner when the client first reached the stage.
/// </summary>
/// <param name="Owner">The owner.</param>
/// <param name="Stages">The owner's open stages, ranked.</param>
public sealed record OwnerStuckStages(OwnerId Owner, IReadOnlyList<StuckStage> Stages);
