namespace FunnelMetrics.Metrics;

/// <summary>What a client's idle time is measured from, for stall detection.</summary>
public enum StallClock
{
    /// <summary>From the start of its current stage visit: the time in stage. The default.</summary>
    TimeInStage = 0,

    /// <summary>
    /// From its last action: its last transition or activity, so recording a follow-up call resets the clock (as CRMs'
    /// "rotting deals" do). Reassignments are not actions with the client and do not reset it.
    /// </summary>
    LastTouch = 1,
}
