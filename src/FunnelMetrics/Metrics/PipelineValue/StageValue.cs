using System.Globalization;
using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// One open stage's money as of an instant: the clients in it, their known values, and that value weighted by the
/// stage's configured win probability and by the chain model's. <c>Valued + Missing = Clients</c>; a client without a
/// value counts in <see cref="Missing"/> and in no sum.
/// </summary>
public sealed class StageValue : IEquatable<StageValue>
{
    [JsonConstructor]
    internal StageValue(
        StageId stage,
        int clients,
        int valued,
        int missing,
        decimal value,
        double? stageWinProbability,
        decimal? weightedByStageProbability,
        double? chainWinProbability,
        decimal? weightedByChain)
    {
        Stage = stage;
        Clients = clients;
        Valued = valued;
        Missing = missing;
        Value = value;
        StageWinProbability = stageWinProbability;
        WeightedByStageProbability = weightedByStageProbability;
        ChainWinProbability = chainWinProbability;
        WeightedByChain = weightedByChain;
    }

    /// <summary>The stage.</summary>
    public StageId Stage { get; }

    /// <summary>The clients in the stage as of the instant (the stage counts' figure).</summary>
    public int Clients { get; }

    /// <summary>Of them, those with a known value as of the instant.</summary>
    public int Valued { get; }

    /// <summary>Those whose value is unknown as of the instant: <c>Clients - Valued</c>.</summary>
    public int Missing { get; }

    /// <summary>The sum of the known values, in the pipeline's currency; 0 when none is known.</summary>
    public decimal Value { get; }

    /// <summary>The stage's configured win probability (<see cref="StageDefinition.WinProbability"/>), or <see langword="null"/> when the stage has none.</summary>
    public double? StageWinProbability { get; }

    /// <summary><c>Value × StageWinProbability</c>, exact in decimal; <see langword="null"/> when the stage has no configured probability.</summary>
    public decimal? WeightedByStageProbability { get; }

    /// <summary>The chain model's probability that a client in the stage is eventually won (the forecast's <c>StageForecast.WinProbability</c>), or <see langword="null"/> when the stage has no basis or no chain was given.</summary>
    public double? ChainWinProbability { get; }

    /// <summary><c>Value × ChainWinProbability</c>, exact in decimal; <see langword="null"/> when that probability is.</summary>
    public decimal? WeightedByChain { get; }

    /// <summary>The stage's figures on one line.</summary>
    /// <returns>For logs and test messages.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Stage}: {Clients} client(s), {Valued} valued ({Value}), {Missing} missing; weighted {WeightedByStageProbability?.ToString(CultureInfo.InvariantCulture) ?? "-"} by the stage, {WeightedByChain?.ToString(CultureInfo.InvariantCulture) ?? "-"} by the chain");

    /// <summary>Whether <paramref name="other"/> holds the same figures.</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(StageValue? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Stage.Equals(other.Stage)
            && Clients == other.Clients
            && Valued == other.Valued
            && Missing == other.Missing
            && Value == other.Value
            && Nullable.Equals(StageWinProbability, other.StageWinProbability)
            && Nullable.Equals(WeightedByStageProbability, other.WeightedByStageProbability)
            && Nullable.Equals(ChainWinProbability, other.ChainWinProbability)
            && Nullable.Equals(WeightedByChain, other.WeightedByChain));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StageValue);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Stage, Clients, Valued, Missing, Value, StageWinProbability, WeightedByStageProbability, WeightedByChain);
}
