using System.Globalization;
using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// The open pipeline's money as of an instant, over all open stages: the sums of the stage rows. The weighted figures
/// add the stages that have a probability; the value of the stages without one is given beside them, so
/// <c>WeightedByStageProbability ≤ Value - ValueWithoutStageProbability</c> (probabilities are at most 1).
/// </summary>
public sealed class OpenPipelineValue : IEquatable<OpenPipelineValue>
{
    [JsonConstructor]
    internal OpenPipelineValue(
        int clients,
        int valued,
        int missing,
        decimal value,
        decimal? weightedByStageProbability,
        decimal valueWithoutStageProbability,
        decimal? weightedByChain,
        decimal valueWithoutChainProbability)
    {
        Clients = clients;
        Valued = valued;
        Missing = missing;
        Value = value;
        WeightedByStageProbability = weightedByStageProbability;
        ValueWithoutStageProbability = valueWithoutStageProbability;
        WeightedByChain = weightedByChain;
        ValueWithoutChainProbability = valueWithoutChainProbability;
    }

    /// <summary>The clients in open stages as of the instant (the stage counts' <c>InWork</c>).</summary>
    public int Clients { get; }

    /// <summary>Of them, those with a known value.</summary>
    public int Valued { get; }

    /// <summary>Those whose value is unknown: <c>Clients - Valued</c>.</summary>
    public int Missing { get; }

    /// <summary>The sum of the known values: the open pipeline.</summary>
    public decimal Value { get; }

    /// <summary>The sum of the stages' <see cref="StageValue.WeightedByStageProbability"/> over the stages that have a configured probability; <see langword="null"/> when no open stage has one.</summary>
    public decimal? WeightedByStageProbability { get; }

    /// <summary>The value in stages without a configured probability: in no weighted figure by the stage.</summary>
    public decimal ValueWithoutStageProbability { get; }

    /// <summary>The sum of the stages' <see cref="StageValue.WeightedByChain"/> over the stages with a chain probability; <see langword="null"/> when no stage has one (or no chain was given).</summary>
    public decimal? WeightedByChain { get; }

    /// <summary>The value in stages without a chain probability: in no weighted figure by the chain.</summary>
    public decimal ValueWithoutChainProbability { get; }

    /// <summary>The figures on one line.</summary>
    /// <returns>For logs and test messages.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Clients} open client(s), {Valued} valued ({Value}), {Missing} missing; weighted {WeightedByStageProbability?.ToString(CultureInfo.InvariantCulture) ?? "-"} by the stages, {WeightedByChain?.ToString(CultureInfo.InvariantCulture) ?? "-"} by the chain");

    /// <summary>Whether <paramref name="other"/> holds the same figures.</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(OpenPipelineValue? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Clients == other.Clients
            && Valued == other.Valued
            && Missing == other.Missing
            && Value == other.Value
            && Nullable.Equals(WeightedByStageProbability, other.WeightedByStageProbability)
            && ValueWithoutStageProbability == other.ValueWithoutStageProbability
            && Nullable.Equals(WeightedByChain, other.WeightedByChain)
            && ValueWithoutChainProbability == other.ValueWithoutChainProbability);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as OpenPipelineValue);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Clients, Valued, Missing, Value, WeightedByStageProbability, ValueWithoutStageProbability, WeightedByChain, ValueWithoutChainProbability);
}
