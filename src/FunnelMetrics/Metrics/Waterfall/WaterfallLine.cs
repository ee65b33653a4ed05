using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// One line of a <see cref="StageWaterfall"/>: how many clients it counts, the sum of their known deal values, and how
/// many of them had no value (unknown values are counted here, never added as zero). Which instant's value a line sums
/// is said by the line (see <see cref="StageWaterfall"/>).
/// </summary>
public sealed class WaterfallLine : IEquatable<WaterfallLine>
{
    [JsonConstructor]
    internal WaterfallLine(int clients, decimal value, int unknownValues)
    {
        Clients = clients;
        Value = value;
        UnknownValues = unknownValues;
    }

    /// <summary>The empty line, shared (results are immutable).</summary>
    internal static WaterfallLine Zero { get; } = new(0, 0m, 0);

    /// <summary>The clients the line counts.</summary>
    public int Clients { get; }

    /// <summary>The sum of their known values (for the value-change lines: the sum of the changes), in the pipeline's currency; not negative.</summary>
    public decimal Value { get; }

    /// <summary>Of <see cref="Clients"/>, those whose value (at the instant the line reads) was unknown, so not in <see cref="Value"/>.</summary>
    public int UnknownValues { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures.</summary>
    /// <param name="other">The other line.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(WaterfallLine? other) =>
        ReferenceEquals(this, other) || (other is not null && Clients == other.Clients && Value == other.Value && UnknownValues == other.UnknownValues);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as WaterfallLine);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Clients, Value, UnknownValues);
}
