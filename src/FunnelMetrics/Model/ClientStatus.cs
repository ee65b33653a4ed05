namespace FunnelMetrics;

/// <summary>Where a client stands in its pipeline.</summary>
public enum ClientStatus : byte
{
    /// <summary>Added but not yet entered into any stage.</summary>
    NotEntered = 0,

    /// <summary>In an open (non-won) stage: in work.</summary>
    Open = 1,

    /// <summary>In the won stage.</summary>
    Won = 2,

    /// <summary>Lost; <see cref="ClientState.Stage"/> holds the stage it was lost at.</summary>
    Lost = 3,
}
