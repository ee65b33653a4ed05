using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// The daily flow ledger: for each calendar day in a time zone, per stage and per owner, what entered and left each
/// stage, and how many clients were in it at the end of the day.
/// </summary>
public sealed class FlowLedger : IEquatable<FlowLedger>
{
    [JsonConstructor]
    internal FlowLedger(
        PipelineId pipelineId,
        string timeZone,
        DateOnly firstDay,
        DateOnly lastDay,
        IReadOnlyList<FlowDay> days)
    {
        PipelineId = pipelineId;
        TimeZone = timeZone;
        FirstDay = firstDay;
        LastDay = lastDay;
        Days = days;
    }

    /// <summary>The pipeline.</summary>
    public PipelineId PipelineId { get; }

    /// <summary>The IANA id of the time zone whose midnights divide the days.</summary>
    public string TimeZone { get; }

    /// <summary>The first day, inclusive.</summary>
    public DateOnly FirstDay { get; }

    /// <summary>The last day, inclusive.</summary>
    public DateOnly LastDay { get; }

    /// <summary>One entry per day, in order.</summary>
    public IReadOnlyList<FlowDay> Days { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(FlowLedger? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && PipelineId.Equals(other.PipelineId)
            && string.Equals(TimeZone, other.TimeZone, StringComparison.Ordinal)
            && FirstDay.Equals(other.FirstDay)
            && LastDay.Equals(other.LastDay)
            && ValueEquality.Sequence(Days, other.Days));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as FlowLedger);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(PipelineId, TimeZone, FirstDay, LastDay, Days.Count);
}
