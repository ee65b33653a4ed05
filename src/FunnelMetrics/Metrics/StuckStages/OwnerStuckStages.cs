using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// One owner's bottleneck ranking: the same figures under an owner filter, so each figure keeps what its calculator
/// attributes to the owner: stalled clients by the owner as of the window's end, time in stage by the owner on the
/// transition that began the visit, conversion by the owner when the client first reached the stage.
/// </summary>
public sealed class OwnerStuckStages : IEquatable<OwnerStuckStages>
{
    [JsonConstructor]
    internal OwnerStuckStages(OwnerId owner, IReadOnlyList<StuckStage> stages)
    {
        Owner = owner;
        Stages = stages;
    }

    /// <summary>The owner.</summary>
    public OwnerId Owner { get; }

    /// <summary>The owner's open stages, ranked.</summary>
    public IReadOnlyList<StuckStage> Stages { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(OwnerStuckStages? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Owner.Equals(other.Owner)
            && ValueEquality.Sequence(Stages, other.Stages));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as OwnerStuckStages);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Owner, Stages.Count);
}
