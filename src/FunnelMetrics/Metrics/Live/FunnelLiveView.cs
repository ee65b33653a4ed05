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
/// <see cref="FunnelHistoryException"/> naming the rule, and the view is unchanged.
/// </remarks>
public sealed class FunnelLiveView
{
    private readonly PipelineDefinition _pipeline;
    private readonly StallClock _clock;
    private readonly StallThreshold?[] _thresholds;
    private readonly Dictionary<ClientId, int> _index = [];
    private readonly List<LiveClient> _clients = [];
    private readonly Dictionary<OwnerId, int[]> _counts = [];
    private readonly SortedSet<(long IdleSince, int Client)>[] _idle;

    private FunnelLiveView(PipelineDefinition pipeline, IReadOnlyList<StallThreshold> thresholds, StallClock clock)
    {
        _pipeline = pipeline;
        _clock = clock;
        Thresholds = thresholds;
        _thresholds = new StallThreshold?[pipeline.Stages.Count];
        foreach (var t in thresholds)
        {
            _thresholds[pipeline.IndexOf(t.Stage)] = t;
        }

        _idle = [.. pipeline.Stages.Select(_ => new SortedSet<(long, int)>())];
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
        var view = new FunnelLiveView(log.Pipeline, StallCalculator.Thresholds(log, asOf, settings), settings.Clock);
        var cut = asOf.UtcTicks;
        for (var c = 0; c < log.ClientsArray.Length; c++)
        {
            var client = view.AddClient(log.ClientsArray[c]);
            var last = log.LastEventAtOrBefore(c, cut);
            for (var i = log.Start[c]; i <= last; i++)
            {
                view.ApplyCore(client, log.Kinds[i], log.Stages[i], log.Statuses[i], log.Owners[log.EventOwners[i]], log.Ticks[i]);
            }
        }

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
        }

        ApplyCore(c, kind, stage, status, clientEvent.Owner, clientEvent.OccurredAt.UtcTicks);
    }

    /// <summary>The clients per stage now (after every event applied), labelled with <paramref name="asOf"/>.</summary>
    /// <param name="asOf">The instant to label the counts with; it does not filter, the view holds only what was applied.</param>
    /// <returns>The counts, as <see cref="StageCountsCalculator.Compute"/> gives them.</returns>
    public StageCounts Counts(DateTimeOffset asOf)
    {
        var stageCount = _pipeline.Stages.Count;
        var won = _pipeline.WonStageIndex;
        var totals = new int[stageCount + 1];
        var byOwner = new List<OwnerStageCounts>();
        foreach (var (owner, row) in _counts.OrderBy(kv => kv.Key))
        {
            if (row.All(n => n == 0))
            {
                continue;
            }

            var inWork = 0;
            for (var s = 0; s <= stageCount; s++)
            {
                totals[s] += row[s];
                inWork += s == won || s == stageCount ? 0 : row[s];
            }

            byOwner.Add(new OwnerStageCounts(owner, [.. _pipeline.Stages.Select((st, s) => new StageCount(st.Key, row[s]))], inWork, row[won], row[stageCount]));
        }

        var allInWork = 0;
        for (var s = 0; s < stageCount; s++)
        {
            allInWork += s == won ? 0 : totals[s];
        }

        return new StageCounts(_pipeline.Id, asOf, [.. _pipeline.Stages.Select((st, s) => new StageCount(st.Key, totals[s]))], allInWork, totals[won], totals[stageCount], allInWork + totals[won] + totals[stageCount], byOwner);
    }

    /// <summary>
    /// The stalled clients as of <paramref name="asOf"/> (at or after the last event applied), read from the per-stage idle
    /// index: only the clients idle longer than the threshold are visited.
    /// </summary>
    /// <param name="asOf">The instant.</param>
    /// <returns>The stalled clients, as <see cref="StallCalculator.Compute"/> gives them with the same thresholds.</returns>
    public StalledClients Stalled(DateTimeOffset asOf)
    {
        var cut = asOf.UtcTicks;
        var stageCount = _pipeline.Stages.Count;
        var stalled = new List<StalledClient>();
        var owners = new SortedDictionary<OwnerId, (int[] Open, int[] Stalled)>();
        for (var s = 0; s < stageCount; s++)
        {
            if (_thresholds[s] is not { } threshold)
            {
                continue;
            }

            // Idle strictly longer than the threshold: idle-since strictly before asOf - threshold.
            foreach (var (since, c) in _idle[s].GetViewBetween((long.MinValue, 0), (cut - threshold.Threshold.Ticks - 1, int.MaxValue)))
            {
                var client = _clients[c];
                var idle = cut - since;
                stalled.Add(new StalledClient(client.Client.Id, client.Owner, threshold.Stage, new DateTimeOffset(client.VisitStart, TimeSpan.Zero), new DateTimeOffset(client.LastTouch, TimeSpan.Zero), TimeSpan.FromTicks(idle), threshold.Threshold, threshold.Source, (double)idle / threshold.Threshold.Ticks));
                Tally(owners, client.Owner, stageCount).Stalled[s]++;
            }
        }

        foreach (var (owner, row) in _counts)
        {
            for (var s = 0; s < stageCount; s++)
            {
                if (s != _pipeline.WonStageIndex && row[s] > 0)
                {
                    Tally(owners, owner, stageCount).Open[s] += row[s];
                }
            }
        }

        stalled.Sort(static (a, b) => b.Overdue != a.Overdue ? b.Overdue.CompareTo(a.Overdue) : a.ClientId.CompareTo(b.ClientId));
        var totalOpen = new int[stageCount];
        var totalStalled = new int[stageCount];
        var byOwner = new List<OwnerStall>();
        foreach (var (owner, (open, stuck)) in owners)
        {
            for (var s = 0; s < stageCount; s++)
            {
                totalOpen[s] += open[s];
                totalStalled[s] += stuck[s];
            }

            if (open.Sum() > 0)
            {
                byOwner.Add(new OwnerStall(owner, open.Sum(), stuck.Sum(), Statistics.Share(stuck.Sum(), open.Sum()), [.. Enumerable.Range(0, stageCount).Select(s => Summary(s, open[s], stuck[s]))]));
            }
        }

        return new StalledClients(_pipeline.Id, asOf, _clock, Thresholds, stalled, [.. Enumerable.Range(0, stageCount).Select(s => Summary(s, totalOpen[s], totalStalled[s]))], byOwner);
    }

    private static (int[] Open, int[] Stalled) Tally(SortedDictionary<OwnerId, (int[] Open, int[] Stalled)> owners, OwnerId owner, int stageCount)
    {
        if (!owners.TryGetValue(owner, out var tally))
        {
            owners[owner] = tally = (new int[stageCount], new int[stageCount]);
        }

        return tally;
    }

    private StageStall Summary(int s, int open, int stalled) =>
        new(_pipeline.Stages[s].Key, open, stalled, Statistics.Share(stalled, open), _thresholds[s]?.Threshold, _thresholds[s]?.Source);

    private int AddClient(Client client)
    {
        if (client.PipelineId != _pipeline.Id)
        {
            throw new ArgumentException($"Client '{client.Id}' belongs to pipeline '{client.PipelineId}', not to '{_pipeline.Id}'.", nameof(client));
        }

        _index.Add(client.Id, _clients.Count);
        _clients.Add(new LiveClient(client) { Owner = client.Owner, Stage = FunnelEventLog.NoStage, Status = ClientStatus.NotEntered, LastEventAt = client.CreatedAt.UtcTicks });
        return _clients.Count - 1;
    }

    /// <summary>Moves the client between count cells and idle-index entries: a removal and an insertion, O(log n).</summary>
    private void ApplyCore(int c, EventKind kind, short stage, ClientStatus status, OwnerId owner, long at)
    {
        var before = _clients[c];
        var after = before with
        {
            Owner = owner,
            Stage = stage,
            Status = status,
            Version = before.Version + 1,
            LastEventAt = at,
            VisitStart = kind < EventKind.Activity ? at : before.VisitStart,
            LastTouch = kind != EventKind.Reassigned ? at : before.LastTouch,
        };

        Count(before, -1);
        Count(after, +1);
        var (oldKey, newKey) = (IdleSince(before), IdleSince(after));
        if (oldKey != newKey || before.Stage != after.Stage || before.Status != after.Status)
        {
            if (before.Status == ClientStatus.Open)
            {
                _idle[before.Stage].Remove((oldKey, c));
            }

            if (after.Status == ClientStatus.Open)
            {
                _idle[after.Stage].Add((newKey, c));
            }
        }

        _clients[c] = after;
        EventsApplied++;
        if (LastEventAt is not { } last || at > last.UtcTicks)
        {
            LastEventAt = new DateTimeOffset(at, TimeSpan.Zero);
        }
    }

    private long IdleSince(LiveClient client) => _clock == StallClock.LastTouch ? client.LastTouch : client.VisitStart;

    private void Count(LiveClient client, int delta)
    {
        if (client.Status == ClientStatus.NotEntered)
        {
            return;
        }

        if (!_counts.TryGetValue(client.Owner, out var row))
        {
            _counts[client.Owner] = row = new int[_pipeline.Stages.Count + 1];
        }

        row[client.Status == ClientStatus.Lost ? _pipeline.Stages.Count : client.Stage] += delta;
    }

    /// <summary>One client's state in the view.</summary>
    private record struct LiveClient(Client Client)
    {
        public OwnerId Owner { get; init; }

        public short Stage { get; init; }

        public ClientStatus Status { get; init; }

        public long Version { get; init; }

        public long LastEventAt { get; init; }

        public long VisitStart { get; init; }

        public long LastTouch { get; init; }
    }
}
