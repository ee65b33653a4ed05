namespace FunnelMetrics.Import;

/// <summary>What one imported record says happened to its client.</summary>
public enum ImportAction : byte
{
    /// <summary>
    /// The client reached <see cref="ImportRecord.Stage"/>: its first entry, a move forward, back or to the won stage
    /// while it is open, or a reopen when it is won or lost. The importer classifies it as the recorder would.
    /// </summary>
    ReachedStage = 0,

    /// <summary>The client was lost, optionally with <see cref="ImportRecord.LostReason"/>.</summary>
    Lost = 1,

    /// <summary>An action with the client that changes no stage (a call, a meeting, an email).</summary>
    Activity = 2,
}
