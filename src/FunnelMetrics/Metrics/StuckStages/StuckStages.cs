namespace FunnelMetrics.Metrics;

/// <summary>
/// Where clients get stuck: every open stage with its clients, stalled clients, time in stage and conversion over the
/// window [<see cref="AsOf"/> - <see cref="Period"/>, <see cref="AsOf"/>), the same for the window just before it, and a ranking
/// that puts the stage where most clients wait too long first.
/// </summary>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="AsOf">The current window's end, exclusive: its figures come from the events before it.</param>
/// <param name="Period">The window's length; the previous window is [<c>AsOf - 2 Period</c>, <c>AsOf - Period</c>).</param>
/// <param name="Stages">The open stages, ranked: by <see cref="StuckStage.Score"/> descending, then by the 90th percentile of time in stage (longer first, "more than" as its bound), then in pipeline order.</param>
/// <param name="ByOwner">The same per owner, ordered by owner id; owners with no client in work at the instant are left out.</param>
public sealed record StuckStages(PipelineId PipelineId, DateTimeOffset AsOf, TimeSpan Period, IReadOnlyList<StuckStage> Stages, IReadOnlyList<OwnerStuckStages> ByOwner);
