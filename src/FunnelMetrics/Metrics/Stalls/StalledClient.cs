using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>An open client idle for longer than its stage's threshold.</summary>
public sealed class StalledClient : IEquatable<StalledClient>
{
    [JsonConstructor]
    internal StalledClient(
        ClientId clientId,
        OwnerId owner,
        StageId stage,
        DateTimeOffset visitStart,
        DateTimeOffset lastTouchedAt,
        TimeSpan idle,
        TimeSpan threshold,
        StallThresholdSource source,
        double overdue)
    {
        ClientId = clientId;
        Owner = owner;
        Stage = stage;
        VisitStart = visitStart;
        LastTouchedAt = lastTouchedAt;
        Idle = idle;
        Threshold = threshold;
        Source = source;
        Overdue = overdue;
    }

    /// <summary>The client.</summary>
    public ClientId ClientId { get; }

    /// <summary>Its owner as of the instant.</summary>
    public OwnerId Owner { get; }

    /// <summary>The stage it is in.</summary>
    public StageId Stage { get; }

    /// <summary>When its current visit of the stage began.</summary>
    public DateTimeOffset VisitStart { get; }

    /// <summary>Its last action (transition or activity) at or before the instant.</summary>
    public DateTimeOffset LastTouchedAt { get; }

    /// <summary>The idle time: the instant minus <see cref="VisitStart"/>, or minus <see cref="LastTouchedAt"/> under <see cref="StallClock.LastTouch"/>.</summary>
    public TimeSpan Idle { get; }

    /// <summary>The stage's threshold.</summary>
    public TimeSpan Threshold { get; }

    /// <summary>Where the threshold came from.</summary>
    public StallThresholdSource Source { get; }

    /// <summary><c>Idle / Threshold</c>: above 1 by definition; the list is ordered by it, most overdue first.</summary>
    public double Overdue { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(StalledClient? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && ClientId.Equals(other.ClientId)
            && Owner.Equals(other.Owner)
            && Stage.Equals(other.Stage)
            && VisitStart.Equals(other.VisitStart)
            && LastTouchedAt.Equals(other.LastTouchedAt)
            && Idle.Equals(other.Idle)
            && Threshold.Equals(other.Threshold)
            && Source.Equals(other.Source)
            && Overdue.Equals(other.Overdue));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StalledClient);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(ClientId);
        hash.Add(Owner);
        hash.Add(Stage);
        hash.Add(VisitStart);
        hash.Add(LastTouchedAt);
        hash.Add(Idle);
        hash.Add(Threshold);
        hash.Add(Source);
        hash.Add(Overdue);
        return hash.ToHashCode();
    }
}
