using System.Globalization;
using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// A set of clients and their deal values as of an instant: how many, how many with a known value and how many without
/// (<c>Valued + Missing = Clients</c>), and the sum of the known values. A client without a value counts in
/// <see cref="Missing"/>, never as zero.
/// </summary>
public sealed class ValueTally : IEquatable<ValueTally>
{
    [JsonConstructor]
    internal ValueTally(int clients, int valued, int missing, decimal value)
    {
        Clients = clients;
        Valued = valued;
        Missing = missing;
        Value = value;
    }

    /// <summary>The clients.</summary>
    public int Clients { get; }

    /// <summary>Of them, those with a known value as of the instant.</summary>
    public int Valued { get; }

    /// <summary>Those whose value is unknown as of the instant: <c>Clients - Valued</c>.</summary>
    public int Missing { get; }

    /// <summary>The sum of the known values, in the pipeline's currency; 0 when none is known.</summary>
    public decimal Value { get; }

    /// <summary>The figures on one line.</summary>
    /// <returns>For logs and test messages.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Clients} client(s), {Valued} valued ({Value}), {Missing} missing");

    /// <summary>Whether <paramref name="other"/> holds the same figures.</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(ValueTally? other) =>
        ReferenceEquals(this, other)
        || (other is not null && Clients == other.Clients && Valued == other.Valued && Missing == other.Missing && Value == other.Value);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ValueTally);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Clients, Valued, Missing, Value);
}
