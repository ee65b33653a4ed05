namespace FunnelMetrics.Metrics;

/// <summary>One owner's stalled clients.</summary>
/// <param name="Owner">The owner (as of the instant).</param>
/// <param name="Clients">The owner's open clients.</param>
/// <param name="Stalled">Of them, the stalled ones.</param>
/// <param name="Share"><c>Stalled / Clients</c>, or <see langword="null"/> when the owner has no open client.</param>
/// <param name="Stages">The same per stage, in pipeline order.</param>
public sealed record OwnerStall(OwnerId Owner, int Clients, int Stalled, double? Share, IReadOnlyList<StageStall> Stages);
