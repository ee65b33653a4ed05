namespace FunnelMetrics.Metrics;

/// <summary>
/// The clients stuck as of an instant: open clients whose idle time is strictly greater than their stage's threshold
/// (equal is not stalled).
/// </summary>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="AsOf">The instant, inclusive.</param>
/// <param name="Clock">What idle time was measured from.</param>
/// <param name="Thresholds">The threshold of every open stage, in pipeline order, with its source.</param>
/// <param name="Clients">The stalled clients, most overdue first (ties by client id).</param>
/// <param name="ByStage">Open clients and stalled ones per stage, in pipeline order (the won stage's entry is empty).</param>
/// <param name="ByOwner">The same per owner, ordered by owner id; owners without open clients are left out.</param>
public sealed record StalledClients(PipelineId PipelineId, DateTimeOffset AsOf, StallClock Clock, IReadOnlyList<StallThreshold> Thresholds, IReadOnlyList<StalledClient> Clients, IReadOnlyList<StageStall> ByStage, IReadOnlyList<OwnerStall> ByOwner);
