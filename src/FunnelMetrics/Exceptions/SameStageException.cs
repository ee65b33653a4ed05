namespace FunnelMetrics;

/// <summary>A move to the stage the client is already in was refused (<see cref="FunnelRule.SameStage"/>). Record an activity instead.</summary>
public sealed class SameStageException : FunnelRuleException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="clientId">The client.</param>
    /// <param name="stage">The stage the client is in and was asked to move to.</param>
    /// <param name="occurredAt">The instant of the refused move.</param>
    public SameStageException(ClientId clientId, StageId stage, DateTimeOffset occurredAt)
        : base(FunnelRule.SameStage, clientId, occurredAt, $"Client '{clientId}' is already in stage '{stage}'; a move at {occurredAt:O} to the same stage is not a transition. To record work done without a stage change, record an activity.")
    {
        Stage = stage;
    }

    /// <summary>The stage the client is in.</summary>
    public StageId Stage { get; }
}
