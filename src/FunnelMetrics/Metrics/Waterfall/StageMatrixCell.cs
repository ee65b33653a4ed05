using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// One cell of the stage matrix: the clients in state <see cref="From"/> as of the waterfall's start and in state
/// <see cref="To"/> as of its end, with their known values at both instants: a link of a Sankey chart.
/// </summary>
public sealed class StageMatrixCell : IEquatable<StageMatrixCell>
{
    [JsonConstructor]
    internal StageMatrixCell(WaterfallState from, WaterfallState to, int clients, decimal? valueAtStart, int? unknownAtStart, decimal? valueAtEnd, int? unknownAtEnd)
    {
        From = from;
        To = to;
        Clients = clients;
        ValueAtStart = valueAtStart;
        UnknownAtStart = unknownAtStart;
        ValueAtEnd = valueAtEnd;
        UnknownAtEnd = unknownAtEnd;
    }

    /// <summary>The state as of the start (the row).</summary>
    public WaterfallState From { get; }

    /// <summary>The state as of the end (the column).</summary>
    public WaterfallState To { get; }

    /// <summary>The clients; at least 1 (empty cells are left out).</summary>
    public int Clients { get; }

    /// <summary>
    /// The sum of their known values as of the start; <see langword="null"/> for a cell of clients won (or lost) at both
    /// instants, whose values are not read: they closed before the period, and reading every old deal's record would
    /// cost more than the rest of the waterfall.
    /// </summary>
    public decimal? ValueAtStart { get; }

    /// <summary>Of them, those whose value as of the start was unknown; <see langword="null"/> when <see cref="ValueAtStart"/> is.</summary>
    public int? UnknownAtStart { get; }

    /// <summary>The sum of their known values as of the end; <see langword="null"/> when <see cref="ValueAtStart"/> is.</summary>
    public decimal? ValueAtEnd { get; }

    /// <summary>Of them, those whose value as of the end was unknown; <see langword="null"/> when <see cref="ValueAtStart"/> is.</summary>
    public int? UnknownAtEnd { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures.</summary>
    /// <param name="other">The other cell.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(StageMatrixCell? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && From.Equals(other.From)
            && To.Equals(other.To)
            && Clients == other.Clients
            && Nullable.Equals(ValueAtStart, other.ValueAtStart)
            && Nullable.Equals(UnknownAtStart, other.UnknownAtStart)
            && Nullable.Equals(ValueAtEnd, other.ValueAtEnd)
            && Nullable.Equals(UnknownAtEnd, other.UnknownAtEnd));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StageMatrixCell);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(From, To, Clients, ValueAtStart, UnknownAtStart, ValueAtEnd, UnknownAtEnd);
}
