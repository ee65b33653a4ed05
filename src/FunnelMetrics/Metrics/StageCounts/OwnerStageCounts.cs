namespace FunnelMetrics.Metrics;

/// <summary>One owner's share of <see cref="StageCounts"/>: the clients whose owner, as of the instant, is this owner.</summary>
/// <param name="Owner">The owner.</param>
/// <param name="Stages">Clients per stage, in pipeline order, the won stage included.</param>
/// <param name="InWork">Clients in open (non-won) stages.</param>
/// <param name="Won">Clients in the won stage.</param>
/// <param name="Lost">Clients lost.</param>
public sealed record OwnerStageCounts(OwnerId Owner, IReadOnlyList<StageCount> Stages, int InWork, int Won, int Lost);
