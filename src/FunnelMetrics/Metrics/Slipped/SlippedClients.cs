using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// The open clients whose expected close date has passed, as of an instant: open then, with an expected close date (as
/// of the instant) before the instant's local day (<see cref="Today"/>). A date of today is not slipped; a client
/// without a date never is (<see cref="NoCloseDate"/> counts them).
/// </summary>
public sealed class SlippedClients : IEquatable<SlippedClients>
{
    [JsonConstructor]
    internal SlippedClients(
        PipelineId pipelineId,
        DateTimeOffset asOf,
        string timeZone,
        DateOnly today,
        int open,
        int slipped,
        decimal slippedValue,
        int noCloseDate,
        IReadOnlyList<SlippedClient> clients,
        IReadOnlyList<StageSlip> byStage,
        IReadOnlyList<OwnerSlip> byOwner)
    {
        PipelineId = pipelineId;
        AsOf = asOf;
        TimeZone = timeZone;
        Today = today;
        Open = open;
        Slipped = slipped;
        SlippedValue = slippedValue;
        NoCloseDate = noCloseDate;
        Clients = clients;
        ByStage = byStage;
        ByOwner = byOwner;
    }

    /// <summary>The pipeline.</summary>
    public PipelineId PipelineId { get; }

    /// <summary>The instant, inclusive: states, owners, and dates as of it.</summary>
    public DateTimeOffset AsOf { get; }

    /// <summary>The IANA time zone the days are read in.</summary>
    public string TimeZone { get; }

    /// <summary>The instant's local day: the day containing <see cref="AsOf"/>, or ending at it when <see cref="AsOf"/> is a day's start (the dashboard's today).</summary>
    public DateOnly Today { get; }

    /// <summary>Open clients (after the filter).</summary>
    public int Open { get; }

    /// <summary>Of them, the slipped ones: all of them, though <see cref="Clients"/> lists at most the limit asked for.</summary>
    public int Slipped { get; }

    /// <summary>The sum of the slipped clients' known values.</summary>
    public decimal SlippedValue { get; }

    /// <summary>Of <see cref="Open"/>, those without an expected close date.</summary>
    public int NoCloseDate { get; }

    /// <summary>The slipped clients, most overdue first (ties by client id), at most the limit asked for.</summary>
    public IReadOnlyList<SlippedClient> Clients { get; }

    /// <summary>The counts per open stage, in pipeline order.</summary>
    public IReadOnlyList<StageSlip> ByStage { get; }

    /// <summary>The same per owner, ordered by owner id; owners without open clients are left out.</summary>
    public IReadOnlyList<OwnerSlip> ByOwner { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(SlippedClients? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && PipelineId.Equals(other.PipelineId)
            && AsOf.Equals(other.AsOf)
            && string.Equals(TimeZone, other.TimeZone, StringComparison.Ordinal)
            && Today.Equals(other.Today)
            && Open == other.Open
            && Slipped == other.Slipped
            && SlippedValue == other.SlippedValue
            && NoCloseDate == other.NoCloseDate
            && ValueEquality.Sequence(Clients, other.Clients)
            && ValueEquality.Sequence(ByStage, other.ByStage)
            && ValueEquality.Sequence(ByOwner, other.ByOwner));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SlippedClients);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(PipelineId, AsOf, TimeZone, Today, Open, Slipped, Clients.Count, ByOwner.Count);
}
