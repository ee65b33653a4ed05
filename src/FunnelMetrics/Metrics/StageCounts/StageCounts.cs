namespace FunnelMetrics.Metrics;

/// <summary>
/// How many clients are at each stage as of an instant: a client is in stage s at T when its last transition at or before
/// T (ties: the higher sequence) put it there. Clients that have not entered by T are not counted.
/// </summary>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="AsOf">The instant counted, inclusive: events at exactly this instant are applied.</param>
/// <param name="Stages">Clients per stage, in pipeline order, the won stage included.</param>
/// <param name="InWork">Clients in open (non-won) stages: the clients in work.</param>
/// <param name="Won">Clients in the won stage.</param>
/// <param name="Lost">Clients lost (and not reopened) as of the instant.</param>
/// <param name="Entered">Clients that have entered by the instant: <c>InWork + Won + Lost</c>.</param>
/// <param name="ByOwner">The same per owner (the owner on the client's last event at or before the instant), ordered by owner id; owners with no client counted are left out.</param>
public sealed record StageCounts(PipelineId PipelineId, DateTimeOffset AsOf, IReadOnlyList<StageCount> Stages, int InWork, int Won, int Lost, int Entered, IReadOnlyList<OwnerStageCounts> ByOwner);
