using System.Runtime.CompilerServices;

namespace FunnelMetrics.Metrics;

/// <summary>
/// A pipeline's log kept up to date event by event: add clients and append each client's next event (checked against the
/// model's one rule table, as <see cref="FunnelEventLog.Build"/> checks a whole history), and take an immutable
/// <see cref="FunnelEventLog"/> snapshot with <see cref="ToLog"/> whenever an answer is wanted. Pure: no I/O, no clock.
/// </summary>
/// <remarks>
/// <para>
/// Appending costs amortised O(1): the clients touched since the last snapshot (its <em>working set</em>) have their
/// state kept beside the log, and their events wait in a tail. <see cref="ToLog"/> seals the tail into the snapshot: the
/// log is made of segments of about 4,096 consecutive clients (in id order), and a snapshot makes new segments only for
/// the clients that changed since the previous one, sharing the others. Publishing costs in proportion to the segments
/// touched, not to the log's size (a new owner renumbers every segment once: the owners are kept in id order). Between
/// snapshots the builder holds nothing per client but the working set, so a warm model's memory is its snapshot's.
/// Every calculator reads a snapshot exactly as it reads a built log: a snapshot and <see cref="FunnelEventLog.Build"/>
/// over the same clients and events give the same answers.
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
/// broken, throw the same <see cref="FunnelHistoryException"/> as <see cref="Append"/>. They take the client as a
/// <em>handle</em> (<see cref="Add"/>, <see cref="TryGetHandle"/>), valid until the next <see cref="ToLog"/>.
/// </para>
/// <para>A log holds at most 65,535 owners (<see cref="MaxOwners"/>): events store an owner in two bytes.</para>
/// </remarks>
public sealed class FunnelLogBuilder
{
    /// <summary>The most owners one pipeline's log holds (clients' and events' owners together).</summary>
    public const int MaxOwners = ushort.MaxValue;

    /// <summary>The number of clients a segment is made with; a segment is split when it grows past twice as many.</summary>
    internal const int SegmentClients = 4096;

    private readonly PipelineDefinition _pipeline;
    private readonly int _stageCount;
    private readonly int _segmentClients;

    // The last snapshot: its segments, in client order.
    private FunnelEventLog _log;
    private int _clientCount;
    private long _eventCount;

    // Owners, by handle (the order they were first seen in), and their rank in the last snapshot's owner table.
    private readonly Dictionary<OwnerId, int> _ownerIndex = [];
    private readonly List<OwnerId> _ownerList = [];
    private OwnerId[] _sortedOwners = [];
    private int[] _ownerRank = [];
    private int[] _handleOfRank = [];

    // The working set: the clients added or appended to since the last snapshot, by slot (a handle).
    private readonly Dictionary<ClientId, int> _slots = [];
    private int _slotCount;
    private int _newClients;
    private Client[] _record = [];
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
    private int[] _local = [];
    private int[] _cursor = [];
    private int[] _updateCursor = [];
    private LogSegment?[] _target = [];

    // The tail: events and updates appended since the last snapshot, in the order they came.
    private int[] _pClient = [];
    private long[] _pTicks = [];
    private byte[] _pKindStatus = [];
    private short[] _pStage = [];
    private int[] _pOwner = [];
    private int _pending;
    private int[] _uClient = [];
    private long[] _uTicks = [];
    private Client[] _uAfter = [];
    private int _pendingUpdates;

    /// <summary>Creates an empty builder for one pipeline.</summary>
    /// <param name="pipeline">The pipeline.</param>
    public FunnelLogBuilder(PipelineDefinition pipeline)
        : this(pipeline, SegmentClients)
    {
    }

    /// <summary>
    /// Creates a builder that goes on from a log: its clients, events and owners as they are in it, without copying or
    /// reading its columns (its segments are shared until a client in them changes). For a log restored from a snapshot,
    /// then caught up event by event.
    /// </summary>
    /// <param name="log">The log to go on from.</param>
    public FunnelLogBuilder(FunnelEventLog log)
        : this(log, SegmentClients)
    {
    }

    /// <summary>Creates an empty builder whose segments are made of <paramref name="segmentClients"/> clients (tests use small ones).</summary>
    internal FunnelLogBuilder(PipelineDefinition pipeline, int segmentClients)
    {
        _pipeline = pipeline ?? throw new ArgumentNullException(nameof(pipeline));
        _stageCount = pipeline.Stages.Count;
        _segmentClients = segmentClients;
        _log = new FunnelEventLog(pipeline, [], [], [0], []);
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

        _handleOfRank = (int[])_ownerRank.Clone();
        (_log, _clientCount, _eventCount) = (log, log.ClientCount, log.EventCount);
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
    public bool Contains(ClientId clientId) => _slots.ContainsKey(clientId) || _log.IndexOfClient(clientId) >= 0;

    /// <summary>The handle of a client, for the column methods; valid until the next <see cref="ToLog"/>.</summary>
    /// <param name="clientId">The client.</param>
    /// <param name="client">Its handle, when added.</param>
    /// <returns>Whether it was added.</returns>
    public bool TryGetHandle(ClientId clientId, out int client)
    {
        client = SlotOf(clientId);
        return client >= 0;
    }

    /// <summary>The number of events appended for a client: its stream's version, the sequence its next event must have minus one.</summary>
    /// <param name="clientId">The client.</param>
    /// <param name="version">Its version, when added.</param>
    /// <returns>Whether it was added.</returns>
    public bool TryGetVersion(ClientId clientId, out long version)
    {
        if (_slots.TryGetValue(clientId, out var slot))
        {
            version = _version[slot];
            return true;
        }

        var c = _log.IndexOfClient(clientId);
        version = c >= 0 ? _log.History(c).Count : 0;
        return c >= 0;
    }

    /// <summary>A client as of now: its record with every update appended so far applied.</summary>
    /// <param name="clientId">The client.</param>
    /// <returns>The client, or <see langword="null"/> when it was not added.</returns>
    public Client? FindClient(ClientId clientId)
    {
        if (_slots.TryGetValue(clientId, out var slot))
        {
            return _current[slot];
        }

        var c = _log.IndexOfClient(clientId);
        return c >= 0 ? _log.History(c).ClientAsOf(long.MaxValue) : null;
    }

    /// <summary>Adds a client without events; its first event must then have sequence 1. Adding an equal client again does nothing.</summary>
    /// <param name="client">The client.</param>
    /// <returns>The client's handle, for the column methods; valid until the next <see cref="ToLog"/>.</returns>
    /// <exception cref="ArgumentException">The client belongs to another pipeline, or a different client with its id was added, or it would bring the owners past <see cref="MaxOwners"/>.</exception>
    public int Add(Client client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (client.PipelineId != _pipeline.Id)
        {
            throw new ArgumentException($"Client '{client.Id}' belongs to pipeline '{client.PipelineId}', not to '{_pipeline.Id}'.", nameof(client));
        }

        var existing = SlotOf(client.Id);
        if (existing >= 0)
        {
            return _record[existing].Equals(client)
                ? existing
                : throw new ArgumentException($"Client '{client.Id}' is already in the log of pipeline '{_pipeline.Id}' with different content.", nameof(client));
        }

        var owner = InternOwner(client.Owner);
        var h = NewSlot(client.Id);
        _record[h] = _current[h] = client;
        _status[h] = ClientStatus.NotEntered;
        _stage[h] = FunnelEventLog.NoStage;
        _owner[h] = _initialOwner[h] = owner;
        _last[h] = client.CreatedAt.UtcTicks;
        _firstEntry[h] = long.MaxValue;
        (_version[h], _updates[h], _published[h], _publishedUpdates[h]) = (0, 0, 0, 0);
        (_segment[h], _local[h]) = (-1, -1);
        _newClients++;
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
        var h = clientEvent.PipelineId == _pipeline.Id ? SlotOf(clientEvent.ClientId) : -1;
        if (h < 0)
        {
            throw new ArgumentException($"Event '{clientEvent.Id}' is for client '{clientEvent.ClientId}' of pipeline '{clientEvent.PipelineId}', which the log of pipeline '{_pipeline.Id}' does not have; add the client first.", paramName);
        }

        AppendAt(h, clientEvent, paramName);
    }

    /// <summary>Makes room for <paramref name="clients"/> more clients and <paramref name="events"/> more events, for a load that knows its size.</summary>
    internal void Reserve(int clients, int events)
    {
        if (_slotCount + clients > _record.Length)
        {
            GrowSlots(_slotCount + clients);
        }

        if (_pending + events > _pClient.Length)
        {
            GrowPending(_pending + events);
        }
    }

    /// <summary>Appends an event of the client in slot <paramref name="h"/> (the caller found it: the log's build knows every event's slot).</summary>
    internal void AppendAt(int h, ClientEvent clientEvent, string? paramName)
    {
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
            Push(client, at, (EventKind)kind, kind == TransitionKind.Lost ? stage : (short)toStage, next, OwnerOf(client, owner));
            return;
        }

        // Refused: the object path names the rule broken exactly as it would for a stored event (and throws).
        Append(new StageTransition(id, _record[client].Id, _pipeline.Id, sequence, kind, StageKey(fromStage, id, nameof(fromStage)), StageKey(toStage, id, nameof(toStage)), occurredAt, occurredAt, owner));
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

        Append(new ClientActivity(id, _record[client].Id, _pipeline.Id, sequence, occurredAt, occurredAt, owner));
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

        Append(new OwnerReassignment(id, _record[client].Id, _pipeline.Id, sequence, occurredAt, occurredAt, owner, previousOwner));
    }

    /// <summary>
    /// The log as of now: an immutable snapshot every calculator reads as it reads a built log. Taking one seals what was
    /// appended since the previous: the segments of the clients that changed are made anew, the others are shared with the
    /// previous snapshot; with nothing appended, the previous snapshot itself. The handles given so far are spent.
    /// </summary>
    /// <returns>The snapshot.</returns>
    public FunnelEventLog ToLog()
    {
        if (_pending == 0 && _pendingUpdates == 0 && _newClients == 0)
        {
            // Only looked-up clients in the working set (or none): nothing to seal.
            ClearWorkingSet();
            return _log;
        }

        // Owners are kept in id order: a new one renumbers them, and every segment's owner column with them.
        ushort[]? renumber = null;
        if (_ownerList.Count != _sortedOwners.Length)
        {
            var sorted = _ownerList.ToArray();
            Array.Sort(sorted);
            var rank = new int[sorted.Length];
            var handleOfRank = new int[sorted.Length];
            for (var i = 0; i < sorted.Length; i++)
            {
                var handle = _ownerIndex[sorted[i]];
                (rank[handle], handleOfRank[i]) = (i, handle);
            }

            renumber = new ushort[_sortedOwners.Length];
            for (var r = 0; r < _sortedOwners.Length; r++)
            {
                renumber[r] = (ushort)rank[_handleOfRank[r]];
            }

            (_sortedOwners, _ownerRank, _handleOfRank) = (sorted, rank, handleOfRank);
        }

        // One plan per segment of the last snapshot (or none yet): the new clients placed by id, and the clients changed.
        var old = _log.Segments;
        var plans = new List<Plan>(Math.Max(old.Count, 1));
        foreach (var segment in old)
        {
            plans.Add(new Plan(segment));
        }

        PlaceNewClients(plans);
        for (var h = 0; h < _slotCount; h++)
        {
            if (_local[h] >= 0 && _version[h] != _published[h])
            {
                (plans[_segment[h]].Changed ??= []).Add(h);
            }
        }

        var segments = new List<LogSegment>(plans.Count);
        var clientsChanged = _newClients > 0;
        foreach (var plan in plans)
        {
            if (plan.Changed is null && plan.Added is null && renumber is null)
            {
                segments.Add(plan.Old!);
                continue;
            }

            var made = Rebuild(plan, renumber);
            clientsChanged |= made.Count > 1;
            segments.AddRange(made);
        }

        Scatter();
        int[] segmentBase, segmentOf;
        if (clientsChanged)
        {
            segmentBase = new int[segments.Count + 1];
            segmentOf = new int[_clientCount];
            for (var s = 0; s < segments.Count; s++)
            {
                var from = segmentBase[s];
                segmentBase[s + 1] = from + segments[s].ClientCount;
                segmentOf.AsSpan(from, segments[s].ClientCount).Fill(s);
            }
        }
        else
        {
            (segmentBase, segmentOf) = (_log.SegmentBases, _log.SegmentOf);
        }

        _log = new FunnelEventLog(_pipeline, _sortedOwners, [.. segments], segmentBase, segmentOf);
        ClearWorkingSet();
        return _log;
    }

    /// <summary>Places the new clients by id: into the segment of their id range, or, with no segment yet, into new ones.</summary>
    private void PlaceNewClients(List<Plan> plans)
    {
        if (_newClients == 0)
        {
            return;
        }

        var added = new int[_newClients];
        for (int h = 0, n = 0; h < _slotCount; h++)
        {
            if (_segment[h] < 0)
            {
                added[n++] = h;
            }
        }

        Array.Sort(added, (a, b) => _record[a].Id.CompareTo(_record[b].Id));
        if (plans.Count == 0)
        {
            plans.Add(new Plan(null) { Added = [.. added] });
            return;
        }

        // Each new client goes to the last segment whose first client is not after it (the first segment for the smallest).
        var s = 0;
        foreach (var h in added)
        {
            var id = _record[h].Id;
            while (s + 1 < plans.Count && plans[s + 1].Old!.Clients[0].Id.CompareTo(id) <= 0)
            {
                s++;
            }

            (plans[s].Added ??= []).Add(h);
        }
    }

    /// <summary>
    /// Makes a plan's new segments (one, or several when it grew past twice the segment size): each client's published
    /// events copied, its cursor left where its new events go.
    /// </summary>
    private List<LogSegment> Rebuild(Plan plan, ushort[]? renumber)
    {
        // The clients in id order: the old segment's (a changed one by its slot) merged with the new ones.
        var oldClients = plan.Old?.Clients ?? [];
        var slotOfLocal = new int[oldClients.Length];
        Array.Fill(slotOfLocal, -1);
        foreach (var h in plan.Changed ?? [])
        {
            slotOfLocal[_local[h]] = h;
        }

        var added = plan.Added ?? [];
        var order = new (int Local, int Slot)[oldClients.Length + added.Count];
        for (int i = 0, j = 0, k = 0; k < order.Length; k++)
        {
            order[k] = j == added.Count || (i < oldClients.Length && oldClients[i].Id.CompareTo(_record[added[j]].Id) < 0)
                ? (i, slotOfLocal[i++])
                : (-1, added[j++]);
        }

        var made = new List<LogSegment>();
        var size = order.Length > 2 * _segmentClients ? _segmentClients : order.Length;
        for (var from = 0; from < order.Length; from += size)
        {
            made.Add(Make(plan.Old, order.AsSpan(from, Math.Min(size, order.Length - from)), renumber));
        }

        return made;
    }

    /// <summary>One new segment of the given clients: an old one's (by its local index) or a slot's.</summary>
    private LogSegment Make(LogSegment? old, ReadOnlySpan<(int Local, int Slot)> order, ushort[]? renumber)
    {
        var n = order.Length;
        var start = new int[n + 1];
        var updateCounts = new int[n];
        var hasUpdates = false;
        for (var k = 0; k < n; k++)
        {
            var (local, h) = order[k];
            var (events, updates) = h >= 0 ? (_version[h], _updates[h]) : (old!.Start[local + 1] - old.Start[local], old.UpdatesOf(local));
            start[k + 1] = start[k] + events;
            updateCounts[k] = updates;
            hasUpdates |= updates > 0;
        }

        var total = start[n];
        var (ticks, kindStatus, stages, owners) = (new long[total], new byte[total], new short[total], new ushort[total]);
        var clients = new Client[n];
        var initialOwners = new ushort[n];
        var firstEntry = new long[n];
        int[]? updateStart = hasUpdates ? new int[n + 1] : null;
        for (var k = 0; hasUpdates && k < n; k++)
        {
            updateStart![k + 1] = updateStart[k] + updateCounts[k];
        }

        var updateCount = updateStart?[n] ?? 0;
        var (updateTicks, updateClients) = (new long[updateCount], new Client[updateCount]);
        var segment = new LogSegment(clients, start, ticks, kindStatus, stages, owners, initialOwners, firstEntry, updateStart, updateTicks, updateClients);
        for (var k = 0; k < n; k++)
        {
            var (local, h) = order[k];
            var copied = 0;
            if (local >= 0)
            {
                // An old client: its published events and updates, its owners renumbered when the owner table changed.
                var from = old!.Start[local];
                copied = old.Start[local + 1] - from;
                Array.Copy(old.Ticks, from, ticks, start[k], copied);
                Array.Copy(old.KindStatus, from, kindStatus, start[k], copied);
                Array.Copy(old.Stages, from, stages, start[k], copied);
                if (renumber is null)
                {
                    Array.Copy(old.Owners, from, owners, start[k], copied);
                }
                else
                {
                    for (var i = 0; i < copied; i++)
                    {
                        owners[start[k] + i] = renumber[old.Owners[from + i]];
                    }
                }

                var oldUpdates = old.UpdatesOf(local);
                if (oldUpdates > 0)
                {
                    var u = old.UpdateStart![local];
                    Array.Copy(old.UpdateTicks, u, updateTicks, updateStart![k], oldUpdates);
                    Array.Copy(old.UpdateClients, u, updateClients, updateStart[k], oldUpdates);
                }

                (clients[k], firstEntry[k]) = (old.Clients[local], old.FirstEntry[local]);
                initialOwners[k] = renumber is null ? old.InitialOwners[local] : renumber[old.InitialOwners[local]];
            }
            else
            {
                (clients[k], firstEntry[k], initialOwners[k]) = (_record[h], long.MaxValue, (ushort)_ownerRank[_initialOwner[h]]);
            }

            if (h >= 0)
            {
                // A slot's new events and updates go after its published ones.
                _target[h] = segment;
                _cursor[h] = start[k] + copied;
                _updateCursor[h] = updateStart is null ? 0 : updateStart[k] + _publishedUpdates[h];
                if (_firstEntry[h] != long.MaxValue)
                {
                    firstEntry[k] = _firstEntry[h];
                }
            }
        }

        return segment;
    }

    /// <summary>Writes the tail's events and updates into their segments' new columns, in the order they came (each client's in sequence order).</summary>
    private void Scatter()
    {
        for (var i = 0; i < _pending; i++)
        {
            var h = _pClient[i];
            var target = _target[h]!;
            var at = _cursor[h]++;
            target.Ticks[at] = _pTicks[i];
            target.KindStatus[at] = _pKindStatus[i];
            target.Stages[at] = _pStage[i];
            target.Owners[at] = (ushort)_ownerRank[_pOwner[i]];
        }

        for (var i = 0; i < _pendingUpdates; i++)
        {
            var h = _uClient[i];
            var target = _target[h]!;
            var at = _updateCursor[h]++;
            target.UpdateTicks[at] = _uTicks[i];
            target.UpdateClients[at] = _uAfter[i];
        }
    }

    /// <summary>Forgets the working set once sealed into a snapshot; its arrays shrink back after a large load.</summary>
    private void ClearWorkingSet()
    {
        Array.Clear(_record, 0, _slotCount);
        Array.Clear(_current, 0, _slotCount);
        Array.Clear(_target, 0, _slotCount);
        Array.Clear(_uAfter, 0, _pendingUpdates);
        _slots.Clear();
        (_slotCount, _newClients, _pending, _pendingUpdates) = (0, 0, 0, 0);
        if (_record.Length > 4096)
        {
            GrowSlots(0);
            _slots.TrimExcess();
        }

        if (_pClient.Length > 65_536)
        {
            GrowPending(0);
            (_uClient, _uTicks, _uAfter) = ([], [], []);
        }
    }

    /// <summary>The slot of a client: its working-set slot, one made for a client of the last snapshot, or -1 when it was never added.</summary>
    private int SlotOf(ClientId clientId)
    {
        if (_slots.TryGetValue(clientId, out var slot))
        {
            return slot;
        }

        var c = _log.IndexOfClient(clientId);
        if (c < 0)
        {
            return -1;
        }

        // A published client enters the working set: its state as the snapshot has it after its last event.
        var history = _log.History(c);
        var s = _log.SegmentOf[c];
        var local = c - _log.SegmentBases[s];
        var segment = _log.Segments[s];
        var last = history.Count - 1;
        var h = NewSlot(clientId);
        _record[h] = history.Client;
        _current[h] = history.ClientAsOf(long.MaxValue);
        (_status[h], _stage[h]) = last >= 0 ? (history.Status(last), (short)history.Stage(last)) : (ClientStatus.NotEntered, FunnelEventLog.NoStage);
        _initialOwner[h] = _handleOfRank[history.InitialOwner];
        _owner[h] = last >= 0 ? _handleOfRank[history.Owner(last)] : _initialOwner[h];
        _last[h] = last >= 0 ? history.Ticks(last) : history.Client.CreatedAt.UtcTicks;
        _version[h] = _published[h] = history.Count;
        _firstEntry[h] = long.MaxValue;
        _updates[h] = _publishedUpdates[h] = segment.UpdatesOf(local);
        (_segment[h], _local[h]) = (s, local);
        return h;
    }

    private int NewSlot(ClientId clientId)
    {
        var h = _slotCount;
        if (h == _record.Length)
        {
            GrowSlots(Math.Max(16, h * 2));
        }

        _slots.Add(clientId, h);
        _slotCount++;
        return h;
    }

    /// <summary>Appends an event read from a log already checked (its state after the event as the log has it), without checking it again.</summary>
    internal void AppendTrusted(int h, long at, EventKind kind, short stage, ClientStatus status, OwnerId owner, Client? updated)
    {
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
        _pKindStatus[i] = LogSegment.Pack(kind, status);
        _pStage[i] = stage;
        _pOwner[i] = owner;
        if (kind == EventKind.Entered)
        {
            _firstEntry[h] = at;
        }

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
            if (_ownerList.Count == MaxOwners)
            {
                throw new ArgumentException($"Owner '{owner}' would be the {MaxOwners + 1:N0}th owner of pipeline '{_pipeline.Id}'; a log holds at most {MaxOwners:N0}.", nameof(owner));
            }

            o = _ownerList.Count;
            _ownerIndex.Add(owner, o);
            _ownerList.Add(owner);
        }

        return o;
    }

    private void CheckHandle(int client)
    {
        if ((uint)client >= (uint)_slotCount)
        {
            throw new ArgumentOutOfRangeException(nameof(client), client, $"The log of pipeline '{_pipeline.Id}' has no client with handle {client} ({_slotCount} handles are valid; handles are spent by each snapshot).");
        }
    }

    private StageId? StageKey(int stage, ClientEventId id, string paramName) => stage switch
    {
        < 0 => null,
        _ when stage < _stageCount => _pipeline.Stages[stage].Key,
        _ => throw new ArgumentOutOfRangeException(paramName, stage, $"Event '{id}' names stage index {stage}; pipeline '{_pipeline.Id}' has {_stageCount} stages."),
    };

    private void GrowSlots(int size)
    {
        Array.Resize(ref _record, size);
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
        Array.Resize(ref _local, size);
        Array.Resize(ref _cursor, size);
        Array.Resize(ref _updateCursor, size);
        Array.Resize(ref _target, size);
    }

    private void GrowPending(int size)
    {
        Array.Resize(ref _pClient, size);
        Array.Resize(ref _pTicks, size);
        Array.Resize(ref _pKindStatus, size);
        Array.Resize(ref _pStage, size);
        Array.Resize(ref _pOwner, size);
    }

    /// <summary>What a snapshot does with one segment of the last: the new clients placed in it, the slots of its clients that changed.</summary>
    private sealed class Plan(LogSegment? old)
    {
        public LogSegment? Old { get; } = old;

        public List<int>? Added { get; set; }

        public List<int>? Changed { get; set; }
    }
}
