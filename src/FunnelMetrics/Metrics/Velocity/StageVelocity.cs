using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>Forward moves out of one stage in the window.</summary>
public sealed class StageVelocity : IEquatable<StageVelocity>
{
    [JsonConstructor]
    internal StageVelocity(StageId stage, int forwardMoves, double perDay)
    {
        Stage = stage;
        ForwardMoves = forwardMoves;
        PerDay = perDay;
    }

    /// <summary>The stage moved out of.</summary>
    public StageId Stage { get; }

    /// <summary>Advances, skips and wins out of the stage in the window.</summary>
    public int ForwardMoves { get; }

    /// <summary><c>ForwardMoves</c> divided by the window's length in days (24-hour days).</summary>
    public double PerDay { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(StageVelocity? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Stage.Equals(other.Stage)
            && ForwardMoves.Equals(other.ForwardMoves)
            && PerDay.Equals(other.PerDay));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StageVelocity);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Stage, ForwardMoves, PerDay);
}
