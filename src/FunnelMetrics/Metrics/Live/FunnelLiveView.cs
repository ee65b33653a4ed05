namespace FunnelMetrics.Metrics;

/// <summary>
/// A live view of one pipeline for dashboards that update on every move: it applies each new event in logarithmic time
/// and answers the current stage counts and the stalled clients without rescanning history. Its answers equal the batch
/// calculators' (<see cref="StageCountsCalculator"/>, <see cref="StallCalculator"/>) over the same events, with the stall
/// thresholds fixed when the view was created.
/// </summary>
/// <remarks>
/// Not thread-safe: apply events from one thread, or guard the view with a lock. Each event must be its client's next
/// one (sequence and time order) and allowed by the client's state and the stage order (the model's one rule table, as
/// <see cref="FunnelEventLog.Build"/> checks it); an event that is not is refused with a
/// <see cref="FunnelHistoryException"/> naming the rule, and the view is unchanged. A <see cref="ClientUpdate"/> changes
/// the client's details (<see cref="FindClient"/> gives them as of now) and neither counts nor stalls: it is no move, no
/// hand-over and no touch.
/// </remarks>
public sealed class FunnelLiveView
{
    private readonly PipelineDefinition _pipeline;
    private readonly Dictionary<ClientId, int> _index = [];
    private readonly List<LiveClient> _clients = [];
    private readonly OwnerTable _owners;
    private readonly StageCountsAccumulator _counts;
    private readonly StallIndex _stalls;

    private FunnelLiveView(PipelineDefinition pipeline, IReadOnlyList<StallThreshold> thresholds, StallClock clock, OwnerTable owners)
    {
        _pipeline = pipeline;
        _owners = owners;
        Thresholds = thresholds;
        _counts = new StageCountsAccumulator(pipeline, owners);
        _stalls = StallIndex.Live(pipeline, clock, thresholds, owners, slot => Entry(_clients[slot]));
    }

    /// <summary>The stall thresholds, fixed when the view was created.</summary>
    public IReadOnlyList<StallThreshold> Thresholds { get; }

    /// <summary>The number of events applied, over all clients.</summary>
    public long EventsApplied { get; private set; }

    /// <summary>The instant of the latest event applied, or <see langword="null"/> before the first.</summary>
    public DateTimeOffset? LastEventAt { get; private set; }

    /// <summary>Creates a view from a history, as of an instant: thresholds from <see cref="StallCalculator.Thresholds"/> at that instant, state after every event up to it.</summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="asOf">The instant, inclusive: later events of the log are not applied.</param>
    /// <param name="options">The stall clock and threshold sources (the options graph's <c>Stalls</c> section); <see langword="null"/> for the defaults.</param>
    /// <returns>The view; apply newer events with <see cref="Apply"/>.</returns>
    /// <exception cref="ArgumentException">An option is out of range; the message names it, such as <c>Stalls.Percentile</c>.</exception>
    public static FunnelLiveView Create(FunnelEventLog log, DateTimeOffset asOf, StallOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        var settings = StallOptions.Check(options, nameof(options));
        var cut = asOf.UtcTicks;
        var view = new FunnelLiveView(log.Pipeline, StallThresholds.Of(log, cut, cut, settings), settings.Clock, OwnerTable.Of(log));
        long? latest = null;
        for (var c = 0; c < log.ClientCount; c++)
        {
            var client = view.AddClient(log.ClientAt(c));
            var history = log.History(c);
            var last = history.LastAtOrBefore(cut);
            if (last < 0)
            {
                continue;
            }

            // The client's state after its last event, read as the batch calculators read it (the view's owner indexes are the log's).
            var (visit, touch) = (history.StateStart(last), history.LastTouch(last));
            var state = view._clients[client] with
            {
                Current = history.ClientAsOf(cut),
                Owner = log.OwnerAt(history.Owner(last)),
                OwnerIndex = history.Owner(last),
                Stage = (short)history.Stage(last),
                Status = history.Status(last),
                Version = last + 1,
                LastEventAt = history.Ticks(last),
                VisitStart = visit >= 0 ? history.Ticks(visit) : 0,
                LastTouch = touch >= 0 ? history.Ticks(touch) : 0,
            };
            view._clients[client] = state;
            view._counts.Add(state.OwnerIndex, view.Bucket(state), 1);
            view._stalls.Move(client, default, false, Entry(state), state.Status == ClientStatus.Open);
            view.EventsApplied += last + 1;
            latest = latest is { } l && l >= state.LastEventAt ? l : state.LastEventAt;
        }

        view.LastEventAt = latest is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null;
        return view;
    }

    /// <summary>Registers a client without events; its first event must then have sequence 1. Adding an equal client again is a no-op.</summary>
    /// <param name="client">The client.</param>
    /// <exception cref="ArgumentException">The client belongs to another pipeline, or a different client with the id was added.</exception>
    public void Add(Client client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (_index.TryGetValue(client.Id, out var existing))
        {
            if (!_clients[existing].Client.Equals(client))
            {
                throw new ArgumentException($"Client '{client.Id}' is already in the view with different content.", nameof(client));
            }

            return;
        }

        AddClient(client);
    }

    /// <summary>Applies a client's next event, after checking it against the model's rule table as the log's build does.</summary>
    /// <param name="clientEvent">The event: of a client added before, with sequence one more than the last applied, not earlier than it, and allowed by the client's state.</param>
    /// <exception cref="FunnelHistoryException">
    /// The event is not its client's next event, names a stage the pipeline does not have, or cannot follow the client's
    /// state (the table's rule, the stage order, the owner); <see cref="FunnelHistoryException.Rule"/> names the rule.
    /// The view is unchanged.
    /// </exception>
    /// <exception cref="ArgumentException">The event's client is not in the view.</exception>
    public void Apply(ClientEvent clientEvent)
    {
        ArgumentNullException.ThrowIfNull(clientEvent);
        if (clientEvent.PipelineId != _pipeline.Id || !_index.TryGetValue(clientEvent.ClientId, out var c))
        {
            throw new ArgumentException($"Event '{clientEvent.Id}' is for client '{clientEvent.ClientId}' of pipeline '{clientEvent.PipelineId}', which the view does not have; add the client first.", nameof(clientEvent));
        }

        var state = _clients[c];
        if (clientEvent.Sequence != state.Version + 1)
        {
            throw TransitionRules.SequenceBroken(clientEvent, state.Version + 1, nameof(clientEvent));
        }

        if (clientEvent.OccurredAt.UtcTicks < state.LastEventAt)
        {
            throw TransitionRules.InstantBroken(clientEvent, state.Version == 0, new DateTimeOffset(state.LastEventAt, TimeSpan.Zero), nameof(clientEvent));
        }

        var (kind, stage, status) = (EventKind.Reassigned, state.Stage, state.Status);
        switch (clientEvent)
        {
            case StageTransition t:
                status = TransitionRules.Follow(_pipeline, state.Status, state.Stage, t, nameof(clientEvent), out var to);
                (kind, stage) = ((EventKind)t.Kind, (short)to);
                break;
            case ClientActivity:
                kind = EventKind.Activity;
                break;
            case OwnerReassignment r when r.PreviousOwner != state.Owner:
                throw TransitionRules.OwnerBroken(r, state.Owner, nameof(clientEvent));
            case ClientUpdate u:
                // The details change (Client.Apply checks the update is the client's); the owner stays, as ClientState.Apply keeps it.
                var updated = state.Current.Apply(u);
                _clients[c] = state with { Current = updated };
                ApplyCore(c, EventKind.Updated, stage, status, state.Owner, clientEvent.OccurredAt.UtcTicks);
                return;
        }

        ApplyCore(c, kind, stage, status, clientEvent.Owner, clientEvent.OccurredAt.UtcTicks);
    }

    /// <summary>A client of the view as of now: its record with every update applied so far.</summary>
    /// <param name="clientId">The client.</param>
    /// <returns>The client, or <see langword="null"/> when the view does not have it.</returns>
    public Client? FindClient(ClientId clientId) => _index.TryGetValue(clientId, out var c) ? _clients[c].Current : null;

    /// <summary>The clients per stage now (after every event applied), labelled with <paramref name="asOf"/>.</summary>
    /// <param name="asOf">The instant to label the counts with; it does not filter, the view holds only what was applied.</param>
    /// <returns>The counts, as <see cref="StageCountsCalculator.Compute"/> gives them.</returns>
    public StageCounts Counts(DateTimeOffset asOf) => _counts.Shape(asOf);

    /// <summary>
    /// The stalled clients as of <paramref name="asOf"/> (at or after the last event applied), read from the per-stage idle
    /// index: only the clients idle longer than the threshold are visited.
    /// </summary>
    /// <param name="asOf">The instant.</param>
    /// <returns>The stalled clients, as <see cref="StallCalculator.Compute"/> gives them with the same thresholds.</returns>
    public StalledClients Stalled(DateTimeOffset asOf) => _stalls.Shape(asOf);

    /// <summary>The client's entry in the stall index, meaningful while it is open.</summary>
    private static StallEntry Entry(in LiveClient client) => new(client.Current, client.OwnerIndex, client.Stage, client.VisitStart, client.LastTouch);

    private int AddClient(Client client)
    {
        if (client.PipelineId != _pipeline.Id)
        {
            throw new ArgumentException($"Client '{client.Id}' belongs to pipeline '{client.PipelineId}', not to '{_pipeline.Id}'.", nameof(client));
        }

        _index.Add(client.Id, _clients.Count);
        _clients.Add(new LiveClient(client) { Owner = client.Owner, OwnerIndex = _owners.IndexOf(client.Owner), Stage = FunnelEventLog.NoStage, Status = ClientStatus.NotEntered, LastEventAt = client.CreatedAt.UtcTicks });
        return _clients.Count - 1;
    }

    /// <summary>Moves the client between count cells and idle-index entries: a removal and an insertion, O(log n).</summary>
    private void ApplyCore(int c, EventKind kind, short stage, ClientStatus status, OwnerId owner, long at)
    {
        var before = _clients[c];
        var after = before with
        {
            Owner = owner,
            OwnerIndex = owner == before.Owner ? before.OwnerIndex : _owners.IndexOf(owner),
            Stage = stage,
            Status = status,
            Version = before.Version + 1,
            LastEventAt = at,
            VisitStart = kind.IsTransition() ? at : before.VisitStart,
            LastTouch = kind.IsTouch() ? at : before.LastTouch,
        };

        _counts.Add(before.OwnerIndex, Bucket(before), -1);
        _counts.Add(after.OwnerIndex, Bucket(after), +1);
        _stalls.Move(c, Entry(before), before.Status == ClientStatus.Open, Entry(after), after.Status == ClientStatus.Open);
        _clients[c] = after;
        EventsApplied++;
        if (LastEventAt is not { } last || at > last.UtcTicks)
        {
            LastEventAt = new DateTimeOffset(at, TimeSpan.Zero);
        }
    }

    /// <summary>The client's count bucket: its stage, the lost bucket, or -1 before its entry.</summary>
    private int Bucket(in LiveClient client) => client.Status switch
    {
        ClientStatus.NotEntered => -1,
        ClientStatus.Lost => _counts.LostBucket,
        _ => client.Stage,
    };

    /// <summary>One client's state in the view: <see cref="Client"/> is its record as added, <see cref="Current"/> with its updates applied.</summary>
    private record struct LiveClient(Client Client)
    {
        public Client Current { get; init; } = Client;

        public OwnerId Owner { get; init; }

        /// <summary>The owner's index in the view's owner table.</summary>
        public int OwnerIndex { get; init; }

        public short Stage { get; init; }

        public ClientStatus Status { get; init; }

        public long Version { get; init; }

        public long LastEventAt { get; init; }

        public long VisitStart { get; init; }

        public long LastTouch { get; init; }
    }
}
