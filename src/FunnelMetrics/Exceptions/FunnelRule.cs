namespace FunnelMetrics;

/// <summary>The recording rule a <see cref="FunnelRuleException"/> reports as broken.</summary>
public enum FunnelRule
{
    /// <summary>A move to the stage the client is already in (<see cref="SameStageException"/>).</summary>
    SameStage = 0,

    /// <summary>A move or loss of a won or lost client; only a reopen is allowed (<see cref="ClosedClientException"/>).</summary>
    ClientClosed = 1,

    /// <summary>A reopen of a client that is not won or lost.</summary>
    ReopenOfOpenClient = 2,

    /// <summary>A loss or reopen of a client that has not entered the pipeline yet.</summary>
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
}
