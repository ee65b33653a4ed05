using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// How many clients are at each stage as of an instant: a client is in stage s at T when its last transition at or before
/// T (ties: the higher sequence) put it there. Clients that have not entered by T are not counted.
/// </summary>
public sealed class StageCounts : IEquatable<StageCounts>
{
    [JsonConstructor]
    internal StageCounts(
        PipelineId pipelineId,
        DateTimeOffset asOf,
        IReadOnlyList<StageCount> stages,
        int inWork,
        int won,
        int lost,
        int entered,
        IReadOnlyList<OwnerStageCounts> byOwner)
    {
        PipelineId = pipelineId;
        AsOf = asOf;
        Stages = stages;
        InWork = inWork;
        Won = won;
        Lost = lost;
        Entered = entered;
        ByOwner = byOwner;
    }

    /// <summary>The pipeline.</summary>
    public PipelineId PipelineId { get; }

    /// <summary>The instant counted, inclusive: events at exactly this instant are applied.</summary>
    public DateTimeOffset AsOf { get; }

    /// <summary>Clients per stage, in pipeline order, the won stage included.</summary>
    public IReadOnlyList<StageCount> Stages { get; }

    /// <summary>Clients in open (non-won) stages: the clients in work.</summary>
    public int InWork { get; }

    /// <summary>Clients in the won stage.</summary>
    public int Won { get; }

    /// <summary>Clients lost (and not reopened) as of the instant.</summary>
    public int Lost { get; }

    /// <summary>Clients that have entered by the instant: <c>InWork + Won + Lost</c>.</summary>
    public int Entered { get; }

    /// <summary>The same per owner (the owner on the client's last event at or before the instant), ordered by owner id; owners with no client counted are left out.</summary>
    public IReadOnlyList<OwnerStageCounts> ByOwner { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(StageCounts? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && PipelineId.Equals(other.PipelineId)
            && AsOf.Equals(other.AsOf)
            && ValueEquality.Sequence(Stages, other.Stages)
            && InWork.Equals(other.InWork)
            && Won.Equals(other.Won)
            && Lost.Equals(other.Lost)
            && Entered.Equals(other.Entered)
            && ValueEquality.Sequence(ByOwner, other.ByOwner));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StageCounts);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(PipelineId, AsOf, Stages.Count, InWork, Won, Lost, Entered, ByOwner.Count);
}
