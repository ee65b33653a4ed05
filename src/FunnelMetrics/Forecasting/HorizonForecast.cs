using System.Globalization;
using System.Text.Json.Serialization;

namespace FunnelMetrics.Forecasting;

/// <summary>
/// Wins expected by a horizon from the clients in work (and, optionally, future intake), computed from the forecast's
/// chain on a grid of the span from the forecast's instant to the horizon: no simulation, so the same input always
/// gives the same figures. Each visit counts as lasting its remaining time rounded up to whole bins of the grid (at
/// least one), so the figures never exceed the chain's own chance of a win in time, and a later horizon never gives
/// lower ones. docs/metrics.md says exactly what is computed.
/// </summary>
public sealed class HorizonForecast : IEquatable<HorizonForecast>
{
    [JsonConstructor]
    internal HorizonForecast(
        DateTimeOffset end,
        double? intakePerDay,
        double expectedWins,
        int p10,
        int p50,
        int p90,
        decimal expectedValue)
    {
        End = end;
        IntakePerDay = intakePerDay;
        ExpectedWins = expectedWins;
        P10 = p10;
        P50 = p50;
        P90 = p90;
        ExpectedValue = expectedValue;
    }

    /// <summary>The horizon, inclusive: wins at or before it count.</summary>
    public DateTimeOffset End { get; }

    /// <summary>The daily rate of new clients added at the first open stage, or <see langword="null"/> when intake is not included.</summary>
    public double? IntakePerDay { get; }

    /// <summary>The expected number of wins by the horizon: the sum of each client's chance of being won in time, plus the expected wins of the intake.</summary>
    public double ExpectedWins { get; }

    /// <summary>The 10th percentile of the number of wins: the smallest count that the wins stay at or below with a chance of at least 10%.</summary>
    public int P10 { get; }

    /// <summary>The median: the smallest count that the wins stay at or below with a chance of at least 50%.</summary>
    public int P50 { get; }

    /// <summary>The 90th percentile: the wins exceed it with a chance of at most 10%.</summary>
    public int P90 { get; }

    /// <summary>The expected won value by the horizon: the sum over the clients in work with a value of value as of the forecast's instant x chance of being won in time (new intake adds no value).</summary>
    public decimal ExpectedValue { get; }

    /// <summary>The horizon and its figures on one line, in the invariant culture.</summary>
    /// <returns>For logs and test messages.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"by {End:O}: {ExpectedWins:0.###} expected wins (P10 {P10}, P50 {P50}, P90 {P90}), expected value {ExpectedValue}, intake {(IntakePerDay is { } intake ? $"{intake:0.###} per day" : "not included")}");

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(HorizonForecast? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && End.Equals(other.End)
            && Nullable.Equals(IntakePerDay, other.IntakePerDay)
            && ExpectedWins.Equals(other.ExpectedWins)
            && P10.Equals(other.P10)
            && P50.Equals(other.P50)
            && P90.Equals(other.P90)
            && ExpectedValue.Equals(other.ExpectedValue));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as HorizonForecast);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(End, IntakePerDay, ExpectedWins, P10, P50, P90, ExpectedValue);
}
