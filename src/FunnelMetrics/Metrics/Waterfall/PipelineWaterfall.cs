using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// The pipeline waterfall between two instants: per open stage, for the team and per owner, the clients open as of
/// <see cref="Start"/>, what came in and went out, and the clients open as of <see cref="End"/>, by count and by value,
/// adding up exactly (see <see cref="StageWaterfall"/>); and the stage matrix, the clients per (state as of the start,
/// state as of the end). A client's state as of an instant is the one its events at or before it give, as
/// <see cref="StageCounts"/> reads it, so the period's events are those after <see cref="Start"/> and at or before <see cref="End"/>.
/// </summary>
/// <remarks>
/// Only the two states count: a client that moved through several stages in the period is a move from its start stage
/// to its end stage, and a client that entered and closed within the period is in no stage's sum (it is in
/// <see cref="EnteredAndWon"/> or <see cref="EnteredAndLost"/>). docs/metrics.md, "The pipeline waterfall", defines every line.
/// </remarks>
public sealed class PipelineWaterfall : IEquatable<PipelineWaterfall>
{
    private readonly WaterfallRows _rows;

    [JsonConstructor]
    internal PipelineWaterfall(
        PipelineId pipelineId,
        DateTimeOffset start,
        DateTimeOffset end,
        string timeZone,
        DateOnly firstDay,
        DateOnly lastDay,
        IReadOnlyList<StageWaterfall> stages,
        StageWaterfall total,
        WaterfallLine enteredAndWon,
        WaterfallLine enteredAndLost,
        IReadOnlyList<OwnerWaterfall> byOwner,
        IReadOnlyList<StageMatrixCell> matrix)
    {
        PipelineId = pipelineId;
        Start = start;
        End = end;
        TimeZone = timeZone;
        FirstDay = firstDay;
        LastDay = lastDay;
        Stages = stages;
        _rows = new WaterfallRows(stages);
        Total = total;
        EnteredAndWon = enteredAndWon;
        EnteredAndLost = enteredAndLost;
        ByOwner = byOwner;
        Matrix = matrix;
    }

    /// <summary>The pipeline.</summary>
    public PipelineId PipelineId { get; }

    /// <summary>The first instant: states as of it (events at or before it applied) open the waterfall.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>The last instant, after <see cref="Start"/>: states as of it (events at or before it applied) close the waterfall.</summary>
    public DateTimeOffset End { get; }

    /// <summary>The IANA time zone the period's days are read in.</summary>
    public string TimeZone { get; }

    /// <summary>The period's first local day: the day containing <see cref="Start"/>.</summary>
    public DateOnly FirstDay { get; }

    /// <summary>The period's last local day, inclusive: the day containing <see cref="End"/>, or ending at it when <see cref="End"/> is a day's start.</summary>
    public DateOnly LastDay { get; }

    /// <summary>
    /// The team's waterfall of each open stage where some line is not zero, in pipeline order: the sum of
    /// <see cref="ByOwner"/>'s. A stage is listed when, for the team, some client was open there as of the start or as
    /// of the end, or was new, reopened, moved in or out, won, lost or handed over there, or changed value or expected
    /// close date there; an open stage left out had none of these, so every one of its lines is zero
    /// (<see cref="WaterfallLine.Zero"/>) and its moves are empty. <see cref="Stage(StageId)"/> looks a stage up.
    /// </summary>
    public IReadOnlyList<StageWaterfall> Stages { get; }

    /// <summary>The team's waterfall of the whole open pipeline: the sum of <see cref="Stages"/>.</summary>
    public StageWaterfall Total { get; }

    /// <summary>Informational, outside the sums: clients not yet entered as of the start and won as of the end (entered and won within the period), values as of the end.</summary>
    public WaterfallLine EnteredAndWon { get; }

    /// <summary>Informational, outside the sums: clients not yet entered as of the start and lost as of the end, values as of the end.</summary>
    public WaterfallLine EnteredAndLost { get; }

    /// <summary>The same per owner, ordered by owner id; owners the owner condition drops, or with nothing counted, are left out.</summary>
    public IReadOnlyList<OwnerWaterfall> ByOwner { get; }

    /// <summary>
    /// The stage matrix: the clients per (state as of the start, state as of the end), with their values at both
    /// instants; cells with no client (and the not-entered to not-entered cell) are left out. Rows are ordered by their
    /// start state, then end state: not entered, the open stages in pipeline order, won, lost. The clients of the cells
    /// in a start state are the <see cref="StageCounts"/> as of the start; of those in an end state, as of the end.
    /// </summary>
    public IReadOnlyList<StageMatrixCell> Matrix { get; }

    /// <summary>The team's waterfall of <paramref name="stage"/>: its row of <see cref="Stages"/>, or <see langword="null"/> when the stage is not listed (every line of it zero, or not an open stage of the pipeline).</summary>
    /// <param name="stage">The stage.</param>
    /// <returns>The row, or <see langword="null"/>.</returns>
    public StageWaterfall? Stage(StageId stage) => _rows.Find(stage);

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(PipelineWaterfall? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && PipelineId.Equals(other.PipelineId)
            && Start.Equals(other.Start)
            && End.Equals(other.End)
            && string.Equals(TimeZone, other.TimeZone, StringComparison.Ordinal)
            && FirstDay.Equals(other.FirstDay)
            && LastDay.Equals(other.LastDay)
            && ValueEquality.Sequence(Stages, other.Stages)
            && Total.Equals(other.Total)
            && EnteredAndWon.Equals(other.EnteredAndWon)
            && EnteredAndLost.Equals(other.EnteredAndLost)
            && ValueEquality.Sequence(ByOwner, other.ByOwner)
            && ValueEquality.Sequence(Matrix, other.Matrix));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as PipelineWaterfall);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(PipelineId, Start, End, TimeZone, Stages.Count, Total, ByOwner.Count, Matrix.Count);
}
