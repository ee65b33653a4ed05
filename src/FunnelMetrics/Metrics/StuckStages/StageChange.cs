using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>How a stage's figures changed from the previous window to the current one (current minus previous); <see langword="null"/> where either side has no value.</summary>
public sealed class StageChange : IEquatable<StageChange>
{
    [JsonConstructor]
    internal StageChange(
        int clients,
        int stalled,
        double? stalledShare,
        TimeSpan? median,
        TimeSpan? p90,
        double? conversionToNext)
    {
        Clients = clients;
        Stalled = stalled;
        StalledShare = stalledShare;
        Median = median;
        P90 = p90;
        ConversionToNext = conversionToNext;
    }

    /// <summary>Change in open clients.</summary>
    public int Clients { get; }

    /// <summary>Change in stalled clients.</summary>
    public int Stalled { get; }

    /// <summary>Change in the stalled share.</summary>
    public double? StalledShare { get; }

    /// <summary>Change in the median time in stage, when both medians are known values (not "more than").</summary>
    public TimeSpan? Median { get; }

    /// <summary>Change in the 90th percentile, when both are known values.</summary>
    public TimeSpan? P90 { get; }

    /// <summary>Change in the conversion to a later stage.</summary>
    public double? ConversionToNext { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(StageChange? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Clients.Equals(other.Clients)
            && Stalled.Equals(other.Stalled)
            && Nullable.Equals(StalledShare, other.StalledShare)
            && Nullable.Equals(Median, other.Median)
            && Nullable.Equals(P90, other.P90)
            && Nullable.Equals(ConversionToNext, other.ConversionToNext));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StageChange);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Clients, Stalled, StalledShare, Median, P90, ConversionToNext);
}
