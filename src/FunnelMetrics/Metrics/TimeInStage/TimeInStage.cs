namespace FunnelMetrics.Metrics;

/// <summary>
/// Time in stage over a window. A visit is the half-open interval [arrival, departure) of one client in one stage;
/// it begins with the transition that brought the client into the stage and ends with the client's next transition
/// (activities and reassignments do not end it). A re-entry starts a new visit; a skipped stage has no visit. Visits
/// count when they began in the window [<see cref="From"/>, <see cref="AsOf"/>), read from the events before
/// <see cref="AsOf"/>; a visit not ended before <see cref="AsOf"/> is open, measured up to it.
/// The won stage is terminal: its entry is present, so every result lists the same stages, but always empty.
/// </summary>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="From">The window's start, inclusive: only visits that began at or after it; <see langword="null"/> for a window with no start (<see cref="TimeWindow.Until"/>).</param>
/// <param name="AsOf">The window's end, exclusive: events at or after it are ignored and running visits are measured up to it.</param>
/// <param name="Stages">One entry per stage, in pipeline order, the won stage's empty.</param>
public sealed record TimeInStage(PipelineId PipelineId, DateTimeOffset? From, DateTimeOffset AsOf, IReadOnlyList<StageTime> Stages);
