using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>One owner's slipped expected close dates (the owner as of the instant).</summary>
public sealed class OwnerSlip : IEquatable<OwnerSlip>
{
    [JsonConstructor]
    internal OwnerSlip(OwnerId owner, int clients, int slipped, decimal slippedValue, int noCloseDate, IReadOnlyList<StageSlip> stages)
    {
        Owner = owner;
        Clients = clients;
        Slipped = slipped;
        SlippedValue = slippedValue;
        NoCloseDate = noCloseDate;
        Stages = stages;
    }

    /// <summary>The owner.</summary>
    public OwnerId Owner { get; }

    /// <summary>The owner's open clients.</summary>
    public int Clients { get; }

    /// <summary>Of them, the slipped ones.</summary>
    public int Slipped { get; }

    /// <summary>The sum of the slipped clients' known values.</summary>
    public decimal SlippedValue { get; }

    /// <summary>Of <see cref="Clients"/>, those without an expected close date.</summary>
    public int NoCloseDate { get; }

    /// <summary>The same per open stage, in pipeline order.</summary>
    public IReadOnlyList<StageSlip> Stages { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(OwnerSlip? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Owner.Equals(other.Owner)
            && Clients == other.Clients
            && Slipped == other.Slipped
            && SlippedValue == other.SlippedValue
            && NoCloseDate == other.NoCloseDate
            && ValueEquality.Sequence(Stages, other.Stages));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as OwnerSlip);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Owner, Clients, Slipped, SlippedValue, NoCloseDate, Stages.Count);
}
