using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// A duration estimated with still-running visits counted (Kaplan–Meier): either a value, or, when too many visits are
/// still running for the estimate to fall to the level, only a lower bound ("more than <see cref="MoreThan"/>").
/// Both are <see langword="null"/> when there was nothing to estimate from.
/// </summary>
public sealed class DurationEstimate : IEquatable<DurationEstimate>
{
    [JsonConstructor]
    internal DurationEstimate(TimeSpan? value, TimeSpan? moreThan)
    {
        Value = value;
        MoreThan = moreThan;
    }

    /// <summary>The estimate, when the data reach it.</summary>
    public TimeSpan? Value { get; }

    /// <summary>When the data do not reach it: the longest duration observed, which the estimate exceeds.</summary>
    public TimeSpan? MoreThan { get; }

    /// <summary>No estimate: no visits at all.</summary>
    public static DurationEstimate None { get; } = new(null, null);

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(DurationEstimate? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Nullable.Equals(Value, other.Value)
            && Nullable.Equals(MoreThan, other.MoreThan));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as DurationEstimate);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Value, MoreThan);
}
