using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>Stalled clients in one stage.</summary>
public sealed class StageStall : IEquatable<StageStall>
{
    [JsonConstructor]
    internal StageStall(
        StageId stage,
        int clients,
        int stalled,
        double? share,
        TimeSpan? threshold,
        StallThresholdSource? source)
    {
        Stage = stage;
        Clients = clients;
        Stalled = stalled;
        Share = share;
        Threshold = threshold;
        Source = source;
    }

    /// <summary>The stage.</summary>
    public StageId Stage { get; }

    /// <summary>Open clients in the stage (after the filter).</summary>
    public int Clients { get; }

    /// <summary>Of them, the stalled ones.</summary>
    public int Stalled { get; }

    /// <summary><c>Stalled / Clients</c>, or <see langword="null"/> when the stage is empty.</summary>
    public double? Share { get; }

    /// <summary>The stage's threshold, or <see langword="null"/> for the won stage, where nobody stalls.</summary>
    public TimeSpan? Threshold { get; }

    /// <summary>Where the threshold came from, or <see langword="null"/> for the won stage.</summary>
    public StallThresholdSource? Source { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(StageStall? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Stage.Equals(other.Stage)
            && Clients.Equals(other.Clients)
            && Stalled.Equals(other.Stalled)
            && Nullable.Equals(Share, other.Share)
            && Nullable.Equals(Threshold, other.Threshold)
            && Nullable.Equals(Source, other.Source));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StageStall);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Stage, Clients, Stalled, Share, Threshold, Source);
}
