using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>One stage's figures over one window, for <see cref="StuckStages"/>.</summary>
public sealed class StageFigures : IEquatable<StageFigures>
{
    [JsonConstructor]
    internal StageFigures(
        int clients,
        int stalled,
        double? stalledShare,
        DurationEstimate median,
        DurationEstimate p90,
        double? conversionToNext)
    {
        Clients = clients;
        Stalled = stalled;
        StalledShare = stalledShare;
        Median = median;
        P90 = p90;
        ConversionToNext = conversionToNext;
    }

    /// <summary>Open clients in the stage at the window's end, after the events before it.</summary>
    public int Clients { get; }

    /// <summary>Of them, the stalled ones (see <see cref="StalledClients"/>).</summary>
    public int Stalled { get; }

    /// <summary><c>Stalled / Clients</c>, or <see langword="null"/> when the stage is empty.</summary>
    public double? StalledShare { get; }

    /// <summary>The Kaplan–Meier median time in stage of the visits that began in the window [start, end), with visits still running at its end censored there.</summary>
    public DurationEstimate Median { get; }

    /// <summary>The Kaplan–Meier 90th percentile of the same visits.</summary>
    public DurationEstimate P90 { get; }

    /// <summary>The share of the clients who first reached the stage in the window [start, end) that went on to a later stage before its end (<see cref="StageConversion.AdvancedShare"/>), or <see langword="null"/> when none reached it.</summary>
    public double? ConversionToNext { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(StageFigures? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Clients.Equals(other.Clients)
            && Stalled.Equals(other.Stalled)
            && Nullable.Equals(StalledShare, other.StalledShare)
            && Equals(Median, other.Median)
            && Equals(P90, other.P90)
            && Nullable.Equals(ConversionToNext, other.ConversionToNext));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StageFigures);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Clients, Stalled, StalledShare, Median, P90, ConversionToNext);
}
