namespace FunnelMetrics;

/// <summary>
/// A rule of the funnel: what a <see cref="FunnelRuleException"/> reports as refused by the recorder, what a
/// <see cref="FunnelHistoryException"/> reports as broken in a stored history, and what
/// <see cref="ClientState.CanMove(PipelineDefinition, StageId, out FunnelRule)"/> and its siblings answer before acting.
/// </summary>
public enum FunnelRule
{
    /// <summary>A move to the stage the client is already in (<see cref="SameStageException"/>).</summary>
    SameStage = 0,

    /// <summary>A move or loss of a won or lost client; only a reopen is allowed (<see cref="ClosedClientException"/>).</summary>
    ClientClosed = 1,

    /// <summary>A reopen of a client that is not won or lost.</summary>
    ReopenOfOpenClient = 2,

    /// <summary>A loss, reopen or any other transition but an entry, of a client that has not entered the pipeline yet.</summary>
    ClientNotEntered = 3,

    /// <summary>A first entry straight into the won stage; enter an open stage, then record the win.</summary>
    EntryIntoWonStage = 4,

    /// <summary>A reopen into the won stage; reopen into an open stage.</summary>
    ReopenIntoWonStage = 5,

    /// <summary>An event earlier than the client's previous event (<see cref="EventOrderException"/>).</summary>
    EventBeforePreviousEvent = 6,

    /// <summary>An event earlier than the client's creation (<see cref="EventOrderException"/>).</summary>
    EventBeforeClientCreated = 7,

    /// <summary>An event or client later than now plus the configured tolerance (<see cref="FutureEventException"/>).</summary>
    EventInFuture = 8,

    /// <summary>A reassignment to the owner the client already has.</summary>
    SameOwner = 9,

    /// <summary>A second entry: an <see cref="TransitionKind.Entered"/> transition of a client that has already entered (found in stored histories).</summary>
    AlreadyEntered = 10,

    /// <summary>A transition whose <see cref="StageTransition.FromStage"/> is not the client's current stage (found in stored histories).</summary>
    FromStageMismatch = 11,

    /// <summary>A move whose recorded kind is not the one the stage order gives, such as <see cref="TransitionKind.Advanced"/> over two stages (found in stored histories).</summary>
    KindContradictsStageOrder = 12,

    /// <summary>An event whose sequence is not the client's version + 1: a gap or a duplicate (found in stored histories).</summary>
    SequenceNotNext = 13,

    /// <summary>A stage the pipeline does not have (<see cref="UnknownStageException"/> from the recorder).</summary>
    UnknownStage = 14,

    /// <summary>A reassignment whose <see cref="OwnerReassignment.PreviousOwner"/> is not the client's owner (found in stored histories).</summary>
    ReassignmentFromOtherOwner = 15,
}
