using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>One owner's series in <see cref="FunnelTrends.ByOwner"/>: the trends filtered to that owner.</summary>
public sealed class OwnerTrends : IEquatable<OwnerTrends>
{
    [JsonConstructor]
    internal OwnerTrends(OwnerId owner, IReadOnlyList<TrendPeriod> periods)
    {
        Owner = owner;
        Periods = periods;
    }

    /// <summary>The owner: on the transition that began each visit, and on the event that first reached each stage.</summary>
    public OwnerId Owner { get; }

    /// <summary>The same periods as <see cref="FunnelTrends.Periods"/>, with the owner's figures only.</summary>
    public IReadOnlyList<TrendPeriod> Periods { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(OwnerTrends? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Owner.Equals(other.Owner)
            && ValueEquality.Sequence(Periods, other.Periods));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as OwnerTrends);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Owner, Periods.Count);
}
