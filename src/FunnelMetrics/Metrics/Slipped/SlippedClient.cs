using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>An open client whose expected close date, as of the instant, is before the instant's local day.</summary>
public sealed class SlippedClient : IEquatable<SlippedClient>
{
    [JsonConstructor]
    internal SlippedClient(ClientId clientId, OwnerId owner, StageId stage, DateTimeOffset visitStart, DateOnly expectedCloseDate, int daysOverdue, decimal? value)
    {
        ClientId = clientId;
        Owner = owner;
        Stage = stage;
        VisitStart = visitStart;
        ExpectedCloseDate = expectedCloseDate;
        DaysOverdue = daysOverdue;
        Value = value;
    }

    /// <summary>The client.</summary>
    public ClientId ClientId { get; }

    /// <summary>Its owner as of the instant.</summary>
    public OwnerId Owner { get; }

    /// <summary>The stage it is open at.</summary>
    public StageId Stage { get; }

    /// <summary>When its current visit of the stage began.</summary>
    public DateTimeOffset VisitStart { get; }

    /// <summary>Its expected close date as of the instant.</summary>
    public DateOnly ExpectedCloseDate { get; }

    /// <summary>The instant's local day minus <see cref="ExpectedCloseDate"/>, in days: at least 1; the list is ordered by it, most overdue first.</summary>
    public int DaysOverdue { get; }

    /// <summary>Its deal value as of the instant, or <see langword="null"/> when unknown.</summary>
    public decimal? Value { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures.</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(SlippedClient? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && ClientId.Equals(other.ClientId)
            && Owner.Equals(other.Owner)
            && Stage.Equals(other.Stage)
            && VisitStart.Equals(other.VisitStart)
            && ExpectedCloseDate.Equals(other.ExpectedCloseDate)
            && DaysOverdue == other.DaysOverdue
            && Nullable.Equals(Value, other.Value));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SlippedClient);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ClientId, Owner, Stage, VisitStart, ExpectedCloseDate, DaysOverdue, Value);
}
