using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>One calendar day of the <see cref="FlowLedger"/>: the half-open interval [<see cref="Start"/>, <see cref="End"/>) between two local midnights.</summary>
public sealed class FlowDay : IEquatable<FlowDay>
{
    [JsonConstructor]
    internal FlowDay(
        DateOnly day,
        DateTimeOffset start,
        DateTimeOffset end,
        IReadOnlyList<StageFlow> stages,
        FlowTotals totals,
        IReadOnlyList<OwnerFlow> byOwner)
    {
        Day = day;
        Start = start;
        End = end;
        Stages = stages;
        Totals = totals;
        ByOwner = byOwner;
    }

    /// <summary>The local calendar date.</summary>
    public DateOnly Day { get; }

    /// <summary>The day's first instant (local midnight, or the end of a daylight-saving gap that swallowed it), in UTC.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>The next day's first instant, exclusive, in UTC. A day is 23, 24 or 25 hours long around daylight-saving changes.</summary>
    public DateTimeOffset End { get; }

    /// <summary>One row per stage, all owners together, in pipeline order.</summary>
    public IReadOnlyList<StageFlow> Stages { get; }

    /// <summary>The day's totals, all owners together.</summary>
    public FlowTotals Totals { get; }

    /// <summary>The same per owner, ordered by owner id; owners with nothing in the day and nobody at the end of it are left out.</summary>
    public IReadOnlyList<OwnerFlow> ByOwner { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(FlowDay? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Day.Equals(other.Day)
            && Start.Equals(other.Start)
            && End.Equals(other.End)
            && ValueEquality.Sequence(Stages, other.Stages)
            && Equals(Totals, other.Totals)
            && ValueEquality.Sequence(ByOwner, other.ByOwner));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as FlowDay);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Day, Start, End, Stages.Count, Totals, ByOwner.Count);
}
