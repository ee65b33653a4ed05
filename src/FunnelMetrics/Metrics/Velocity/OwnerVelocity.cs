using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>One owner's forward moves in the window, counted for the owner on each move.</summary>
public sealed class OwnerVelocity : IEquatable<OwnerVelocity>
{
    [JsonConstructor]
    internal OwnerVelocity(OwnerId owner, int forwardMoves, double perDay)
    {
        Owner = owner;
        ForwardMoves = forwardMoves;
        PerDay = perDay;
    }

    /// <summary>The owner.</summary>
    public OwnerId Owner { get; }

    /// <summary>Advances, skips and wins in the window.</summary>
    public int ForwardMoves { get; }

    /// <summary><c>ForwardMoves</c> per 24-hour day of the window.</summary>
    public double PerDay { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(OwnerVelocity? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Owner.Equals(other.Owner)
            && ForwardMoves.Equals(other.ForwardMoves)
            && PerDay.Equals(other.PerDay));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as OwnerVelocity);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Owner, ForwardMoves, PerDay);
}
