namespace FunnelMetrics.Metrics;

/// <summary>How fast clients move in the window [<see cref="From"/>, <see cref="To"/>).</summary>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="From">The window's start, inclusive.</param>
/// <param name="To">The window's end, exclusive.</param>
/// <param name="Days">The window's length in 24-hour days.</param>
/// <param name="Stages">Forward moves out of each stage, in pipeline order (the won stage has none).</param>
/// <param name="CycleTime">For each client won in the window and still won at its end (its closing event is a win in the window): the time from its first entry into the pipeline to that win.</param>
/// <param name="ByOwner">Forward moves per owner, ordered by owner id; owners without moves are left out.</param>
/// <param name="SalesVelocity">The sales velocity formula over the window.</param>
public sealed record Velocity(PipelineId PipelineId, DateTimeOffset From, DateTimeOffset To, double Days, IReadOnlyList<StageVelocity> Stages, DurationStats CycleTime, IReadOnlyList<OwnerVelocity> ByOwner, SalesVelocity SalesVelocity);
