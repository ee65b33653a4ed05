namespace FunnelMetrics.Metrics;

/// <summary>One owner's forward moves in the window, counted for the owner on each move.</summary>
/// <param name="Owner">The owner.</param>
/// <param name="ForwardMoves">Advances, skips and wins in the window.</param>
/// <param name="PerDay"><c>ForwardMoves</c> per 24-hour day of the window.</param>
public sealed record OwnerVelocity(OwnerId Owner, int ForwardMoves, double PerDay);
