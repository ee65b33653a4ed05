using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// The clients stuck as of an instant: open clients whose idle time is strictly greater than their stage's threshold
/// (equal is not stalled).
/// </summary>
public sealed class StalledClients : IEquatable<StalledClients>
{
    [JsonConstructor]
    internal StalledClients(
        PipelineId pipelineId,
        DateTimeOffset asOf,
        StallClock clock,
        IReadOnlyList<StallThreshold> thresholds,
        IReadOnlyList<StalledClient> clients,
        IReadOnlyList<StageStall> byStage,
        IReadOnlyList<OwnerStall> byOwner,
        WorkingCalendar? calendar = null)
    {
        PipelineId = pipelineId;
        AsOf = asOf;
        Clock = clock;
        Thresholds = thresholds;
        Clients = clients;
        ByStage = byStage;
        ByOwner = byOwner;
        Calendar = calendar;
    }

    /// <summary>The pipeline.</summary>
    public PipelineId PipelineId { get; }

    /// <summary>The instant, inclusive.</summary>
    public DateTimeOffset AsOf { get; }

    /// <summary>What idle time was measured from.</summary>
    public StallClock Clock { get; }

    /// <summary>The threshold of every open stage, in pipeline order, with its source.</summary>
    public IReadOnlyList<StallThreshold> Thresholds { get; }

    /// <summary>The stalled clients, most overdue first (ties by client id).</summary>
    public IReadOnlyList<StalledClient> Clients { get; }

    /// <summary>Open clients and stalled ones per stage, in pipeline order (the won stage's entry is empty).</summary>
    public IReadOnlyList<StageStall> ByStage { get; }

    /// <summary>The same per owner, ordered by owner id; owners without open clients are left out.</summary>
    public IReadOnlyList<OwnerStall> ByOwner { get; }

    /// <summary>
    /// The working calendar idle times and the thresholds were measured in (working time only: docs/metrics.md, "Working-hours clocks"),
    /// or <see langword="null"/> for elapsed time, the default; omitted from JSON when null.
    /// </summary>
    public WorkingCalendar? Calendar { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(StalledClients? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && PipelineId.Equals(other.PipelineId)
            && AsOf.Equals(other.AsOf)
            && Clock.Equals(other.Clock)
            && Equals(Calendar, other.Calendar)
            && ValueEquality.Sequence(Thresholds, other.Thresholds)
            && ValueEquality.Sequence(Clients, other.Clients)
            && ValueEquality.Sequence(ByStage, other.ByStage)
            && ValueEquality.Sequence(ByOwner, other.ByOwner));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StalledClients);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(PipelineId, AsOf, Clock, Thresholds.Count, Clients.Count, ByStage.Count, ByOwner.Count);
}
