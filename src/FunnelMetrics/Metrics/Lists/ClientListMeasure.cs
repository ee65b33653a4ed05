namespace FunnelMetrics.Metrics;

/// <summary>
/// Which count a <see cref="ClientList"/> lists the rows behind. The first four and <see cref="Slipped"/> are states as of an instant
/// (<see cref="ClientListQuery.AsOf"/>): one row per client. The others are events in a window
/// (<see cref="ClientListQuery.Window"/>, <c>[start, end)</c>): one row per event counted, so a client that entered a
/// stage twice in the window is listed twice, and the list's total is the count it stands behind.
/// </summary>
public enum ClientListMeasure
{
    /// <summary>Clients in <see cref="ClientListQuery.Stage"/> (required) as of the instant: the won stage's are the won clients. The rows behind <see cref="StageCount.Clients"/>.</summary>
    InStage,

    /// <summary>Open clients as of the instant, in <see cref="ClientListQuery.Stage"/> if given: the rows behind <see cref="StageCounts.InWork"/>.</summary>
    InWork,

    /// <summary>Lost clients as of the instant, lost from <see cref="ClientListQuery.Stage"/> if given: the rows behind <see cref="StageCounts.Lost"/>.</summary>
    ClosedLost,

    /// <summary>Stalled clients as of the instant (the stall options' thresholds), in <see cref="ClientListQuery.Stage"/> if given, the most overdue first: the rows behind <see cref="StageStall.Stalled"/>.</summary>
    Stalled,

    /// <summary>First entries into the pipeline in the window, into <see cref="ClientListQuery.Stage"/> if given: the rows behind <see cref="StageFlow.New"/> and <see cref="FlowTotals.New"/>.</summary>
    New,

    /// <summary>Moves into <see cref="ClientListQuery.Stage"/> (every stage if not given) in the window, first entries, regressions and reopens included: the rows behind <see cref="StageFlow.Entered"/>.</summary>
    Entered,

    /// <summary>Forward moves (advances, skips, wins) out of <see cref="ClientListQuery.Stage"/> (any stage if not given) in the window: the rows behind <see cref="StageFlow.AdvancedOut"/> and <see cref="FlowTotals.ForwardMoves"/>.</summary>
    MovedForward,

    /// <summary>Regressions out of <see cref="ClientListQuery.Stage"/> (any if not given) in the window: the rows behind <see cref="StageFlow.RegressedOut"/> and <see cref="FlowTotals.Regressions"/>.</summary>
    Regressed,

    /// <summary>Wins in the window: the moves into the won stage, the rows behind <see cref="FlowTotals.Wins"/>.</summary>
    Won,

    /// <summary>Losses in the window, from <see cref="ClientListQuery.Stage"/> if given: the rows behind <see cref="StageFlow.Lost"/> and <see cref="FlowTotals.Losses"/>.</summary>
    Lost,

    /// <summary>Reopens in the window, into <see cref="ClientListQuery.Stage"/> if given: the rows behind <see cref="StageFlow.Reopened"/> and <see cref="FlowTotals.Reopens"/>.</summary>
    Reopened,

    /// <summary>
    /// Open clients as of the instant whose expected close date is before the instant's local day
    /// (<see cref="ClientListQuery.TimeZone"/>, required), in <see cref="ClientListQuery.Stage"/> if given, the most overdue
    /// first: the rows behind <see cref="SlippedClients.Slipped"/> and <see cref="StageSlip.Slipped"/>.
    /// </summary>
    Slipped,
}
