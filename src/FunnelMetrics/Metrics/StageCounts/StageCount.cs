using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>The number of clients in one stage.</summary>
public sealed class StageCount : IEquatable<StageCount>
{
    [JsonConstructor]
    internal StageCount(StageId stage, int clients)
    {
        Stage = stage;
        Clients = clients;
    }

    /// <summary>The stage.</summary>
    public StageId Stage { get; }

    /// <summary>How many clients are in it.</summary>
    public int Clients { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(StageCount? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Stage.Equals(other.Stage)
            && Clients.Equals(other.Clients));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StageCount);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Stage, Clients);
}
