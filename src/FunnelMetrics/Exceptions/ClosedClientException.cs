namespace FunnelMetrics;

/// <summary>
/// A move or loss of a won or lost client was refused (<see cref="FunnelRule.ClientClosed"/>): a closed client
/// only leaves its outcome through a reopen.
/// </summary>
public sealed class ClosedClientException : FunnelRuleException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="clientId">The client.</param>
    /// <param name="status">Its status: <see cref="ClientStatus.Won"/> or <see cref="ClientStatus.Lost"/>.</param>
    /// <param name="stage">The won stage, or the stage the client was lost at.</param>
    /// <param name="requestedStage">The stage the refused move asked for, or <see langword="null"/> for a loss.</param>
    /// <param name="occurredAt">The instant of the refused event.</param>
    public ClosedClientException(ClientId clientId, ClientStatus status, StageId? stage, StageId? requestedStage, DateTimeOffset occurredAt)
        : base(FunnelRule.ClientClosed, clientId, occurredAt, $"Client '{clientId}' is {status.ToString().ToLowerInvariant()} (at stage '{stage}'); the {(requestedStage is { } r ? $"move to stage '{r}'" : "loss")} at {occurredAt:O} is refused. Reopen the client first.")
    {
        Status = status;
        Stage = stage;
        RequestedStage = requestedStage;
    }

    /// <summary>The client's status: won or lost.</summary>
    public ClientStatus Status { get; }

    /// <summary>The won stage, or the stage the client was lost at.</summary>
    public StageId? Stage { get; }

    /// <summary>The stage the refused move asked for, or <see langword="null"/> for a loss.</summary>
    public StageId? RequestedStage { get; }
}
