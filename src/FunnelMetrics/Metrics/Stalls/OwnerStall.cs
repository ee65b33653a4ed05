using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>One owner's stalled clients.</summary>
public sealed class OwnerStall : IEquatable<OwnerStall>
{
    [JsonConstructor]
    internal OwnerStall(OwnerId owner, int clients, int stalled, double? share, IReadOnlyList<StageStall> stages)
    {
        Owner = owner;
        Clients = clients;
        Stalled = stalled;
        Share = share;
        Stages = stages;
    }

    /// <summary>The owner (as of the instant).</summary>
    public OwnerId Owner { get; }

    /// <summary>The owner's open clients.</summary>
    public int Clients { get; }

    /// <summary>Of them, the stalled ones.</summary>
    public int Stalled { get; }

    /// <summary><c>Stalled / Clients</c>, or <see langword="null"/> when the owner has no open client.</summary>
    public double? Share { get; }

    /// <summary>The same per stage, in pipeline order.</summary>
    public IReadOnlyList<StageStall> Stages { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(OwnerStall? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Owner.Equals(other.Owner)
            && Clients.Equals(other.Clients)
            && Stalled.Equals(other.Stalled)
            && Nullable.Equals(Share, other.Share)
            && ValueEquality.Sequence(Stages, other.Stages));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as OwnerStall);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Owner, Clients, Stalled, Share, Stages.Count);
}
