using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// Where clients get stuck: every open stage with its clients, stalled clients, time in stage and conversion over the
/// window [<see cref="AsOf"/> - <see cref="Period"/>, <see cref="AsOf"/>), the same for the window just before it, and a ranking
/// that puts the stage where most clients wait too long first.
/// </summary>
public sealed class StuckStages : IEquatable<StuckStages>
{
    [JsonConstructor]
    internal StuckStages(
        PipelineId pipelineId,
        DateTimeOffset asOf,
        TimeSpan period,
        IReadOnlyList<StuckStage> stages,
        IReadOnlyList<OwnerStuckStages> byOwner,
        WorkingCalendar? calendar = null)
    {
        PipelineId = pipelineId;
        AsOf = asOf;
        Period = period;
        Stages = stages;
        ByOwner = byOwner;
        Calendar = calendar;
    }

    /// <summary>The pipeline.</summary>
    public PipelineId PipelineId { get; }

    /// <summary>The current window's end, exclusive: its figures come from the events before it.</summary>
    public DateTimeOffset AsOf { get; }

    /// <summary>The windows' length; the previous window is [<c>AsOf - 2 Period</c>, <c>AsOf - Period</c>).</summary>
    public TimeSpan Period { get; }

    /// <summary>The open stages, ranked: by <see cref="StuckStage.Score"/> descending, then by the 90th percentile of time in stage (longer first, "more than" as its bound), then in pipeline order.</summary>
    public IReadOnlyList<StuckStage> Stages { get; }

    /// <summary>The same per owner, ordered by owner id; owners with no client in work at the current window's end are left out.</summary>
    public IReadOnlyList<OwnerStuckStages> ByOwner { get; }

    /// <summary>
    /// The working calendar idle times, thresholds and times in stage were measured in (working time only: docs/metrics.md, "Working-hours clocks"),
    /// or <see langword="null"/> for elapsed time, the default; omitted from JSON when null.
    /// </summary>
    public WorkingCalendar? Calendar { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(StuckStages? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && PipelineId.Equals(other.PipelineId)
            && AsOf.Equals(other.AsOf)
            && Period.Equals(other.Period)
            && Equals(Calendar, other.Calendar)
            && ValueEquality.Sequence(Stages, other.Stages)
            && ValueEquality.Sequence(ByOwner, other.ByOwner));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StuckStages);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(PipelineId, AsOf, Period, Stages.Count, ByOwner.Count);
}
