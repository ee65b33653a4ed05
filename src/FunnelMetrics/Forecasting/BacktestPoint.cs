using System.Text.Json.Serialization;

namespace FunnelMetrics.Forecasting;

/// <summary>One forecast made at a past instant, against what then happened.</summary>
public sealed class BacktestPoint : IEquatable<BacktestPoint>
{
    [JsonConstructor]
    internal BacktestPoint(
        DateTimeOffset madeAt,
        DateTimeOffset horizonEnd,
        double predicted,
        int p10,
        int p90,
        int actual,
        double error)
    {
        MadeAt = madeAt;
        HorizonEnd = horizonEnd;
        Predicted = predicted;
        P10 = p10;
        P90 = p90;
        Actual = actual;
        Error = error;
    }

    /// <summary>The instant the forecast was made at: only history up to it was used.</summary>
    public DateTimeOffset MadeAt { get; }

    /// <summary>The forecast's horizon.</summary>
    public DateTimeOffset HorizonEnd { get; }

    /// <summary>The expected wins by the horizon.</summary>
    public double Predicted { get; }

    /// <summary>The forecast's 10th percentile.</summary>
    public int P10 { get; }

    /// <summary>The forecast's 90th percentile.</summary>
    public int P90 { get; }

    /// <summary>The clients won in (MadeAt, HorizonEnd], each counted once: those in work at MadeAt (with an owner the filter keeps), plus, when intake is included, clients whose first entry into the first open stage came in that span.</summary>
    public int Actual { get; }

    /// <summary><c>Predicted - Actual</c>.</summary>
    public double Error { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(BacktestPoint? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && MadeAt.Equals(other.MadeAt)
            && HorizonEnd.Equals(other.HorizonEnd)
            && Predicted.Equals(other.Predicted)
            && P10.Equals(other.P10)
            && P90.Equals(other.P90)
            && Actual.Equals(other.Actual)
            && Error.Equals(other.Error));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as BacktestPoint);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(MadeAt, HorizonEnd, Predicted, P10, P90, Actual, Error);
}
