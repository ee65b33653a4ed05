using FunnelMetrics.Diagnostics;
using FunnelMetrics.Storage;
using Microsoft.Extensions.Options;

namespace FunnelMetrics.Recording;

/// <summary>
/// Records what happens to clients: the CRM's write side of FunnelMetrics. Each call checks the funnel's rules
/// against the client's stored state (read in one call, whatever its history's length) and appends at most one event;
/// a refused call throws and writes nothing.
/// </summary>
/// <remarks>
/// <para>
/// Every recording method takes an optional <c>eventId</c>, the idempotency key. Repeating a call with the same id
/// and the same request returns the event stored the first time, without writing; the same id with a different
/// request throws <see cref="EventIdConflictException"/>. Without an id a fresh one is generated, so a blind retry
/// of such a call records the event twice: pass ids when the caller may retry.
/// </para>
/// <para>
/// When <c>occurredAt</c> is omitted the event happens "now", read from the <see cref="TimeProvider"/> (or at the
/// client's creation or last event, when clock skew put those a little ahead of now); a retry of such a request
/// then matches the stored event whatever its instant.
/// </para>
/// <para>
/// Two writers of one client race on the client's version: the store accepts only one append per version, and the
/// loser gets a <see cref="ConcurrencyConflictException"/>, or is retried under
/// <see cref="RecordingOptions.ConcurrencyRetries"/> with every rule checked again. A move is never overwritten or lost.
/// </para>
/// <para>Thread-safe: it holds no state of its own beyond its dependencies.</para>
/// </remarks>
public sealed class FunnelRecorder
{
    private readonly IPipelineRepository _pipelines;
    private readonly IClientRepository _clients;
    private readonly IFunnelEventStore _events;
    private readonly TimeProvider _timeProvider;
    private readonly RecordingOptions _options;
    private readonly FunnelMetricsInstrumentation? _instrumentation;

    /// <summary>Creates a recorder over the given storage.</summary>
    /// <param name="pipelines">Where pipeline definitions are read.</param>
    /// <param name="clients">Where clients are stored.</param>
    /// <param name="events">Where client events are appended.</param>
    /// <param name="timeProvider">The source of "now" for the future check, defaulted instants and <see cref="ClientEvent.RecordedAt"/>.</param>
    /// <param name="options">The future tolerance and concurrency retries (the options graph's <c>Recording</c> section); validated here too, for use without a host.</param>
    /// <exception cref="OptionsValidationException">The options are invalid; the message names the setting, such as <c>Recording.FutureTolerance</c>.</exception>
    public FunnelRecorder(IPipelineRepository pipelines, IClientRepository clients, IFunnelEventStore events, TimeProvider timeProvider, IOptions<RecordingOptions> options)
        : this(pipelines, clients, events, timeProvider, options, null)
    {
    }

    /// <summary>Creates a recorder over the given storage that counts what it stores and refuses on the <c>FunnelMetrics</c> meter (the constructor dependency injection uses).</summary>
    /// <param name="pipelines">Where pipeline definitions are read.</param>
    /// <param name="clients">Where clients are stored.</param>
    /// <param name="events">Where client events are appended.</param>
    /// <param name="timeProvider">The source of "now" for the future check, defaulted instants and <see cref="ClientEvent.RecordedAt"/>.</param>
    /// <param name="options">The future tolerance and concurrency retries (the options graph's <c>Recording</c> section); validated here too, for use without a host.</param>
    /// <param name="instrumentation">
    /// Where events stored (<c>funnelmetrics.recorder.events</c>) and refusals (<c>funnelmetrics.refusals</c>) are counted;
    /// <see langword="null"/> for none. An idempotent retry that returns the event stored first is not counted again.
    /// </param>
    /// <exception cref="OptionsValidationException">The options are invalid; the message names the setting, such as <c>Recording.FutureTolerance</c>.</exception>
    public FunnelRecorder(IPipelineRepository pipelines, IClientRepository clients, IFunnelEventStore events, TimeProvider timeProvider, IOptions<RecordingOptions> options, FunnelMetricsInstrumentation? instrumentation)
    {
        _pipelines = pipelines ?? throw new ArgumentNullException(nameof(pipelines));
        _clients = clients ?? throw new ArgumentNullException(nameof(clients));
        _events = events ?? throw new ArgumentNullException(nameof(events));
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value ?? throw new ArgumentException("The options hold no value.", nameof(options));
        OptionsCheck.ThrowIfInvalid(RecordingOptionsValidator.Instance, "Recording", _options);
        _instrumentation = instrumentation;
    }

    /// <summary>
    /// Adds a client to its pipeline without entering it into a stage; the first <see cref="MoveAsync"/> enters it.
    /// Adding an equal client again is a no-op.
    /// </summary>
    /// <param name="client">The client.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The client, equal to the one stored.</returns>
    /// <exception cref="UnknownPipelineException">The client's pipeline is not known.</exception>
    /// <exception cref="FutureEventException">The client's creation is later than now plus the tolerance.</exception>
    /// <exception cref="ClientConflictException">A different client with the same id exists.</exception>
    public async Task<Client> AddClientAsync(Client client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        _ = await _pipelines.GetAsync(client.PipelineId, cancellationToken).ConfigureAwait(false)
            ?? throw new UnknownPipelineException(client.PipelineId);
        try
        {
            FunnelRules.CheckFuture(client.Id, client.CreatedAt, _timeProvider.GetUtcNow(), _options.FutureTolerance);
        }
        catch (FunnelRuleException e) when (_instrumentation?.Refused(e, client.PipelineId) ?? false)
        {
            // Never entered: the filter counts the refusal and lets it go on.
            throw;
        }

        await _clients.AddAsync(client, cancellationToken).ConfigureAwait(false);
        return client;
    }

    /// <summary>
    /// Moves a client to a stage. The first move of a client enters it into the pipeline
    /// (<see cref="TransitionKind.Entered"/>); later moves are derived as advanced, skipped, regressed or won from the
    /// stage order.
    /// </summary>
    /// <param name="clientId">The client.</param>
    /// <param name="toStage">The stage reached.</param>
    /// <param name="occurredAt">When it happened; <see langword="null"/> for now.</param>
    /// <param name="note">The one action done with the client, optional, at most 1000 characters.</param>
    /// <param name="eventId">The idempotency key; <see langword="null"/> for a fresh one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The recorded transition.</returns>
    /// <exception cref="UnknownClientException">The client is not known.</exception>
    /// <exception cref="UnknownStageException">The stage is not in the client's pipeline.</exception>
    /// <exception cref="SameStageException">The client is already in the stage.</exception>
    /// <exception cref="ClosedClientException">The client is won or lost; reopen it instead.</exception>
    /// <exception cref="FunnelRuleException">A first entry straight into the won stage (<see cref="FunnelRule.EntryIntoWonStage"/>).</exception>
    /// <exception cref="EventOrderException">The instant is before the client's previous event or creation.</exception>
    /// <exception cref="FutureEventException">The instant is later than now plus the tolerance.</exception>
    /// <exception cref="EventIdConflictException">The event id was used for something else.</exception>
    /// <exception cref="ConcurrencyConflictException">Another writer changed the client first.</exception>
    public async Task<StageTransition> MoveAsync(ClientId clientId, StageId toStage, DateTimeOffset? occurredAt = null, string? note = null, ClientEventId? eventId = null, CancellationToken cancellationToken = default)
    {
        TextRules.NotDefault(toStage, "The target stage", nameof(toStage));
        var request = new RecordRequest(RequestKind.Move, clientId, occurredAt, note, eventId, Stage: toStage);
        return (StageTransition)await RecordAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks an open client as lost, at the stage it is in.</summary>
    /// <param name="clientId">The client.</param>
    /// <param name="lostReason">Why it was lost, optional, at most 200 characters.</param>
    /// <param name="occurredAt">When it happened; <see langword="null"/> for now.</param>
    /// <param name="note">The one action done with the client, optional.</param>
    /// <param name="eventId">The idempotency key; <see langword="null"/> for a fresh one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The recorded transition, of kind <see cref="TransitionKind.Lost"/>.</returns>
    /// <exception cref="UnknownClientException">The client is not known.</exception>
    /// <exception cref="ClosedClientException">The client is already won or lost.</exception>
    /// <exception cref="FunnelRuleException">The client has not entered the pipeline (<see cref="FunnelRule.ClientNotEntered"/>).</exception>
    /// <exception cref="EventOrderException">The instant is before the client's previous event or creation.</exception>
    /// <exception cref="FutureEventException">The instant is later than now plus the tolerance.</exception>
    /// <exception cref="EventIdConflictException">The event id was used for something else.</exception>
    /// <exception cref="ConcurrencyConflictException">Another writer changed the client first.</exception>
    public async Task<StageTransition> MarkLostAsync(ClientId clientId, string? lostReason = null, DateTimeOffset? occurredAt = null, string? note = null, ClientEventId? eventId = null, CancellationToken cancellationToken = default)
    {
        TextRules.Optional(lostReason, TextRules.MaxLostReasonLength, "A lost reason", nameof(lostReason));
        var request = new RecordRequest(RequestKind.Lose, clientId, occurredAt, note, eventId, LostReason: lostReason);
        return (StageTransition)await RecordAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes a won or lost client back into an open stage.</summary>
    /// <param name="clientId">The client.</param>
    /// <param name="toStage">The open stage it resumes at.</param>
    /// <param name="occurredAt">When it happened; <see langword="null"/> for now.</param>
    /// <param name="note">The one action done with the client, optional.</param>
    /// <param name="eventId">The idempotency key; <see langword="null"/> for a fresh one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The recorded transition, of kind <see cref="TransitionKind.Reopened"/>.</returns>
    /// <exception cref="UnknownClientException">The client is not known.</exception>
    /// <exception cref="UnknownStageException">The stage is not in the client's pipeline.</exception>
    /// <exception cref="FunnelRuleException">
    /// The client is open (<see cref="FunnelRule.ReopenOfOpenClient"/>) or not entered (<see cref="FunnelRule.ClientNotEntered"/>),
    /// or the stage is the won stage (<see cref="FunnelRule.ReopenIntoWonStage"/>).
    /// </exception>
    /// <exception cref="EventOrderException">The instant is before the client's previous event or creation.</exception>
    /// <exception cref="FutureEventException">The instant is later than now plus the tolerance.</exception>
    /// <exception cref="EventIdConflictException">The event id was used for something else.</exception>
    /// <exception cref="ConcurrencyConflictException">Another writer changed the client first.</exception>
    public async Task<StageTransition> ReopenAsync(ClientId clientId, StageId toStage, DateTimeOffset? occurredAt = null, string? note = null, ClientEventId? eventId = null, CancellationToken cancellationToken = default)
    {
        TextRules.NotDefault(toStage, "The target stage", nameof(toStage));
        var request = new RecordRequest(RequestKind.Reopen, clientId, occurredAt, note, eventId, Stage: toStage);
        return (StageTransition)await RecordAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records an action with a client that does not change its stage, such as a follow-up call. Allowed in any
    /// status, also before entry and after a loss; it never changes stage counts.
    /// </summary>
    /// <param name="clientId">The client.</param>
    /// <param name="note">What was done, optional, at most 1000 characters.</param>
    /// <param name="occurredAt">When it happened; <see langword="null"/> for now.</param>
    /// <param name="eventId">The idempotency key; <see langword="null"/> for a fresh one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The recorded activity.</returns>
    /// <exception cref="UnknownClientException">The client is not known.</exception>
    /// <exception cref="EventOrderException">The instant is before the client's previous event or creation.</exception>
    /// <exception cref="FutureEventException">The instant is later than now plus the tolerance.</exception>
    /// <exception cref="EventIdConflictException">The event id was used for something else.</exception>
    /// <exception cref="ConcurrencyConflictException">Another writer changed the client first.</exception>
    public async Task<ClientActivity> RecordActivityAsync(ClientId clientId, string? note = null, DateTimeOffset? occurredAt = null, ClientEventId? eventId = null, CancellationToken cancellationToken = default)
    {
        var request = new RecordRequest(RequestKind.Activity, clientId, occurredAt, note, eventId);
        return (ClientActivity)await RecordAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Hands a client to another owner; from the event's instant on, the client counts for the new owner.</summary>
    /// <param name="clientId">The client.</param>
    /// <param name="newOwner">The new owner.</param>
    /// <param name="occurredAt">When it happened; <see langword="null"/> for now.</param>
    /// <param name="note">An optional short note.</param>
    /// <param name="eventId">The idempotency key; <see langword="null"/> for a fresh one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The recorded reassignment.</returns>
    /// <exception cref="UnknownClientException">The client is not known.</exception>
    /// <exception cref="FunnelRuleException">The client already has that owner (<see cref="FunnelRule.SameOwner"/>).</exception>
    /// <exception cref="EventOrderException">The instant is before the client's previous event or creation.</exception>
    /// <exception cref="FutureEventException">The instant is later than now plus the tolerance.</exception>
    /// <exception cref="EventIdConflictException">The event id was used for something else.</exception>
    /// <exception cref="ConcurrencyConflictException">Another writer changed the client first.</exception>
    public async Task<OwnerReassignment> ReassignAsync(ClientId clientId, OwnerId newOwner, DateTimeOffset? occurredAt = null, string? note = null, ClientEventId? eventId = null, CancellationToken cancellationToken = default)
    {
        TextRules.NotDefault(newOwner, "The new owner", nameof(newOwner));
        var request = new RecordRequest(RequestKind.Reassign, clientId, occurredAt, note, eventId, NewOwner: newOwner);
        return (OwnerReassignment)await RecordAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records that a client's details changed: its deal value, its expected close date or some of its attributes, as
    /// <paramref name="changes"/> says (a <see cref="ClientUpdate"/> event in the client's stream). Allowed in any status,
    /// also before entry and after a win or a loss; it moves no stage, hands the client to no one and is no action with it
    /// (it changes no count, no flow and no stall clock). From its instant on, metrics read the client with the changes
    /// (docs/metrics.md, "The client as of T").
    /// </summary>
    /// <remarks>
    /// The update sets what it says: it is not compared with the client's current details (setting the value it already
    /// has records an update all the same), so recording it costs what any recording costs, whatever the client's history.
    /// Like every event it is idempotent by <paramref name="eventId"/>: the same id with the same changes returns the
    /// update stored first; with other changes it throws <see cref="EventIdConflictException"/>.
    /// </remarks>
    /// <param name="clientId">The client.</param>
    /// <param name="changes">What changes; not <see cref="ClientChanges.IsEmpty"/>.</param>
    /// <param name="occurredAt">When the details changed; <see langword="null"/> for now. Not before the client's previous event.</param>
    /// <param name="note">An optional short note, at most 1000 characters.</param>
    /// <param name="eventId">The idempotency key; <see langword="null"/> for a fresh one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The recorded update.</returns>
    /// <exception cref="ArgumentException">The changes are empty.</exception>
    /// <exception cref="UnknownClientException">The client is not known.</exception>
    /// <exception cref="EventOrderException">The instant is before the client's previous event or creation.</exception>
    /// <exception cref="FutureEventException">The instant is later than now plus the tolerance.</exception>
    /// <exception cref="EventIdConflictException">The event id was used for something else.</exception>
    /// <exception cref="ConcurrencyConflictException">Another writer changed the client first.</exception>
    public async Task<ClientUpdate> UpdateClientAsync(ClientId clientId, ClientChanges changes, DateTimeOffset? occurredAt = null, string? note = null, ClientEventId? eventId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.IsEmpty)
        {
            throw new ArgumentException($"The update of client '{clientId}' changes nothing: set the value, the expected close date or an attribute.", nameof(changes));
        }

        var request = new RecordRequest(RequestKind.Update, clientId, occurredAt, note, eventId, Changes: changes);
        return (ClientUpdate)await RecordAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads a client as of now or as of an instant: its record with every <see cref="ClientUpdate"/> up to the instant
    /// applied (<see cref="Client.Apply"/>), the value, expected close date and attributes the metrics read then.
    /// </summary>
    /// <remarks>
    /// Unlike recording, this reads the client's whole stream (the store keeps no folded details): its cost grows with the
    /// client's history. A page showing one client can afford it; for many clients, build a
    /// <see cref="Metrics.FunnelEventLog"/> and read <see cref="Metrics.FunnelEventLog.ClientAsOf"/>.
    /// </remarks>
    /// <param name="clientId">The client.</param>
    /// <param name="asOf">The instant, inclusive; <see langword="null"/> for every update stored.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The client as of the instant.</returns>
    /// <exception cref="UnknownClientException">The client is not known.</exception>
    public async Task<Client> GetClientAsync(ClientId clientId, DateTimeOffset? asOf = null, CancellationToken cancellationToken = default)
    {
        TextRules.NotDefault(clientId, "The client id", nameof(clientId));
        var client = await _clients.GetAsync(clientId, cancellationToken).ConfigureAwait(false) ?? throw new UnknownClientException(clientId);
        await foreach (var e in _events.ReadClientAsync(clientId, cancellationToken).ConfigureAwait(false))
        {
            if (asOf is { } at && e.OccurredAt > at)
            {
                // Instants never decrease in a stream: nothing later applies.
                break;
            }

            if (e is ClientUpdate update)
            {
                client = client.Apply(update);
            }
        }

        return client;
    }

    /// <summary>Reads a client's current state: status, stage, owner and version.</summary>
    /// <param name="clientId">The client.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The state after the client's last stored event.</returns>
    /// <exception cref="UnknownClientException">The client is not known.</exception>
    public async Task<ClientState> GetStateAsync(ClientId clientId, CancellationToken cancellationToken = default)
    {
        TextRules.NotDefault(clientId, "The client id", nameof(clientId));
        var client = await _clients.GetAsync(clientId, cancellationToken).ConfigureAwait(false) ?? throw new UnknownClientException(clientId);
        return await LoadStateAsync(client, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ClientEvent> RecordAsync(RecordRequest request, CancellationToken cancellationToken)
    {
        CheckCommon(request.ClientId, request.Note, request.EventId);
        var occurredAt = request.OccurredAt is { } given ? TextRules.Utc(given) : (DateTimeOffset?)null;
        request = request with { OccurredAt = occurredAt };
        var eventId = request.EventId ?? ClientEventId.New();

        for (var attempt = 0; ; attempt++)
        {
            var client = await _clients.GetAsync(request.ClientId, cancellationToken).ConfigureAwait(false)
                ?? throw new UnknownClientException(request.ClientId);
            var pipeline = await _pipelines.GetAsync(client.PipelineId, cancellationToken).ConfigureAwait(false)
                ?? throw new UnknownPipelineException(client.PipelineId);

            if (request.EventId is not null && await FindRecordedAsync(eventId, request, cancellationToken).ConfigureAwait(false) is { } original)
            {
                return original;
            }

            var state = await LoadStateAsync(client, cancellationToken).ConfigureAwait(false);
            var now = _timeProvider.GetUtcNow();
            ClientEvent recorded;
            try
            {
                recorded = FunnelRules.Decide(pipeline, client, state, request, occurredAt ?? DefaultInstant(now, client, state), now, _options.FutureTolerance, eventId);
            }
            catch (FunnelMetricsException e) when (_instrumentation?.Refused(e, pipeline.Id) ?? false)
            {
                // Never entered: the filter counts a refusal by its rule and lets the exception go on.
                throw;
            }

            try
            {
                await _events.AppendAsync(client.Id, state.Version, [recorded], cancellationToken).ConfigureAwait(false);
                _instrumentation?.EventStored(recorded);
                return recorded;
            }
            catch (ConcurrencyConflictException) when (request.EventId is not null || attempt < _options.ConcurrencyRetries)
            {
                // A concurrent retry of this very request may have won the race: then it is a success.
                if (request.EventId is not null && await FindRecordedAsync(eventId, request, cancellationToken).ConfigureAwait(false) is { } winner)
                {
                    return winner;
                }

                if (attempt >= _options.ConcurrencyRetries)
                {
                    throw;
                }
            }
            catch (EventIdConflictException) when (request.EventId is not null)
            {
                if (await FindRecordedAsync(eventId, request, cancellationToken).ConfigureAwait(false) is { } winner)
                {
                    return winner;
                }

                throw;
            }
        }
    }

    /// <summary>
    /// "Now" for a request without an instant; never earlier than the client's creation or last event, which may lie a
    /// little ahead of this machine's clock (within the future tolerance), so an omitted instant never breaks time order.
    /// </summary>
    private static DateTimeOffset DefaultInstant(DateTimeOffset now, Client client, ClientState state)
    {
        var at = now > client.CreatedAt ? now : client.CreatedAt;
        return state.LastEventAt is { } last && last > at ? last : at;
    }

    private static void CheckCommon(ClientId clientId, string? note, ClientEventId? eventId)
    {
        TextRules.NotDefault(clientId, "The client id", nameof(clientId));
        TextRules.Optional(note, TextRules.MaxNoteLength, "An event's note", nameof(note));
        if (eventId is { IsDefault: true })
        {
            throw new ArgumentException("The event id is the unset default value; pass a real id, or null for a fresh one.", nameof(eventId));
        }
    }

    /// <summary>The stored event with the id when it matches the request; throws when the id holds something else.</summary>
    private async Task<ClientEvent?> FindRecordedAsync(ClientEventId eventId, RecordRequest request, CancellationToken cancellationToken)
    {
        var existing = await _events.FindAsync(eventId, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            return null;
        }

        return FunnelRules.Matches(existing, request) ? existing : throw new EventIdConflictException(eventId, request.ClientId, existing);
    }

    /// <summary>The client's latest state, read in one call whatever the length of its history.</summary>
    private async Task<ClientState> LoadStateAsync(Client client, CancellationToken cancellationToken) =>
        await _events.ReadStateAsync(client.Id, cancellationToken).ConfigureAwait(false) ?? ClientState.Initial(client);
}
