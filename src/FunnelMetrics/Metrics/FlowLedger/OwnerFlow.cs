namespace FunnelMetrics.Metrics;

/// <summary>One owner's movements in one day. Each event counts for the owner on it (a departure for the owner before it).</summary>
/// <param name="Owner">The owner.</param>
/// <param name="Stages">One row per stage, in pipeline order.</param>
/// <param name="Totals">The owner's totals for the day.</param>
public sealed record OwnerFlow(OwnerId Owner, IReadOnlyList<StageFlow> Stages, FlowTotals Totals);
