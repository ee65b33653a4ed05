using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>One owner's share of a <see cref="PipelineWaterfall"/>: each line counted for the owner the line names (as of the start for clients leaving, as of the end for clients arriving).</summary>
public sealed class OwnerWaterfall : IEquatable<OwnerWaterfall>
{
    [JsonConstructor]
    internal OwnerWaterfall(OwnerId owner, IReadOnlyList<StageWaterfall> stages, StageWaterfall total, WaterfallLine enteredAndWon, WaterfallLine enteredAndLost)
    {
        Owner = owner;
        Stages = stages;
        Total = total;
        EnteredAndWon = enteredAndWon;
        EnteredAndLost = enteredAndLost;
    }

    /// <summary>The owner.</summary>
    public OwnerId Owner { get; }

    /// <summary>The waterfall of each open stage, in pipeline order.</summary>
    public IReadOnlyList<StageWaterfall> Stages { get; }

    /// <summary>The waterfall of the owner's whole open pipeline: the sum of <see cref="Stages"/>.</summary>
    public StageWaterfall Total { get; }

    /// <summary>See <see cref="PipelineWaterfall.EnteredAndWon"/>; the owner as of the end.</summary>
    public WaterfallLine EnteredAndWon { get; }

    /// <summary>See <see cref="PipelineWaterfall.EnteredAndLost"/>; the owner as of the end.</summary>
    public WaterfallLine EnteredAndLost { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(OwnerWaterfall? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Owner.Equals(other.Owner)
            && ValueEquality.Sequence(Stages, other.Stages)
            && Total.Equals(other.Total)
            && EnteredAndWon.Equals(other.EnteredAndWon)
            && EnteredAndLost.Equals(other.EnteredAndLost));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as OwnerWaterfall);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Owner, Stages.Count, Total);
}
