using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>The stall threshold of one stage and where it came from.</summary>
public sealed class StallThreshold : IEquatable<StallThreshold>
{
    [JsonConstructor]
    internal StallThreshold(StageId stage, TimeSpan threshold, StallThresholdSource source)
    {
        Stage = stage;
        Threshold = threshold;
        Source = source;
    }

    /// <summary>The stage.</summary>
    public StageId Stage { get; }

    /// <summary>How long a client may be idle in the stage; idle time strictly greater is stalled.</summary>
    public TimeSpan Threshold { get; }

    /// <summary>Where the threshold came from.</summary>
    public StallThresholdSource Source { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(StallThreshold? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Stage.Equals(other.Stage)
            && Threshold.Equals(other.Threshold)
            && Source.Equals(other.Source));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StallThreshold);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Stage, Threshold, Source);
}
