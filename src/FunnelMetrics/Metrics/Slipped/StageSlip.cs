using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>Slipped expected close dates in one open stage (or one owner's share of it).</summary>
public sealed class StageSlip : IEquatable<StageSlip>
{
    [JsonConstructor]
    internal StageSlip(StageId stage, int clients, int slipped, decimal slippedValue, int noCloseDate)
    {
        Stage = stage;
        Clients = clients;
        Slipped = slipped;
        SlippedValue = slippedValue;
        NoCloseDate = noCloseDate;
    }

    /// <summary>The open stage.</summary>
    public StageId Stage { get; }

    /// <summary>Open clients in the stage (after the filter).</summary>
    public int Clients { get; }

    /// <summary>Of them, those whose expected close date has slipped.</summary>
    public int Slipped { get; }

    /// <summary>The sum of the slipped clients' known values as of the instant.</summary>
    public decimal SlippedValue { get; }

    /// <summary>Of <see cref="Clients"/>, those without an expected close date (never slipped).</summary>
    public int NoCloseDate { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures.</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(StageSlip? other) =>
        ReferenceEquals(this, other)
        || (other is not null && Stage.Equals(other.Stage) && Clients == other.Clients && Slipped == other.Slipped && SlippedValue == other.SlippedValue && NoCloseDate == other.NoCloseDate);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StageSlip);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Stage, Clients, Slipped, SlippedValue, NoCloseDate);
}
