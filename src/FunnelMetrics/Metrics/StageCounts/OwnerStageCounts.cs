using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>One owner's share of <see cref="StageCounts"/>: the clients whose owner, as of the instant, is this owner.</summary>
public sealed class OwnerStageCounts : IEquatable<OwnerStageCounts>
{
    [JsonConstructor]
    internal OwnerStageCounts(OwnerId owner, IReadOnlyList<StageCount> stages, int inWork, int won, int lost)
    {
        Owner = owner;
        Stages = stages;
        InWork = inWork;
        Won = won;
        Lost = lost;
    }

    /// <summary>The owner.</summary>
    public OwnerId Owner { get; }

    /// <summary>Clients per stage, in pipeline order, the won stage included.</summary>
    public IReadOnlyList<StageCount> Stages { get; }

    /// <summary>Clients in open (non-won) stages.</summary>
    public int InWork { get; }

    /// <summary>Clients in the won stage.</summary>
    public int Won { get; }

    /// <summary>Clients lost.</summary>
    public int Lost { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(OwnerStageCounts? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Owner.Equals(other.Owner)
            && ValueEquality.Sequence(Stages, other.Stages)
            && InWork.Equals(other.InWork)
            && Won.Equals(other.Won)
            && Lost.Equals(other.Lost));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as OwnerStageCounts);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Owner, Stages.Count, InWork, Won, Lost);
}
