using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>One owner's share of a <see cref="PipelineWaterfall"/>: each line counted for the owner the line names (as of the start for clients leaving, as of the end for clients arriving).</summary>
public sealed class OwnerWaterfall : IEquatable<OwnerWaterfall>
{
    private readonly WaterfallRows _rows;

    [JsonConstructor]
    internal OwnerWaterfall(OwnerId owner, IReadOnlyList<StageWaterfall> stages, StageWaterfall total, WaterfallLine enteredAndWon, WaterfallLine enteredAndLost)
    {
        Owner = owner;
        Stages = stages;
        _rows = new WaterfallRows(stages);
        Total = total;
        EnteredAndWon = enteredAndWon;
        EnteredAndLost = enteredAndLost;
    }

    /// <summary>The owner.</summary>
    public OwnerId Owner { get; }

    /// <summary>
    /// The owner's waterfall of each open stage where some line is not zero, in pipeline order: as
    /// <see cref="PipelineWaterfall.Stages"/>, for the lines counted for this owner. An open stage left out has every line
    /// zero for the owner; <see cref="Stage(StageId)"/> looks a stage up.
    /// </summary>
    public IReadOnlyList<StageWaterfall> Stages { get; }

    /// <summary>The waterfall of the owner's whole open pipeline: the sum of <see cref="Stages"/>.</summary>
    public StageWaterfall Total { get; }

    /// <summary>See <see cref="PipelineWaterfall.EnteredAndWon"/>; the owner as of the end.</summary>
    public WaterfallLine EnteredAndWon { get; }

    /// <summary>See <see cref="PipelineWaterfall.EnteredAndLost"/>; the owner as of the end.</summary>
    public WaterfallLine EnteredAndLost { get; }

    /// <summary>The owner's waterfall of <paramref name="stage"/>: its row of <see cref="Stages"/>, or <see langword="null"/> when the stage is not listed (every line of it zero for the owner, or not an open stage of the pipeline).</summary>
    /// <param name="stage">The stage.</param>
    /// <returns>The row, or <see langword="null"/>.</returns>
    public StageWaterfall? Stage(StageId stage) => _rows.Find(stage);

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
