using System.Runtime.CompilerServices;

namespace FunnelMetrics.Metrics;

/// <summary>
/// A pipeline's log kept up to date event by event: add clients and append each client's next event (checked against the
/// model's one rule table, as <see cref="FunnelEventLog.Build"/> checks a whole history), and take an immutable
/// <see cref="FunnelEventLog"/> snapshot with <see cref="ToLog"/> whenever an answer is wanted. Pure: no I/O, no clock.
/// </summary>
/// <remarks>
/// <para>
/// Appending costs amortised O(1): the client's state is kept beside the log, and the event waits in a small tail.
/// <see cref="ToLog"/> seals the tail into the snapshot: the log is made of segments of about 4,096 consecutive clients
/// (in id order), and a snapshot makes new segments only for the clients that changed since the previous one, sharing the
/// others. Publishing costs in proportion to the segments touched, not to the log's size (a new owner renumbers every
/// segment once: the owners are kept in id order). Every calculator reads a snapshot exactly as it reads a built log: a
/// snapshot and <see cref="FunnelEventLog.Build"/> over the same clients and events give the same answers.
/// </para>
/// <para>
/// Not thread-safe: one writer appends and takes snapshots (the hosted model does so on its own thread); snapshots are
/// immutable and may be read by any number of threads while the writer goes on. A refused event or client leaves the
/// builder unchanged.
/// </para>
/// <para>
/// Besides <see cref="Append"/>, which takes events as objects, the column methods (<see cref="AppendTransition"/>,
/// <see cref="AppendActivity"/>, <see cref="AppendReassignment"/>) take an event's fields as a storage adapter reads them
/// from a data reader, without making event objects: the fast load path. They check the same rules and, when one is
/// broken, throw the same <see cref="FunnelHistoryException"/> as <see cref="Append"/>.
/// </para>
/// </remarks>
public sealed class FunnelLogBuilder
{
    /// <summary>The number of clients a segment is made with; a segment is split when it grows past twice as many.</summary>
    internal const int SegmentClients = 4096;

    private readonly PipelineDefinition _pipeline;
    private readonly int _stageCount;
    private readonly int _segmentClients;
    private readonly Dictionary<ClientId, int> _index = [];

    // Per client, by handle (the order clients were added in).
    private Client[] _records = [];
    private Client[] _current = [];
    private ClientStatus[] _status = [];
    private short[] _stage = [];
    private int[] _owner = [];
    private int[] _initialOwner = [];
    private long[] _last = [];
    private int[] _version = [];
    private long[] _firstEntry = [];
    private int[] _updates = [];
    private int[] _published = [];
    private int[] _publishedUpdates = [];
    private int[] _segment = [];
    private LogSegment?[] _home = [];
    private int[] _local = [];
    private int[] _cursor = [];
    private int _clientCount;
    private long _eventCount;

    // Owners, by handle (the order they were first seen in), and their rank in the last snapshot's owner table.
    private readonly Dictionary<OwnerId, int> _ownerIndex = [];
    private readonly List<OwnerId> _ownerList = [];
    private OwnerId[] _sortedOwners = [];
    private int[] _ownerRank = [];

    // The tail: events and updates appended since the last snapshot, in the order they came.
    private int[] _pClient = [];
    private long[] _pTicks = [];
    private EventKind[] _pKind = [];
    private short[] _pStage = [];
    private ClientStatus[] _pStatus = [];
    private int[] _pOwner = [];
    private int _pending;
    private int[] _uClient = [];
    private long[] _uTicks = [];
    private Client[] _uAfter = [];
    private int _pendingUpdates;
    private readonly List<int> _newClients = [];

    private readonly List<Segment> _segments = [];
    private FunnelEventLog? _log;
    private int[] _segmentBase = [0];
    private int[] _segmentOf = [];

    /// <summary>Creates an empty builder for one pipeline.</summary>
    /// <param name="pipeline">The pipeline.</param>
    public FunnelLogBuilder(PipelineDefinition pipeline)
        : this(pipeline, SegmentClients)
    {
    }

    /// <summary>Creates an empty builder whose segments are made of <paramref name="segmentClients"/> clients (tests use small ones).</summary>
    internal FunnelLogBuilder(PipelineDefinition pipeline, int segmentClients)
    {
        _pipeline = pipeline ?? throw new ArgumentNullException(nameof(pipeline));
        _stageCount = pipeline.Stages.Count;
        _segmentClients = segmentClients;
    }

    /// <summary>
    /// Creates a builder that goes on from a log: its clients, events and owners as they are in it, without copying its
    /// columns (its segments are shared until a client in them changes). For a log restored from a snapshot, then caught
    /// up event by event.
    /// </summary>
    /// <param name="log">The log to go on from.</param>
    public FunnelLogBuilder(FunnelEventLog log)
        : this(log, SegmentClients)
    {
    }

    /// <summary>Creates a builder that goes on from a log, with segments of <paramref name="segmentClients"/> clients when made anew.</summary>
    internal FunnelLogBuilder(FunnelEventLog log, int segmentClients)
        : this((log ?? throw new ArgumentNullException(nameof(log))).Pipeline, segmentClients)
    {
        foreach (var owner in log.Owners)
        {
            InternOwner(owner);
        }

        _sortedOwners = [.. log.Owners];
        _ownerRank = new int[_sortedOwners.Length];
        for (var r = 0; r < _ownerRank.Length; r++)
        {
            _ownerRank[r] = r;
        }

        GrowClients(Math.Max(16, log.ClientCount));
        var segments = log.Segments;
        for (var s = 0; s < segments.Count; s++)
        {
            var segment = segments[s];
            var first = log.SegmentStart(s);
            var handles = new int[segment.ClientCount];
            for (var k = 0; k < handles.Length; k++)
            {
                var h = handles[k] = first + k;
                var history = log.History(h);
                var last = history.Count - 1;
                var record = segment.Clients[k];
                var updates = segment.UpdateStart is { } u ? u[k + 1] - u[k] : 0;
                _records[h] = record;
                _current[h] = updates > 0 ? segment.UpdateClients[segment.UpdateStart![k + 1] - 1] : record;
                (_status[h], _stage[h]) = last >= 0 ? (history.Status(last), (short)history.Stage(last)) : (ClientStatus.NotEntered, FunnelEventLog.NoStage);
                _initialOwner[h] = history.InitialOwner;
                _owner[h] = last >= 0 ? history.Owner(last) : history.InitialOwner;
                _last[h] = last >= 0 ? history.Ticks(last) : record.CreatedAt.UtcTicks;
                _version[h] = _published[h] = history.Count;
                _firstEntry[h] = history.FirstEntryTicks;
                _updates[h] = _publishedUpdates[h] = updates;
                (_segment[h], _home[h], _local[h]) = (s, segment, k);
                _index.Add(record.Id, h);
                _eventCount += history.Count;
            }

            _segments.Add(new Segment(handles) { Published = segment });
        }

        _clientCount = log.ClientCount;
        (_log, _segmentBase, _segmentOf) = (log, log.SegmentBases, log.SegmentOf);
    }

    /// <summary>The pipeline.</summary>
    public PipelineDefinition Pipeline => _pipeline;

    /// <summary>The number of clients added.</summary>
    public int ClientCount => _clientCount;

    /// <summary>The number of events appended, over all clients.</summary>
    public long EventCount => _eventCount;

    /// <summary>Whether the builder has a client.</summary>
    /// <param name="clientId">The client.</param>
    /// <returns>Whether it was added.</returns>
    public bool Contains(ClientId clientId) => _index.ContainsKey(clientId);

    /// <summary>The handle of a client, for the column methods.</summary>
    /// <param name="clientId">The client.</param>
    /// <param name="client">Its handle, when added.</param>
    /// <returns>Whether it was added.</returns>
    public bool TryGetHandle(ClientId clientId, out int client) => _index.TryGetValue(clientId, out client);

    /// <summary>The number of events appended for a client: its stream's version, the sequence its next event must have minus one.</summary>
    /// <param name="clientId">The client.</param>
    /// <param name="version">Its version, when added.</param>
    /// <returns>Whether it was added.</returns>
    public bool TryGetVersion(ClientId clientId, out long version)
    {
        var found = _index.TryGetValue(clientId, out var h);
        version = found ? _version[h] : 0;
        return found;
    }

    /// <summary>A client as of now: its record with every update appended so far applied.</summary>
    /// <param name="clientId">The client.</param>
    /// <returns>The client, or <see langword="null"/> when it was not added.</returns>
    public Client? FindClient(ClientId clientId) => _index.TryGetValue(clientId, out var h) ? _current[h] : null;

    /// <summary>Adds a client without events; its first event must then have sequence 1. Adding an equal client again does nothing.</summary>
    /// <param name="client">The client.</param>
    /// <returns>The client's handle, for the column methods.</returns>
    /// <exception cref="ArgumentException">The client belongs to another pipeline, or a different client with its id was added.</exception>
    public int Add(Client client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (client.PipelineId != _pipeline.Id)
        {
            throw new ArgumentException($"Client '{client.Id}' belongs to pipeline '{client.PipelineId}', not to '{_pipeline.Id}'.", nameof(client));
        }

        if (_index.TryGetValue(client.Id, out var existing))
        {
            return _records[existing].Equals(client)
                ? existing
                : throw new ArgumentException($"Client '{client.Id}' is already in the log of pipeline '{_pipeline.Id}' with different content.", nameof(client));
        }

        var h = _clientCount;
        if (h == _records.Length)
        {
            GrowClients(Math.Max(16, h * 2));
        }

        var owner = InternOwner(client.Owner);
        _records[h] = _current[h] = client;
        _status[h] = ClientStatus.NotEntered;
        _stage[h] = FunnelEventLog.NoStage;
        _owner[h] = _initialOwner[h] = owner;
        _last[h] = client.CreatedAt.UtcTicks;
        _firstEntry[h] = long.MaxValue;
        _segment[h] = -1;
        _index.Add(client.Id, h);
        _newClients.Add(h);
        _clientCount++;
        return h;
    }

    /// <summary>Appends a client's next event, after checking it against the model's rule table as the log's build does.</summary>
    /// <param name="clientEvent">The event: of a client added before, with sequence one more than its last, not earlier than it, and allowed by the client's state.</param>
    /// <exception cref="FunnelHistoryException">
    /// The event is not its client's next event, names a stage the pipeline does not have, or cannot follow the client's
    /// state (the table's rule, the stage order, the owner); <see cref="FunnelHistoryException.Rule"/> names the rule.
    /// The builder is unchanged.
    /// </exception>
    /// <exception cref="ArgumentException">The event belongs to another pipeline, or its client was not added.</exception>
    public void Append(ClientEvent clientEvent) => AppendCore(clientEvent, nameof(clientEvent));

    /// <summary>Appends an event, naming <paramref name="paramName"/> in the exceptions (<see langword="null"/> for none, as the log's build does).</summary>
    internal void AppendCore(ClientEvent clientEvent, string? paramName)
    {
        ArgumentNullException.ThrowIfNull(clientEvent, paramName);
        if (clientEvent.PipelineId != _pipeline.Id || !_index.TryGetValue(clientEvent.ClientId, out var h))
        {
            throw new ArgumentException($"Event '{clientEvent.Id}' is for client '{clientEvent.ClientId}' of pipeline '{clientEvent.PipelineId}', which the log of pipeline '{_pipeline.Id}' does not have; add the client first.", paramName);
        }

        var expected = _version[h] + 1L;
        if (clientEvent.Sequence != expected)
        {
            throw TransitionRules.SequenceBroken(clientEvent, expected, paramName);
        }

        var at = clientEvent.OccurredAt.UtcTicks;
        if (at < _last[h])
        {
            throw TransitionRules.InstantBroken(clientEvent, _version[h] == 0, new DateTimeOffset(_last[h], TimeSpan.Zero), paramName);
        }

        var (status, stage) = (_status[h], _stage[h]);
        EventKind kind;
        switch (clientEvent)
        {
            case StageTransition t:
                status = TransitionRules.Follow(_pipeline, status, stage, t, paramName, out var to);
                (kind, stage) = ((EventKind)t.Kind, (short)to);
                if (t.Kind == TransitionKind.Entered)
                {
                    _firstEntry[h] = at;
                }

                break;
            case ClientActivity:
                kind = EventKind.Activity;
                break;
            case OwnerReassignment r when r.PreviousOwner != _ownerList[_owner[h]]:
                throw TransitionRules.OwnerBroken(r, _ownerList[_owner[h]], paramName);
            case OwnerReassignment:
                kind = EventKind.Reassigned;
                break;
            case ClientUpdate u:
                // The details change (Client.Apply checks the update is the client's); the owner stays, as ClientState.Apply keeps it.
                var updated = _current[h].Apply(u);
                PushUpdate(h, at, updated);
                Push(h, at, EventKind.Updated, stage, status, _owner[h]);
                return;
            default:
                throw new ArgumentException($"Event '{clientEvent.Id}' of client '{clientEvent.ClientId}' is of a kind the log does not know ({clientEvent.GetType().Name}).", paramName);
        }

        // An activity carrying another owner hands the client over, as a reassignment does.
        Push(h, at, kind, stage, status, OwnerOf(h, clientEvent.Owner));
    }

    /// <summary>
    /// Appends a client's next stage transition from its fields, as read from storage: the fast load path, without an
    /// event object. Checks what <see cref="Append"/> checks.
    /// </summary>
    /// <param name="client">The client's handle (<see cref="Add"/>, <see cref="TryGetHandle"/>).</param>
    /// <param name="id">The event's id, named when the event is refused.</param>
    /// <param name="sequence">The event's sequence.</param>
    /// <param name="occurredAt">When it happened.</param>
    /// <param name="kind">What the transition did.</param>
    /// <param name="fromStage">The index of the stage before, or -1 for an entry.</param>
    /// <param name="toStage">The index of the stage reached, or -1 for a loss.</param>
    /// <param name="owner">The owner responsible for the client after it.</param>
    /// <exception cref="FunnelHistoryException">The transition cannot follow, as for <see cref="Append"/>. The builder is unchanged.</exception>
    /// <exception cref="ArgumentException">The handle is not a client's, or a stage index is out of the pipeline's range.</exception>
    public void AppendTransition(int client, ClientEventId id, long sequence, DateTimeOffset occurredAt, TransitionKind kind, int fromStage, int toStage, OwnerId owner)
    {
        CheckHandle(client);
        var at = occurredAt.UtcTicks;
        var stage = _stage[client];
        if (sequence == _version[client] + 1L
            && at >= _last[client]
            && (kind == TransitionKind.Entered ? fromStage < 0 : fromStage == stage)
            && (kind == TransitionKind.Lost ? toStage < 0 : (uint)toStage < (uint)_stageCount)
            && TransitionRules.Check(_pipeline, _status[client], stage, kind, kind == TransitionKind.Lost ? FunnelEventLog.NoStage : toStage, out var next, out _))
        {
            if (kind == TransitionKind.Entered)
            {
                _firstEntry[client] = at;
            }

            Push(client, at, (EventKind)kind, kind == TransitionKind.Lost ? stage : (short)toStage, next, OwnerOf(client, owner));
            return;
        }

        // Refused: the object path names the rule broken exactly as it would for a stored event (and throws).
        Append(new StageTransition(id, _records[client].Id, _pipeline.Id, sequence, kind, StageKey(fromStage, id, nameof(fromStage)), StageKey(toStage, id, nameof(toStage)), occurredAt, occurredAt, owner));
    }

    /// <summary>Appends a client's next activity from its fields, as read from storage. Checks what <see cref="Append"/> checks.</summary>
    /// <param name="client">The client's handle.</param>
    /// <param name="id">The event's id, named when the event is refused.</param>
    /// <param name="sequence">The event's sequence.</param>
    /// <param name="occurredAt">When it happened.</param>
    /// <param name="owner">Who did it; another owner than the client's hands the client over.</param>
    /// <exception cref="FunnelHistoryException">The event is not the client's next one. The builder is unchanged.</exception>
    /// <exception cref="ArgumentException">The handle is not a client's.</exception>
    public void AppendActivity(int client, ClientEventId id, long sequence, DateTimeOffset occurredAt, OwnerId owner)
    {
        CheckHandle(client);
        var at = occurredAt.UtcTicks;
        if (sequence == _version[client] + 1L && at >= _last[client])
        {
            Push(client, at, EventKind.Activity, _stage[client], _status[client], OwnerOf(client, owner));
            return;
        }

        Append(new ClientActivity(id, _records[client].Id, _pipeline.Id, sequence, occurredAt, occurredAt, owner));
    }

    /// <summary>Appends a client's next reassignment from its fields, as read from storage. Checks what <see cref="Append"/> checks.</summary>
    /// <param name="client">The client's handle.</param>
    /// <param name="id">The event's id, named when the event is refused.</param>
    /// <param name="sequence">The event's sequence.</param>
    /// <param name="occurredAt">When it happened.</param>
    /// <param name="owner">The new owner.</param>
    /// <param name="previousOwner">The owner before: must be the client's.</param>
    /// <exception cref="FunnelHistoryException">The event is not the client's next one, or the client's owner is not <paramref name="previousOwner"/>. The builder is unchanged.</exception>
    /// <exception cref="ArgumentException">The handle is not a client's.</exception>
    public void AppendReassignment(int client, ClientEventId id, long sequence, DateTimeOffset occurredAt, OwnerId owner, OwnerId previousOwner)
    {
        CheckHandle(client);
        var at = occurredAt.UtcTicks;
        if (sequence == _version[client] + 1L && at >= _last[client] && previousOwner == _ownerList[_owner[client]])
        {
            Push(client, at, EventKind.Reassigned, _stage[client], _status[client], OwnerOf(client, owner));
            return;
        }

        Append(new OwnerReassignment(id, _records[client].Id, _pipeline.Id, sequence, occurredAt, occurredAt, owner, previousOwner));
    }

    /// <summary>
    /// The log as of now: an immutable snapshot every calculator reads as it reads a built log. Taking one seals what was
    /// appended since the previous: the segments of the clients that changed are made anew, the others are shared with the
    /// previous snapshot; with nothing appended, the previous snapshot itself.
    /// </summary>
    /// <returns>The snapshot.</returns>
    public FunnelEventLog ToLog()
    {
        if (_log is not null && _pending == 0 && _pendingUpdates == 0 && _newClients.Count == 0)
        {
            return _log;
        }

        // Owners are kept in id order: a new one renumbers them, and every segment's owner column with them.
        int[]? renumber = null;
        if (_ownerList.Count != _sortedOwners.Length)
        {
            var sorted = _ownerList.ToArray();
            Array.Sort(sorted);
            var rank = new int[sorted.Length];
            for (var i = 0; i < sorted.Length; i++)
            {
                rank[_ownerIndex[sorted[i]]] = i;
            }

            renumber = new int[_sortedOwners.Length];
            for (var r = 0; r < _sortedOwners.Length; r++)
            {
                renumber[r] = rank[_ownerIndex[_sortedOwners[r]]];
            }

            (_sortedOwners, _ownerRank) = (sorted, rank);
        }

        var clientsChanged = _newClients.Count > 0;
        if (clientsChanged)
        {
            PlaceNewClients();
        }

        for (var i = 0; i < _pending; i++)
        {
            _segments[_segment[_pClient[i]]].Dirty = true;
        }

        foreach (var segment in _segments)
        {
            if (segment.Dirty || renumber is not null)
            {
                Rebuild(segment, renumber);
            }
        }

        Scatter();
        foreach (var segment in _segments)
        {
            if (segment.Dirty || renumber is not null)
            {
                Commit(segment);
            }
        }

        (_pending, _pendingUpdates) = (0, 0);
        if (clientsChanged)
        {
            _segmentBase = new int[_segments.Count + 1];
            _segmentOf = new int[_clientCount];
            for (var s = 0; s < _segments.Count; s++)
            {
                var from = _segmentBase[s];
                _segmentBase[s + 1] = from + _segments[s].Handles.Length;
                _segmentOf.AsSpan(from, _segments[s].Handles.Length).Fill(s);
            }
        }

        var segments = new LogSegment[_segments.Count];
        for (var s = 0; s < segments.Length; s++)
        {
            segments[s] = _segments[s].Published!;
        }

        return _log = new FunnelEventLog(_pipeline, _sortedOwners, segments, _segmentBase, _segmentOf);
    }

    /// <summary>Puts the clients added since the last snapshot into segments by id, splitting a segment that grows past twice its size.</summary>
    private void PlaceNewClients()
    {
        var added = _newClients.ToArray();
        _newClients.Clear();
        Array.Sort(added, (a, b) => _records[a].Id.CompareTo(_records[b].Id));
        if (_segments.Count == 0)
        {
            for (var from = 0; from < added.Length; from += _segmentClients)
            {
                _segments.Add(new Segment(added[from..Math.Min(added.Length, from + _segmentClients)]) { Dirty = true });
            }
        }
        else
        {
            // Each new client goes to the last segment whose first client is not after it (the first segment for the smallest).
            var perSegment = new List<int>?[_segments.Count];
            var s = 0;
            foreach (var h in added)
            {
                var id = _records[h].Id;
                while (s + 1 < _segments.Count && _records[_segments[s + 1].Handles[0]].Id.CompareTo(id) <= 0)
                {
                    s++;
                }

                (perSegment[s] ??= []).Add(h);
            }

            for (s = 0; s < perSegment.Length; s++)
            {
                if (perSegment[s] is { } list)
                {
                    _segments[s].Handles = Merge(_segments[s].Handles, list);
                    _segments[s].Dirty = true;
                }
            }

            for (s = _segments.Count - 1; s >= 0; s--)
            {
                var handles = _segments[s].Handles;
                if (handles.Length > 2 * _segmentClients)
                {
                    _segments.RemoveAt(s);
                    for (var from = 0; from < handles.Length; from += _segmentClients)
                    {
                        _segments.Insert(s + (from / _segmentClients), new Segment(handles[from..Math.Min(handles.Length, from + _segmentClients)]) { Dirty = true });
                    }
                }
            }
        }

        for (var s = 0; s < _segments.Count; s++)
        {
            foreach (var h in _segments[s].Handles)
            {
                _segment[h] = s;
            }
        }
    }

    private int[] Merge(int[] handles, List<int> added)
    {
        var merged = new int[handles.Length + added.Count];
        int i = 0, j = 0, k = 0;
        while (i < handles.Length || j < added.Count)
        {
            merged[k++] = j == added.Count || (i < handles.Length && _records[handles[i]].Id.CompareTo(_records[added[j]].Id) < 0) ? handles[i++] : added[j++];
        }

        return merged;
    }

    /// <summary>Makes a segment's new columns: each client's published events copied, its cursor left where its new events go.</summary>
    private void Rebuild(Segment segment, int[]? renumber)
    {
        var handles = segment.Handles;
        var n = handles.Length;
        var start = new int[n + 1];
        var hasUpdates = false;
        for (var k = 0; k < n; k++)
        {
            start[k + 1] = start[k] + _version[handles[k]];
            hasUpdates |= _updates[handles[k]] > 0;
        }

        var total = start[n];
        var (ticks, kinds, stages, statuses, owners) = (new long[total], new EventKind[total], new short[total], new ClientStatus[total], new int[total]);
        var clients = new Client[n];
        var initialOwners = new int[n];
        var firstEntry = new long[n];
        int[]? updateStart = hasUpdates ? new int[n + 1] : null;
        if (updateStart is not null)
        {
            for (var k = 0; k < n; k++)
            {
                updateStart[k + 1] = updateStart[k] + _updates[handles[k]];
            }
        }

        var updateCount = updateStart?[n] ?? 0;
        var (updateTicks, updateClients) = (new long[updateCount], new Client[updateCount]);
        for (var k = 0; k < n; k++)
        {
            var h = handles[k];
            clients[k] = _records[h];
            initialOwners[k] = _ownerRank[_initialOwner[h]];
            firstEntry[k] = _firstEntry[h];
            var old = _published[h];
            if (old > 0)
            {
                var home = _home[h]!;
                var from = home.Start[_local[h]];
                Array.Copy(home.Ticks, from, ticks, start[k], old);
                Array.Copy(home.Kinds, from, kinds, start[k], old);
                Array.Copy(home.Stages, from, stages, start[k], old);
                Array.Copy(home.Statuses, from, statuses, start[k], old);
                if (renumber is null)
                {
                    Array.Copy(home.EventOwners, from, owners, start[k], old);
                }
                else
                {
                    for (var i = 0; i < old; i++)
                    {
                        owners[start[k] + i] = renumber[home.EventOwners[from + i]];
                    }
                }

                var oldUpdates = _publishedUpdates[h];
                if (oldUpdates > 0)
                {
                    var u = home.UpdateStart![_local[h]];
                    Array.Copy(home.UpdateTicks, u, updateTicks, updateStart![k], oldUpdates);
                    Array.Copy(home.UpdateClients, u, updateClients, updateStart[k], oldUpdates);
                }
            }

            _cursor[h] = start[k] + old;
            _local[h] = k;
        }

        segment.Next = new LogSegment(clients, start, ticks, kinds, stages, statuses, owners, initialOwners, firstEntry, updateStart, updateTicks, updateClients);
    }

    /// <summary>Writes the tail's events and updates into their segments' new columns, in the order they came (each client's in sequence order).</summary>
    private void Scatter()
    {
        for (var i = 0; i < _pending; i++)
        {
            var h = _pClient[i];
            var target = _segments[_segment[h]].Next!;
            var at = _cursor[h]++;
            target.Ticks[at] = _pTicks[i];
            target.Kinds[at] = _pKind[i];
            target.Stages[at] = _pStage[i];
            target.Statuses[at] = _pStatus[i];
            target.EventOwners[at] = _ownerRank[_pOwner[i]];
        }

        if (_pendingUpdates == 0)
        {
            return;
        }

        // The updates' cursors: where each updated client's new updates go, after its published ones.
        for (var i = 0; i < _pendingUpdates; i++)
        {
            _cursor[_uClient[i]] = -1;
        }

        for (var i = 0; i < _pendingUpdates; i++)
        {
            var h = _uClient[i];
            var segment = _segments[_segment[h]];
            var target = segment.Next!;
            if (_cursor[h] < 0)
            {
                _cursor[h] = target.UpdateStart![_local[h]] + _publishedUpdates[h];
            }

            var at = _cursor[h]++;
            target.UpdateTicks[at] = _uTicks[i];
            target.UpdateClients[at] = _uAfter[i];
        }

        Array.Clear(_uAfter, 0, _pendingUpdates);
    }

    /// <summary>Publishes a rebuilt segment: its clients' events are now in it.</summary>
    private void Commit(Segment segment)
    {
        var published = segment.Next!;
        var handles = segment.Handles;
        foreach (var h in handles)
        {
            _home[h] = published;
            _published[h] = _version[h];
            _publishedUpdates[h] = _updates[h];
        }

        (segment.Published, segment.Next, segment.Dirty) = (published, null, false);
    }

    /// <summary>Appends an event read from a log already checked (its state after the event as the log has it), without checking it again.</summary>
    internal void AppendTrusted(int h, long at, EventKind kind, short stage, ClientStatus status, OwnerId owner, Client? updated)
    {
        if (kind == EventKind.Entered)
        {
            _firstEntry[h] = at;
        }

        if (updated is not null)
        {
            PushUpdate(h, at, updated);
        }

        Push(h, at, kind, stage, status, OwnerOf(h, owner));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Push(int h, long at, EventKind kind, short stage, ClientStatus status, int owner)
    {
        if (_pending == _pClient.Length)
        {
            GrowPending(Math.Max(64, _pending * 2));
        }

        var i = _pending++;
        _pClient[i] = h;
        _pTicks[i] = at;
        _pKind[i] = kind;
        _pStage[i] = stage;
        _pStatus[i] = status;
        _pOwner[i] = owner;
        _version[h]++;
        _last[h] = at;
        _status[h] = status;
        _stage[h] = stage;
        _owner[h] = owner;
        _eventCount++;
    }

    private void PushUpdate(int h, long at, Client after)
    {
        if (_pendingUpdates == _uClient.Length)
        {
            var size = Math.Max(16, _pendingUpdates * 2);
            Array.Resize(ref _uClient, size);
            Array.Resize(ref _uTicks, size);
            Array.Resize(ref _uAfter, size);
        }

        var i = _pendingUpdates++;
        (_uClient[i], _uTicks[i], _uAfter[i]) = (h, at, after);
        _current[h] = after;
        _updates[h]++;
    }

    /// <summary>The client's owner handle after an event carrying <paramref name="owner"/>: its owner's when the same (the common case), else the owner interned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int OwnerOf(int h, OwnerId owner) => _ownerList[_owner[h]] == owner ? _owner[h] : InternOwner(owner);

    private int InternOwner(OwnerId owner)
    {
        if (!_ownerIndex.TryGetValue(owner, out var o))
        {
            o = _ownerList.Count;
            _ownerIndex.Add(owner, o);
            _ownerList.Add(owner);
        }

        return o;
    }

    private void CheckHandle(int client)
    {
        if ((uint)client >= (uint)_clientCount)
        {
            throw new ArgumentOutOfRangeException(nameof(client), client, $"The log of pipeline '{_pipeline.Id}' has no client with handle {client}; it has {_clientCount}.");
        }
    }

    private StageId? StageKey(int stage, ClientEventId id, string paramName) => stage switch
    {
        < 0 => null,
        _ when stage < _stageCount => _pipeline.Stages[stage].Key,
        _ => throw new ArgumentOutOfRangeException(paramName, stage, $"Event '{id}' names stage index {stage}; pipeline '{_pipeline.Id}' has {_stageCount} stages."),
    };

    private void GrowClients(int size)
    {
        Array.Resize(ref _records, size);
        Array.Resize(ref _current, size);
        Array.Resize(ref _status, size);
        Array.Resize(ref _stage, size);
        Array.Resize(ref _owner, size);
        Array.Resize(ref _initialOwner, size);
        Array.Resize(ref _last, size);
        Array.Resize(ref _version, size);
        Array.Resize(ref _firstEntry, size);
        Array.Resize(ref _updates, size);
        Array.Resize(ref _published, size);
        Array.Resize(ref _publishedUpdates, size);
        Array.Resize(ref _segment, size);
        Array.Resize(ref _home, size);
        Array.Resize(ref _local, size);
        Array.Resize(ref _cursor, size);
    }

    private void GrowPending(int size)
    {
        Array.Resize(ref _pClient, size);
        Array.Resize(ref _pTicks, size);
        Array.Resize(ref _pKind, size);
        Array.Resize(ref _pStage, size);
        Array.Resize(ref _pStatus, size);
        Array.Resize(ref _pOwner, size);
    }

    /// <summary>A segment being kept: its clients' handles in id order, the segment last published, and the one being made.</summary>
    private sealed class Segment(int[] handles)
    {
        public int[] Handles { get; set; } = handles;

        public LogSegment? Published { get; set; }

        public LogSegment? Next { get; set; }

        public bool Dirty { get; set; }
    }
}
