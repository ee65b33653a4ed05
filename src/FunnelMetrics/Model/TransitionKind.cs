namespace FunnelMetrics;

/// <summary>
/// What a stage transition did, derived from the pipeline's stage order and the client's state before it;
/// never typed in by the caller.
/// </summary>
public enum TransitionKind
{
    /// <summary>The client's first entry into the pipeline, at any stage except the won stage.</summary>
    Entered = 0,

    /// <summary>A forward move to the next stage (one position later), other than into the won stage.</summary>
    Advanced = 1,

    /// <summary>A forward move over one or more stages (two or more positions later), other than into the won stage.</summary>
    Skipped = 2,

    /// <summary>A move back to an earlier stage while the client is open.</summary>
    Regressed = 3,

    /// <summary>A move from an open stage into the won stage, from whichever position.</summary>
    Won = 4,

    /// <summary>The client was lost while open; the transition has no target stage and may carry a lost reason.</summary>
    Lost = 5,

    /// <summary>A won or lost client taken back into an open stage.</summary>
    Reopened = 6,
}
