using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// Money per stage as of an instant: for each open stage and owner, the clients there (as <see cref="StageCounts"/>
/// counts them), how many have a known deal value and how many have none, the sum of the known values, and that sum
/// weighted by the stage's configured win probability and by the chain model's. Values are each client's as of the
/// instant; a client without a value is counted as missing, never as zero.
/// </summary>
public sealed class PipelineValue : IEquatable<PipelineValue>
{
    [JsonConstructor]
    internal PipelineValue(
        PipelineId pipelineId,
        DateTimeOffset asOf,
        string? currencyCode,
        bool hasChainProbabilities,
        IReadOnlyList<StageValue> stages,
        OpenPipelineValue open,
        ValueTally won,
        ValueTally lost,
        IReadOnlyList<OwnerPipelineValue> byOwner)
    {
        PipelineId = pipelineId;
        AsOf = asOf;
        CurrencyCode = currencyCode;
        HasChainProbabilities = hasChainProbabilities;
        Stages = stages;
        Open = open;
        Won = won;
        Lost = lost;
        ByOwner = byOwner;
    }

    /// <summary>The pipeline.</summary>
    public PipelineId PipelineId { get; }

    /// <summary>The instant, inclusive: events and client updates at exactly this instant are applied.</summary>
    public DateTimeOffset AsOf { get; }

    /// <summary>The currency of every value (the pipeline's ISO 4217 code), or <see langword="null"/> when the pipeline sets none.</summary>
    public string? CurrencyCode { get; }

    /// <summary>Whether chain win probabilities were given; without them every chain-weighted figure is <see langword="null"/>.</summary>
    public bool HasChainProbabilities { get; }

    /// <summary>Per open stage, in pipeline order (the won stage left out: see <see cref="Won"/>).</summary>
    public IReadOnlyList<StageValue> Stages { get; }

    /// <summary>The team's open pipeline: the sums of <see cref="Stages"/>.</summary>
    public OpenPipelineValue Open { get; }

    /// <summary>The clients in the won stage as of the instant (every win not reopened, not only recent ones), with their values then.</summary>
    public ValueTally Won { get; }

    /// <summary>The clients lost (and not reopened) as of the instant, with their values then.</summary>
    public ValueTally Lost { get; }

    /// <summary>The same per owner (the owner on the client's last event at or before the instant), ordered by owner id; owners with no client counted are left out. The owners' rows add up to the team's.</summary>
    public IReadOnlyList<OwnerPipelineValue> ByOwner { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(PipelineValue? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && PipelineId.Equals(other.PipelineId)
            && AsOf.Equals(other.AsOf)
            && CurrencyCode == other.CurrencyCode
            && HasChainProbabilities == other.HasChainProbabilities
            && ValueEquality.Sequence(Stages, other.Stages)
            && Open.Equals(other.Open)
            && Won.Equals(other.Won)
            && Lost.Equals(other.Lost)
            && ValueEquality.Sequence(ByOwner, other.ByOwner));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as PipelineValue);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(PipelineId, AsOf, CurrencyCode, HasChainProbabilities, Stages.Count, Open, Won, ByOwner.Count);
}
