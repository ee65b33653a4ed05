using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>One owner's share of <see cref="PipelineValue"/>: the clients whose owner, as of the instant, is this owner, weighted by the same probabilities as the team's.</summary>
public sealed class OwnerPipelineValue : IEquatable<OwnerPipelineValue>
{
    [JsonConstructor]
    internal OwnerPipelineValue(OwnerId owner, IReadOnlyList<StageValue> stages, OpenPipelineValue open, ValueTally won, ValueTally lost)
    {
        Owner = owner;
        Stages = stages;
        Open = open;
        Won = won;
        Lost = lost;
    }

    /// <summary>The owner.</summary>
    public OwnerId Owner { get; }

    /// <summary>Per open stage, in pipeline order (the won stage left out).</summary>
    public IReadOnlyList<StageValue> Stages { get; }

    /// <summary>The owner's open pipeline: the sums of <see cref="Stages"/>.</summary>
    public OpenPipelineValue Open { get; }

    /// <summary>The owner's clients in the won stage as of the instant.</summary>
    public ValueTally Won { get; }

    /// <summary>The owner's clients lost (and not reopened) as of the instant.</summary>
    public ValueTally Lost { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(OwnerPipelineValue? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Owner.Equals(other.Owner)
            && ValueEquality.Sequence(Stages, other.Stages)
            && Open.Equals(other.Open)
            && Won.Equals(other.Won)
            && Lost.Equals(other.Lost));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as OwnerPipelineValue);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Owner, Stages.Count, Open, Won, Lost);
}
