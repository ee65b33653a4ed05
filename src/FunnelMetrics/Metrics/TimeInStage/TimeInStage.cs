using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// Time in stage over a window. A visit is the half-open interval [arrival, departure) of one client in one stage;
/// it begins with the transition that brought the client into the stage and ends with the client's next transition
/// (activities and reassignments do not end it). A re-entry starts a new visit; a skipped stage has no visit. Visits
/// count when they began in the window [<see cref="From"/>, <see cref="AsOf"/>), read from the events before
/// <see cref="AsOf"/>; a visit not ended before <see cref="AsOf"/> is open, measured up to it.
/// The won stage is terminal: its entry is present, so every result lists the same stages, but always empty.
/// </summary>
public sealed class TimeInStage : IEquatable<TimeInStage>
{
    [JsonConstructor]
    internal TimeInStage(PipelineId pipelineId, DateTimeOffset? from, DateTimeOffset asOf, IReadOnlyList<StageTime> stages, WorkingCalendar? calendar = null)
    {
        PipelineId = pipelineId;
        From = from;
        AsOf = asOf;
        Stages = stages;
        Calendar = calendar;
    }

    /// <summary>The pipeline.</summary>
    public PipelineId PipelineId { get; }

    /// <summary>The window's start, inclusive: only visits that began at or after it; <see langword="null"/> for a window with no start (<see cref="TimeWindow.Until"/>).</summary>
    public DateTimeOffset? From { get; }

    /// <summary>The window's end, exclusive: events at or after it are ignored and running visits are measured up to it.</summary>
    public DateTimeOffset AsOf { get; }

    /// <summary>One entry per stage, in pipeline order, the won stage's empty.</summary>
    public IReadOnlyList<StageTime> Stages { get; }

    /// <summary>
    /// The working calendar the visits were measured in (working time only: docs/metrics.md, "Working-hours clocks"),
    /// or <see langword="null"/> for elapsed time, the default; omitted from JSON when null.
    /// </summary>
    public WorkingCalendar? Calendar { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(TimeInStage? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && PipelineId.Equals(other.PipelineId)
            && Nullable.Equals(From, other.From)
            && AsOf.Equals(other.AsOf)
            && Equals(Calendar, other.Calendar)
            && ValueEquality.Sequence(Stages, other.Stages));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TimeInStage);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(PipelineId, From, AsOf, Stages.Count);
}
