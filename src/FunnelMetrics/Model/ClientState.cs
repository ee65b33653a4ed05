using System.Text.Json.Serialization;

namespace FunnelMetrics;

/// <summary>
/// A client's position after a prefix of its history: the fold of its events in sequence order.
/// Immutable; <see cref="Apply"/> returns the next state.
/// </summary>
public sealed class ClientState
{
    [JsonConstructor]
    internal ClientState(ClientId clientId, PipelineId pipelineId, OwnerId owner, ClientStatus status, StageId? stage, DateTimeOffset? stageEnteredAt, DateTimeOffset? lastEventAt, DateTimeOffset? lastTouchedAt, long version)
    {
        // Checked here because JSON documents come through this constructor too.
        TextRules.NotDefault(clientId, "A client id", nameof(clientId));
        TextRules.NotDefault(pipelineId, "A pipeline id", nameof(pipelineId));
        TextRules.NotDefault(owner, "An owner", nameof(owner));
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        if (!Enum.IsDefined(status) || (status == ClientStatus.NotEntered) != (stage is null) || (stage is null) != (stageEnteredAt is null) || (version == 0) != (lastEventAt is null))
        {
            throw new ArgumentException($"The state of client '{clientId}' is inconsistent: status {status}, stage '{stage}', entered at {stageEnteredAt:O}, version {version}, last event at {lastEventAt:O}.", nameof(status));
        }

        ClientId = clientId;
        PipelineId = pipelineId;
        Owner = owner;
        Status = status;
        Stage = stage;
        StageEnteredAt = stageEnteredAt;
        LastEventAt = lastEventAt;
        LastTouchedAt = lastTouchedAt;
        Version = version;
    }

    /// <summary>The client.</summary>
    public ClientId ClientId { get; }

    /// <summary>The client's pipeline.</summary>
    public PipelineId PipelineId { get; }

    /// <summary>The owner responsible for the client now: the one it was added with, or the last reassignment's.</summary>
    public OwnerId Owner { get; }

    /// <summary>Whether the client is not yet entered, open, won or lost.</summary>
    public ClientStatus Status { get; }

    /// <summary>
    /// The client's stage: the open stage it is in, the won stage, or, when lost, the stage it was lost at;
    /// <see langword="null"/> before it entered.
    /// </summary>
    public StageId? Stage { get; }

    /// <summary>
    /// When the current status began: the start of the current stage visit while open or won, the instant of the
    /// loss while lost; <see langword="null"/> before entry.
    /// </summary>
    public DateTimeOffset? StageEnteredAt { get; }

    /// <summary>The instant of the last event of any kind, or <see langword="null"/> when there is none. New events may not be earlier.</summary>
    public DateTimeOffset? LastEventAt { get; }

    /// <summary>The instant of the last action with the client (a transition or an activity; reassignments do not count), or <see langword="null"/>.</summary>
    public DateTimeOffset? LastTouchedAt { get; }

    /// <summary>The number of events applied: the sequence of the last one, 0 when there is none. An append expects this version.</summary>
    public long Version { get; }

    /// <summary>The state of a client that has no events yet.</summary>
    /// <param name="client">The client.</param>
    /// <returns>A state with version 0 and status <see cref="ClientStatus.NotEntered"/>.</returns>
    public static ClientState Initial(Client client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ClientState(client.Id, client.PipelineId, client.Owner, ClientStatus.NotEntered, null, null, null, null, 0);
    }

    /// <summary>Folds a client's events, in sequence order, onto <see cref="Initial"/>.</summary>
    /// <param name="client">The client.</param>
    /// <param name="events">Its events in sequence order, starting at 1.</param>
    /// <returns>The state after the last event.</returns>
    /// <exception cref="ArgumentException">An event belongs to another client, is out of sequence or earlier than the one before.</exception>
    public static ClientState Replay(Client client, IEnumerable<ClientEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var state = Initial(client);
        foreach (var e in events)
        {
            state = state.Apply(e);
        }

        return state;
    }

    /// <summary>
    /// The state after <paramref name="clientEvent"/>. Checks that the event is the client's next one (same client and
    /// pipeline, sequence <see cref="Version"/> + 1, not earlier than <see cref="LastEventAt"/>) and that it can follow
    /// this state (an entry only before the first entry, a reopen only of a won or lost client, other transitions only of
    /// an open client and from its current stage, a reassignment only from the current owner). Checks that need the
    /// pipeline's stage order are the recorder's.
    /// </summary>
    /// <param name="clientEvent">The client's next event.</param>
    /// <returns>The new state.</returns>
    /// <exception cref="ArgumentException">The event is not this client's next event.</exception>
    public ClientState Apply(ClientEvent clientEvent)
    {
        ArgumentNullException.ThrowIfNull(clientEvent);
        if (clientEvent.ClientId != ClientId || clientEvent.PipelineId != PipelineId)
        {
            throw new ArgumentException($"Event '{clientEvent.Id}' belongs to client '{clientEvent.ClientId}' in pipeline '{clientEvent.PipelineId}', not to client '{ClientId}' in pipeline '{PipelineId}'.", nameof(clientEvent));
        }

        if (clientEvent.Sequence != Version + 1)
        {
            throw new ArgumentException($"Event '{clientEvent.Id}' of client '{ClientId}' has sequence {clientEvent.Sequence}; the next one must be {Version + 1}.", nameof(clientEvent));
        }

        if (LastEventAt is { } last && clientEvent.OccurredAt < last)
        {
            throw new ArgumentException($"Event '{clientEvent.Id}' of client '{ClientId}' occurred at {clientEvent.OccurredAt:O}, before the previous event at {last:O}.", nameof(clientEvent));
        }

        CheckFollows(clientEvent);
        var at = clientEvent.OccurredAt;
        return clientEvent switch
        {
            StageTransition { Kind: TransitionKind.Lost } =>
                new ClientState(ClientId, PipelineId, clientEvent.Owner, ClientStatus.Lost, Stage, at, at, at, clientEvent.Sequence),
            StageTransition { Kind: TransitionKind.Won } t =>
                new ClientState(ClientId, PipelineId, clientEvent.Owner, ClientStatus.Won, t.ToStage, at, at, at, clientEvent.Sequence),
            StageTransition t =>
                new ClientState(ClientId, PipelineId, clientEvent.Owner, ClientStatus.Open, t.ToStage, at, at, at, clientEvent.Sequence),
            ClientActivity =>
                new ClientState(ClientId, PipelineId, clientEvent.Owner, Status, Stage, StageEnteredAt, at, at, clientEvent.Sequence),
            _ =>
                new ClientState(ClientId, PipelineId, clientEvent.Owner, Status, Stage, StageEnteredAt, at, LastTouchedAt, clientEvent.Sequence),
        };
    }

    /// <summary>Refuses an event that cannot follow this state whatever the pipeline: it would corrupt every later state.</summary>
    private void CheckFollows(ClientEvent clientEvent)
    {
        var problem = clientEvent switch
        {
            StageTransition { Kind: TransitionKind.Entered } when Status != ClientStatus.NotEntered =>
                $"an entry, but the client already entered (it is {Status} at '{Stage}')",
            StageTransition { Kind: TransitionKind.Reopened } when Status is not (ClientStatus.Won or ClientStatus.Lost) =>
                $"a reopen, but the client is {Status}, not won or lost",
            StageTransition { Kind: not (TransitionKind.Entered or TransitionKind.Reopened) } t when Status != ClientStatus.Open =>
                $"{t.Kind}, but the client is {Status}, not open",
            StageTransition { Kind: not TransitionKind.Entered } t when t.FromStage != Stage =>
                $"a transition from stage '{t.FromStage}', but the client's stage is '{Stage}'",
            OwnerReassignment r when r.PreviousOwner != Owner =>
                $"a reassignment from '{r.PreviousOwner}', but the client's owner is '{Owner}'",
            _ => null,
        };

        if (problem is not null)
        {
            throw new ArgumentException($"Event '{clientEvent.Id}' (#{clientEvent.Sequence}) of client '{ClientId}' is {problem}.", nameof(clientEvent));
        }
    }

    /// <summary>The client, status, stage and version.</summary>
    /// <returns>A short description for logs.</returns>
    public override string ToString() => $"{ClientId} {Status} {(Stage is { } s ? s.Value : "-")} v{Version}, owner {Owner}";
}
