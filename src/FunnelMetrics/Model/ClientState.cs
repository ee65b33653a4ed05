using System.Text.Json.Serialization;

namespace FunnelMetrics;

/// <summary>
/// A client's position after a prefix of its history: the fold of its events in sequence order.
/// Immutable; <see cref="Apply"/> returns the next state.
/// </summary>
public sealed class ClientState : IEquatable<ClientState>
{
    /// <summary>
    /// Creates a state, as a storage adapter does when it reads back the latest state it keeps per client
    /// (<see cref="Storage.IFunnelEventStore.ReadStateAsync"/>). Other code obtains states from <see cref="Initial(Client)"/>
    /// and <see cref="Apply"/>.
    /// </summary>
    /// <param name="clientId">The client.</param>
    /// <param name="pipelineId">The client's pipeline.</param>
    /// <param name="owner">The current owner.</param>
    /// <param name="status">The status.</param>
    /// <param name="stage">The stage; <see langword="null"/> exactly when not entered.</param>
    /// <param name="stageEnteredAt">When the current status began; <see langword="null"/> exactly when not entered.</param>
    /// <param name="lastEventAt">The last event's instant; <see langword="null"/> exactly when <paramref name="version"/> is 0.</param>
    /// <param name="lastTouchedAt">The last action's instant, or <see langword="null"/>.</param>
    /// <param name="version">The number of events applied, 0 or more.</param>
    /// <exception cref="ArgumentException">The values contradict each other; the message names them.</exception>
    [JsonConstructor]
    public ClientState(ClientId clientId, PipelineId pipelineId, OwnerId owner, ClientStatus status, StageId? stage, DateTimeOffset? stageEnteredAt, DateTimeOffset? lastEventAt, DateTimeOffset? lastTouchedAt, long version)
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

    /// <summary>The instant of the last action with the client (a transition or an activity; reassignments and client updates do not count), or <see langword="null"/>.</summary>
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

    /// <summary>
    /// The state of a client before its first event, known from the event alone: version 0, not entered, owned by the
    /// event's owner (by the previous owner when the event is a reassignment). A store that keeps each client's latest
    /// state starts the fold of a new stream here, without reading the client's record.
    /// </summary>
    /// <param name="firstEvent">The client's first event, of sequence 1.</param>
    /// <returns>The state <see cref="Apply"/> takes the first event onto.</returns>
    /// <exception cref="ArgumentException">The event is not of sequence 1.</exception>
    public static ClientState Before(ClientEvent firstEvent)
    {
        ArgumentNullException.ThrowIfNull(firstEvent);
        if (firstEvent.Sequence != 1)
        {
            throw new ArgumentException($"Event '{firstEvent.Id}' of client '{firstEvent.ClientId}' has sequence {firstEvent.Sequence}; the state before a stream starts from its first event, of sequence 1.", nameof(firstEvent));
        }

        var owner = firstEvent is OwnerReassignment r ? r.PreviousOwner : firstEvent.Owner;
        return new ClientState(firstEvent.ClientId, firstEvent.PipelineId, owner, ClientStatus.NotEntered, null, null, null, null, 0);
    }

    /// <summary>Folds a client's events, in sequence order, onto <see cref="Initial(Client)"/>.</summary>
    /// <param name="client">The client.</param>
    /// <param name="events">Its events in sequence order, starting at 1.</param>
    /// <returns>The state after the last event.</returns>
    /// <exception cref="FunnelHistoryException">An event is out of sequence, earlier than the one before, or cannot follow the state before it.</exception>
    /// <exception cref="ArgumentException">An event belongs to another client.</exception>
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
    /// this state by the funnel's rule table (an entry only before the first entry, a reopen only of a won or lost client,
    /// other transitions only of an open client, and from its current stage; a reassignment only from the current
    /// owner; an activity or a client update in any status). Checks that need the pipeline's stage order (is this really
    /// <see cref="TransitionKind.Advanced"/>?) are the recorder's, the metrics log's and the live view's. A
    /// <see cref="ClientUpdate"/> moves only the version and the last event's instant: it keeps the owner (whatever its
    /// <see cref="ClientEvent.Owner"/> says), the status, the stage and <see cref="LastTouchedAt"/>.
    /// </summary>
    /// <param name="clientEvent">The client's next event.</param>
    /// <returns>The new state.</returns>
    /// <exception cref="FunnelHistoryException">
    /// The event is not this client's next event, or cannot follow this state; <see cref="FunnelHistoryException.Rule"/>
    /// names the rule (<see cref="FunnelRule.SequenceNotNext"/>, <see cref="FunnelRule.EventBeforePreviousEvent"/>,
    /// <see cref="FunnelRule.AlreadyEntered"/>, <see cref="FunnelRule.ReassignmentFromOtherOwner"/>...).
    /// </exception>
    /// <exception cref="ArgumentException">The event belongs to another client or pipeline.</exception>
    public ClientState Apply(ClientEvent clientEvent)
    {
        ArgumentNullException.ThrowIfNull(clientEvent);
        if (clientEvent.ClientId != ClientId || clientEvent.PipelineId != PipelineId)
        {
            throw new ArgumentException($"Event '{clientEvent.Id}' belongs to client '{clientEvent.ClientId}' in pipeline '{clientEvent.PipelineId}', not to client '{ClientId}' in pipeline '{PipelineId}'.", nameof(clientEvent));
        }

        if (clientEvent.Sequence != Version + 1)
        {
            throw TransitionRules.SequenceBroken(clientEvent, Version + 1, nameof(clientEvent));
        }

        if (LastEventAt is { } last && clientEvent.OccurredAt < last)
        {
            throw TransitionRules.InstantBroken(clientEvent, first: false, last, nameof(clientEvent));
        }

        var status = CheckFollows(clientEvent);
        var at = clientEvent.OccurredAt;
        return clientEvent switch
        {
            StageTransition { Kind: TransitionKind.Lost } =>
                new ClientState(ClientId, PipelineId, clientEvent.Owner, status, Stage, at, at, at, clientEvent.Sequence),
            StageTransition t =>
                new ClientState(ClientId, PipelineId, clientEvent.Owner, status, t.ToStage, at, at, at, clientEvent.Sequence),
            ClientActivity =>
                new ClientState(ClientId, PipelineId, clientEvent.Owner, Status, Stage, StageEnteredAt, at, at, clientEvent.Sequence),

            // An update changes the client's details only: not its owner (its Owner field is informational), not its
            // stage, and it is no action with the client (the last touch stays).
            ClientUpdate =>
                new ClientState(ClientId, PipelineId, Owner, Status, Stage, StageEnteredAt, at, LastTouchedAt, clientEvent.Sequence),
            _ =>
                new ClientState(ClientId, PipelineId, clientEvent.Owner, Status, Stage, StageEnteredAt, at, LastTouchedAt, clientEvent.Sequence),
        };
    }

    /// <summary>
    /// Whether the funnel's rules let this client move to <paramref name="stage"/> now, as
    /// <c>FunnelRecorder.MoveAsync</c> would: the stage is the pipeline's; before the first entry, any stage but the
    /// won stage (the move is an entry); while open, any stage but the current one (the stage order makes it advanced,
    /// skipped, regressed or won); never while won or lost (reopen instead).
    /// </summary>
    /// <remarks>
    /// Only the state's rules are asked: the instant of a move (not before <see cref="LastEventAt"/> nor the client's
    /// creation, not in the future), the event id and a concurrent writer are the recorder's to check when it records.
    /// </remarks>
    /// <param name="pipeline">The client's pipeline.</param>
    /// <param name="stage">The stage to move to.</param>
    /// <param name="rule">
    /// When the answer is <see langword="false"/>, the rule the move would break: <see cref="FunnelRule.UnknownStage"/>,
    /// <see cref="FunnelRule.EntryIntoWonStage"/>, <see cref="FunnelRule.ClientClosed"/> or <see cref="FunnelRule.SameStage"/>;
    /// <see langword="default"/> otherwise.
    /// </param>
    /// <returns>Whether the recorder would record the move.</returns>
    /// <exception cref="ArgumentException">The pipeline is not the client's, or <paramref name="stage"/> is the unset default.</exception>
    public bool CanMove(PipelineDefinition pipeline, StageId stage, out FunnelRule rule) =>
        CanMove(pipeline, stage, out _, out rule);

    /// <summary>
    /// Whether the funnel's rules let this client be marked lost now, as <c>FunnelRecorder.MarkLostAsync</c> would:
    /// only while open.
    /// </summary>
    /// <remarks>Only the state's rules are asked, as for <see cref="CanMove(PipelineDefinition, StageId, out FunnelRule)"/>.</remarks>
    /// <param name="rule">
    /// When the answer is <see langword="false"/>, the rule the loss would break: <see cref="FunnelRule.ClientNotEntered"/>
    /// or <see cref="FunnelRule.ClientClosed"/>; <see langword="default"/> otherwise.
    /// </param>
    /// <returns>Whether the recorder would record the loss.</returns>
    public bool CanLose(out FunnelRule rule) => Answer(TransitionRules.Allows(Status, TransitionKind.Lost, out _, out rule), ref rule);

    /// <summary>
    /// Whether the funnel's rules let this client be reopened into <paramref name="stage"/> now, as
    /// <c>FunnelRecorder.ReopenAsync</c> would: only while won or lost, into any stage of the pipeline but the won stage
    /// (the stage it was lost at included).
    /// </summary>
    /// <remarks>Only the state's rules are asked, as for <see cref="CanMove(PipelineDefinition, StageId, out FunnelRule)"/>.</remarks>
    /// <param name="pipeline">The client's pipeline.</param>
    /// <param name="stage">The open stage to reopen into.</param>
    /// <param name="rule">
    /// When the answer is <see langword="false"/>, the rule the reopen would break: <see cref="FunnelRule.UnknownStage"/>,
    /// <see cref="FunnelRule.ClientNotEntered"/>, <see cref="FunnelRule.ReopenOfOpenClient"/> or
    /// <see cref="FunnelRule.ReopenIntoWonStage"/>; <see langword="default"/> otherwise.
    /// </param>
    /// <returns>Whether the recorder would record the reopen.</returns>
    /// <exception cref="ArgumentException">The pipeline is not the client's, or <paramref name="stage"/> is the unset default.</exception>
    public bool CanReopen(PipelineDefinition pipeline, StageId stage, out FunnelRule rule)
    {
        var to = Target(pipeline, stage);
        return to < 0
            ? Refuse(FunnelRule.UnknownStage, out rule)
            : Answer(TransitionRules.Check(pipeline, Status, StageIndexIn(pipeline), TransitionKind.Reopened, to, out _, out rule), ref rule);
    }

    /// <summary>
    /// Whether the funnel's rules let this client be handed to <paramref name="owner"/> now, as
    /// <c>FunnelRecorder.ReassignAsync</c> would: in any status, to anyone but the current <see cref="Owner"/>.
    /// </summary>
    /// <remarks>Only the state's rules are asked, as for <see cref="CanMove(PipelineDefinition, StageId, out FunnelRule)"/>.</remarks>
    /// <param name="owner">The new owner.</param>
    /// <param name="rule">When the answer is <see langword="false"/>, <see cref="FunnelRule.SameOwner"/>; <see langword="default"/> otherwise.</param>
    /// <returns>Whether the recorder would record the reassignment.</returns>
    /// <exception cref="ArgumentException"><paramref name="owner"/> is the unset default.</exception>
    public bool CanReassign(OwnerId owner, out FunnelRule rule)
    {
        TextRules.NotDefault(owner, "The new owner", nameof(owner));
        rule = default;
        return owner != Owner || Refuse(FunnelRule.SameOwner, out rule);
    }

    /// <summary>What a move request records: the kind from the rule table and the stage order, or the rule it breaks. The recorder's and <see cref="CanMove(PipelineDefinition, StageId, out FunnelRule)"/>'s one answer.</summary>
    internal bool CanMove(PipelineDefinition pipeline, StageId stage, out TransitionKind kind, out FunnelRule rule)
    {
        var to = Target(pipeline, stage);
        if (to < 0)
        {
            kind = default;
            return Refuse(FunnelRule.UnknownStage, out rule);
        }

        var from = StageIndexIn(pipeline);
        kind = TransitionRules.KindOfMove(pipeline, Status, from, to);
        return Answer(TransitionRules.Check(pipeline, Status, from, kind, to, out _, out rule), ref rule);
    }

    /// <summary>The index of <see cref="Stage"/> in the pipeline, or <see cref="TransitionRules.NoStage"/> before entry.</summary>
    internal int StageIndexIn(PipelineDefinition pipeline) => Stage is { } s ? pipeline.IndexOf(s) : TransitionRules.NoStage;

    private static bool Answer(bool allowed, ref FunnelRule rule)
    {
        if (allowed)
        {
            rule = default;
        }

        return allowed;
    }

    private static bool Refuse(FunnelRule broken, out FunnelRule rule)
    {
        rule = broken;
        return false;
    }

    /// <summary>The index of a target stage in the client's pipeline, or -1 when the pipeline lacks it.</summary>
    private int Target(PipelineDefinition pipeline, StageId stage)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        TextRules.NotDefault(stage, "The target stage", nameof(stage));
        if (pipeline.Id != PipelineId)
        {
            throw new ArgumentException($"Client '{ClientId}' is in pipeline '{PipelineId}', not in '{pipeline.Id}'.", nameof(pipeline));
        }

        return pipeline.IndexOf(stage);
    }

    /// <summary>
    /// Refuses an event that cannot follow this state whatever the pipeline, by the rule table: it would corrupt every
    /// later state. Returns the status after it.
    /// </summary>
    private ClientStatus CheckFollows(ClientEvent clientEvent)
    {
        switch (clientEvent)
        {
            case StageTransition t:
                if (!TransitionRules.Allows(Status, t.Kind, out var next, out var broken))
                {
                    throw TransitionRules.TransitionBroken(t, broken, Status, Stage, nameof(clientEvent));
                }

                if (t.Kind != TransitionKind.Entered && t.FromStage != Stage)
                {
                    throw TransitionRules.TransitionBroken(t, FunnelRule.FromStageMismatch, Status, Stage, nameof(clientEvent));
                }

                return next;
            case OwnerReassignment r when r.PreviousOwner != Owner:
                throw TransitionRules.OwnerBroken(r, Owner, nameof(clientEvent));
            default:
                return Status;
        }
    }

    /// <summary>Whether two states agree in every property.</summary>
    /// <param name="other">The other state.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public bool Equals(ClientState? other) =>
        other is not null
        && ClientId == other.ClientId
        && PipelineId == other.PipelineId
        && Owner == other.Owner
        && Status == other.Status
        && Stage == other.Stage
        && StageEnteredAt == other.StageEnteredAt
        && LastEventAt == other.LastEventAt
        && LastTouchedAt == other.LastTouchedAt
        && Version == other.Version;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ClientState);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ClientId, Status, Stage, Version);

    /// <summary>The client, status, stage and version.</summary>
    /// <returns>A short description for logs.</returns>
    public override string ToString() => $"{ClientId} {Status} {(Stage is { } s ? s.Value : "-")} v{Version}, owner {Owner}";
}
