namespace FunnelMetrics.Metrics;

/// <summary>One calendar day of the <see cref="FlowLedger"/>: the half-open interval [<see cref="Start"/>, <see cref="End"/>) between two local midnights.</summary>
/// <param name="Day">The local calendar date.</param>
/// <param name="Start">The day's first instant (local midnight, or the end of a daylight-saving gap that swallowed it), in UTC.</param>
/// <param name="End">The next day's first instant, exclusive, in UTC. A day is 23, 24 or 25 hours long around daylight-saving changes.</param>
/// <param name="Stages">One row per stage, all owners together, in pipeline order.</param>
/// <param name="Totals">The day's totals, all owners together.</param>
/// <param name="ByOwner">The same per owner, ordered by owner id; owners with nothing in the day and nobody at the end of it are left out.</param>
public sealed record FlowDay(DateOnly Day, DateTimeOffset Start, DateTimeOffset End, IReadOnlyList<StageFlow> Stages, FlowTotals Totals, IReadOnlyList<OwnerFlow> ByOwner);
