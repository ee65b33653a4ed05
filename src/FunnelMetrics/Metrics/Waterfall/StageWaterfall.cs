using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// The waterfall of one open stage (or of every open stage together, <see cref="PipelineWaterfall.Total"/>) between the
/// waterfall's start and end: the clients open there as of the start, what came in, what went out, and the clients open
/// there as of the end. The parts add up exactly, by count and by value:
/// <c>OpenAtStart + New + Reopened + HandedOverIn + MovedInTotal − MovedOutTotal − Won − Lost − HandedOverOut = OpenAtEnd</c>
/// in clients, and in value the same plus <c>ValueIncreased − ValueDecreased + ValueBecameKnown − ValueBecameUnknown</c>.
/// </summary>
/// <remarks>
/// A client leaving the stage leaves with its value as of the start; a client arriving from outside the open pipeline
/// (<see cref="New"/>, <see cref="Reopened"/>) arrives with its value as of the end; a client moving between open stages
/// or staying carries its start value, and its change (as of the end minus as of the start) is a value-change line of
/// its end stage. The unknown values add up too:
/// <c>OpenAtStart + New + Reopened + HandedOverIn + MovedInTotal − MovedOutTotal − Won − Lost − HandedOverOut − ValueBecameKnown.Clients + ValueBecameUnknown.Clients = OpenAtEnd</c>
/// in <see cref="WaterfallLine.UnknownValues"/>. <see cref="CloseDatePushedOut"/> and <see cref="CloseDatePulledIn"/>
/// are informational, outside the sums.
/// </remarks>
public sealed class StageWaterfall : IEquatable<StageWaterfall>
{
    [JsonConstructor]
    internal StageWaterfall(
        StageId? stage,
        WaterfallLine openAtStart,
        WaterfallLine @new,
        WaterfallLine reopened,
        WaterfallLine handedOverIn,
        IReadOnlyList<WaterfallMove> movedIn,
        WaterfallLine movedInTotal,
        IReadOnlyList<WaterfallMove> movedOut,
        WaterfallLine movedOutTotal,
        WaterfallLine won,
        WaterfallLine lost,
        WaterfallLine handedOverOut,
        WaterfallLine valueIncreased,
        WaterfallLine valueDecreased,
        WaterfallLine valueBecameKnown,
        WaterfallLine valueBecameUnknown,
        WaterfallLine openAtEnd,
        WaterfallLine closeDatePushedOut,
        WaterfallLine closeDatePulledIn)
    {
        Stage = stage;
        OpenAtStart = openAtStart;
        New = @new;
        Reopened = reopened;
        HandedOverIn = handedOverIn;
        MovedIn = movedIn;
        MovedInTotal = movedInTotal;
        MovedOut = movedOut;
        MovedOutTotal = movedOutTotal;
        Won = won;
        Lost = lost;
        HandedOverOut = handedOverOut;
        ValueIncreased = valueIncreased;
        ValueDecreased = valueDecreased;
        ValueBecameKnown = valueBecameKnown;
        ValueBecameUnknown = valueBecameUnknown;
        OpenAtEnd = openAtEnd;
        CloseDatePushedOut = closeDatePushedOut;
        CloseDatePulledIn = closeDatePulledIn;
    }

    /// <summary>The open stage, or <see langword="null"/> for the total over every open stage.</summary>
    public StageId? Stage { get; }

    /// <summary>Clients open at the stage as of the start (their owner then), values as of the start: <see cref="StageCounts"/> at the start.</summary>
    public WaterfallLine OpenAtStart { get; }

    /// <summary>Clients not yet entered as of the start and open at the stage as of the end, values as of the end.</summary>
    public WaterfallLine New { get; }

    /// <summary>Clients won or lost as of the start and open at the stage as of the end (reopened in the period), values as of the end.</summary>
    public WaterfallLine Reopened { get; }

    /// <summary>
    /// Clients open as of both instants whose owner changed, counted for the end owner at their start stage, values as of
    /// the start (they then move on from there like the owner's other clients); the other side of <see cref="HandedOverOut"/>.
    /// For the team both sides appear only when the owner condition keeps one of the two owners.
    /// </summary>
    public WaterfallLine HandedOverIn { get; }

    /// <summary>Clients open at another stage as of the start and at this one as of the end, per stage they came from (pipeline order, empty moves left out), values as of the start; empty in the total.</summary>
    public IReadOnlyList<WaterfallMove> MovedIn { get; }

    /// <summary>The sum of <see cref="MovedIn"/>; in the total, every move between open stages (equal to <see cref="MovedOutTotal"/> there).</summary>
    public WaterfallLine MovedInTotal { get; }

    /// <summary>Clients open at this stage as of the start and at another as of the end, per stage they went to (pipeline order, empty moves left out), values as of the start; empty in the total.</summary>
    public IReadOnlyList<WaterfallMove> MovedOut { get; }

    /// <summary>The sum of <see cref="MovedOut"/>.</summary>
    public WaterfallLine MovedOutTotal { get; }

    /// <summary>Clients open at the stage as of the start and won as of the end, values as of the start.</summary>
    public WaterfallLine Won { get; }

    /// <summary>Clients open at the stage as of the start and lost as of the end, values as of the start.</summary>
    public WaterfallLine Lost { get; }

    /// <summary>Clients open at the stage as of the start and open as of the end under another owner, counted for the start owner, values as of the start.</summary>
    public WaterfallLine HandedOverOut { get; }

    /// <summary>Clients open as of both instants, at this stage as of the end, whose known value rose: <see cref="WaterfallLine.Value"/> is the sum of the rises.</summary>
    public WaterfallLine ValueIncreased { get; }

    /// <summary>The same for values that fell: <see cref="WaterfallLine.Value"/> is the sum of the falls (subtracted).</summary>
    public WaterfallLine ValueDecreased { get; }

    /// <summary>Clients open as of both instants, at this stage as of the end, whose value was unknown as of the start and known as of the end: the end values (added).</summary>
    public WaterfallLine ValueBecameKnown { get; }

    /// <summary>Clients open as of both instants, at this stage as of the end, whose value was known as of the start and unknown as of the end: the start values (subtracted).</summary>
    public WaterfallLine ValueBecameUnknown { get; }

    /// <summary>Clients open at the stage as of the end (their owner then), values as of the end: <see cref="StageCounts"/> at the end.</summary>
    public WaterfallLine OpenAtEnd { get; }

    /// <summary>
    /// Informational, outside the sums: clients open as of both instants, at this stage as of the end, whose expected close
    /// date as of the start fell within the period's days and as of the end falls after them; values as of the end.
    /// </summary>
    public WaterfallLine CloseDatePushedOut { get; }

    /// <summary>Informational, outside the sums: the same for dates after the period's days as of the start and within them as of the end.</summary>
    public WaterfallLine CloseDatePulledIn { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(StageWaterfall? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Nullable.Equals(Stage, other.Stage)
            && OpenAtStart.Equals(other.OpenAtStart)
            && New.Equals(other.New)
            && Reopened.Equals(other.Reopened)
            && HandedOverIn.Equals(other.HandedOverIn)
            && ValueEquality.Sequence(MovedIn, other.MovedIn)
            && MovedInTotal.Equals(other.MovedInTotal)
            && ValueEquality.Sequence(MovedOut, other.MovedOut)
            && MovedOutTotal.Equals(other.MovedOutTotal)
            && Won.Equals(other.Won)
            && Lost.Equals(other.Lost)
            && HandedOverOut.Equals(other.HandedOverOut)
            && ValueIncreased.Equals(other.ValueIncreased)
            && ValueDecreased.Equals(other.ValueDecreased)
            && ValueBecameKnown.Equals(other.ValueBecameKnown)
            && ValueBecameUnknown.Equals(other.ValueBecameUnknown)
            && OpenAtEnd.Equals(other.OpenAtEnd)
            && CloseDatePushedOut.Equals(other.CloseDatePushedOut)
            && CloseDatePulledIn.Equals(other.CloseDatePulledIn));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StageWaterfall);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Stage, OpenAtStart, OpenAtEnd, MovedIn.Count, MovedOut.Count);
}
