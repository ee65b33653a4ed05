using System.Text.Json.Serialization;

namespace FunnelMetrics.Forecasting;

/// <summary>Forecasts made at several past instants compared with the wins that followed: how far to trust the forecast on this data.</summary>
public sealed class Backtest : IEquatable<Backtest>
{
    [JsonConstructor]
    internal Backtest(
        IReadOnlyList<BacktestPoint> points,
        int skipped,
        double? meanAbsoluteError,
        double? meanError,
        double? coverage)
    {
        Points = points;
        Skipped = skipped;
        MeanAbsoluteError = meanAbsoluteError;
        MeanError = meanError;
        Coverage = coverage;
    }

    /// <summary>One per instant, in order; instants whose forecast had no basis or no timing are left out.</summary>
    public IReadOnlyList<BacktestPoint> Points { get; }

    /// <summary>How many instants were left out for that reason.</summary>
    public int Skipped { get; }

    /// <summary>The mean of |Predicted - Actual|, or <see langword="null"/> without points.</summary>
    public double? MeanAbsoluteError { get; }

    /// <summary>The mean of Predicted - Actual: positive when the forecast is optimistic.</summary>
    public double? MeanError { get; }

    /// <summary>The share of points whose actual wins fell within [P10, P90]; about 0.8 for a well-calibrated forecast.</summary>
    public double? Coverage { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(Backtest? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && ValueEquality.Sequence(Points, other.Points)
            && Skipped.Equals(other.Skipped)
            && Nullable.Equals(MeanAbsoluteError, other.MeanAbsoluteError)
            && Nullable.Equals(MeanError, other.MeanError)
            && Nullable.Equals(Coverage, other.Coverage));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Backtest);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Points.Count, Skipped, MeanAbsoluteError, MeanError, Coverage);
}
