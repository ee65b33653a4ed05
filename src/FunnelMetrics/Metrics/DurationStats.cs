using System.Globalization;
using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// Summary of a set of durations: count, total, mean and nearest-rank percentiles (the smallest duration with at least
/// p% of the durations at or below it). The statistics are <see langword="null"/> when <see cref="Count"/> is 0.
/// </summary>
public sealed class DurationStats : IEquatable<DurationStats>
{
    [JsonConstructor]
    internal DurationStats(int count, double totalDays, TimeSpan? mean, TimeSpan? median, TimeSpan? p75, TimeSpan? p90)
    {
        Count = count;
        TotalDays = totalDays;
        Mean = mean;
        Median = median;
        P75 = p75;
        P90 = p90;
    }

    /// <summary>How many durations.</summary>
    public int Count { get; }

    /// <summary>Their sum, in days (a number rather than a <see cref="TimeSpan"/>, whose range millions of visits can exceed).</summary>
    public double TotalDays { get; }

    /// <summary>Their mean, truncated to whole ticks.</summary>
    public TimeSpan? Mean { get; }

    /// <summary>The 50th percentile.</summary>
    public TimeSpan? Median { get; }

    /// <summary>The 75th percentile.</summary>
    public TimeSpan? P75 { get; }

    /// <summary>The 90th percentile.</summary>
    public TimeSpan? P90 { get; }

    /// <summary>The summary of no durations.</summary>
    public static DurationStats Empty { get; } = new(0, 0, null, null, null, null);

    /// <summary>The count and statistics on one line, in the invariant culture (<c>-</c> for a statistic of no durations).</summary>
    /// <returns>For logs and test messages.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Count} duration(s), {TotalDays:0.###} days in all: mean {Mean?.ToString() ?? "-"}, median {Median?.ToString() ?? "-"}, P75 {P75?.ToString() ?? "-"}, P90 {P90?.ToString() ?? "-"}");

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(DurationStats? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Count.Equals(other.Count)
            && TotalDays.Equals(other.TotalDays)
            && Nullable.Equals(Mean, other.Mean)
            && Nullable.Equals(Median, other.Median)
            && Nullable.Equals(P75, other.P75)
            && Nullable.Equals(P90, other.P90));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as DurationStats);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Count, TotalDays, Mean, Median, P75, P90);
}
