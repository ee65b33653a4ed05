using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>How fast clients move in the window [<see cref="From"/>, <see cref="To"/>).</summary>
public sealed class Velocity : IEquatable<Velocity>
{
    [JsonConstructor]
    internal Velocity(
        PipelineId pipelineId,
        DateTimeOffset from,
        DateTimeOffset to,
        double days,
        IReadOnlyList<StageVelocity> stages,
        DurationStats cycleTime,
        IReadOnlyList<OwnerVelocity> byOwner,
        SalesVelocity salesVelocity,
        WorkingCalendar? calendar = null)
    {
        PipelineId = pipelineId;
        From = from;
        To = to;
        Days = days;
        Stages = stages;
        CycleTime = cycleTime;
        ByOwner = byOwner;
        SalesVelocity = salesVelocity;
        Calendar = calendar;
    }

    /// <summary>The pipeline.</summary>
    public PipelineId PipelineId { get; }

    /// <summary>The window's start, inclusive.</summary>
    public DateTimeOffset From { get; }

    /// <summary>The window's end, exclusive.</summary>
    public DateTimeOffset To { get; }

    /// <summary>The window's length in 24-hour days.</summary>
    public double Days { get; }

    /// <summary>Forward moves out of each stage, in pipeline order (the won stage has none).</summary>
    public IReadOnlyList<StageVelocity> Stages { get; }

    /// <summary>For each client won in the window and still won at its end (its closing event is a win in the window): the time from its first entry into the pipeline to that win.</summary>
    public DurationStats CycleTime { get; }

    /// <summary>Forward moves per owner, ordered by owner id; owners without moves are left out.</summary>
    public IReadOnlyList<OwnerVelocity> ByOwner { get; }

    /// <summary>The sales velocity formula over the window.</summary>
    public SalesVelocity SalesVelocity { get; }

    /// <summary>
    /// The working calendar the window's days and the cycle times were measured in (working time only: docs/metrics.md, "Working-hours clocks"),
    /// or <see langword="null"/> for elapsed time, the default; omitted from JSON when null.
    /// </summary>
    public WorkingCalendar? Calendar { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(Velocity? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && PipelineId.Equals(other.PipelineId)
            && From.Equals(other.From)
            && To.Equals(other.To)
            && Days.Equals(other.Days)
            && Equals(Calendar, other.Calendar)
            && ValueEquality.Sequence(Stages, other.Stages)
            && Equals(CycleTime, other.CycleTime)
            && ValueEquality.Sequence(ByOwner, other.ByOwner)
            && Equals(SalesVelocity, other.SalesVelocity));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Velocity);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(PipelineId, From, To, Days, Stages.Count, CycleTime, ByOwner.Count, SalesVelocity);
}
