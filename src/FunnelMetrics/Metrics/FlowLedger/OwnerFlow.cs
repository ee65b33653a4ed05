using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>One owner's movements in one day. Each event counts for the owner on it (a departure for the owner before it).</summary>
public sealed class OwnerFlow : IEquatable<OwnerFlow>
{
    [JsonConstructor]
    internal OwnerFlow(OwnerId owner, IReadOnlyList<StageFlow> stages, FlowTotals totals)
    {
        Owner = owner;
        Stages = stages;
        Totals = totals;
    }

    /// <summary>The owner.</summary>
    public OwnerId Owner { get; }

    /// <summary>One row per stage, in pipeline order.</summary>
    public IReadOnlyList<StageFlow> Stages { get; }

    /// <summary>The owner's totals for the day.</summary>
    public FlowTotals Totals { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(OwnerFlow? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Owner.Equals(other.Owner)
            && ValueEquality.Sequence(Stages, other.Stages)
            && Equals(Totals, other.Totals));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as OwnerFlow);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Owner, Stages.Count, Totals);
}
