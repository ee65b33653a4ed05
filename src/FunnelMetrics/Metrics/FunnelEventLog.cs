namespace FunnelMetrics.Metrics;

/// <summary>
/// One pipeline's history in columnar form, built once and read by every calculator: the clients sorted by id, and
/// their events sorted by client, then sequence, as parallel arrays (instant, kind, stage after the event, status after
/// the event, owner after the event). Immutable; 13 bytes per event (instant 8, kind and status 1, stage 2, owner 2) plus the clients themselves.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="ClientUpdate"/> events are in the columns as their own kind, neither a transition nor a touch (no metric
/// counts one as an action, a move or a hand-over), and each one's client as of just after it (<see cref="Client.Apply"/>)
/// is kept aside, so the kernel reads "the client as of T" (its value, expected close date and attributes) in a binary
/// search over that client's updates. A log without updates keeps nothing aside; a client without updates costs nothing.
/// </para>
/// <para>
/// <see cref="Build"/> takes events in any order and checks every client's history: sequences 1, 2, 3... without gaps,
/// instants that never decrease, known stages, and kinds consistent with the stage order and with the client's state
/// (the model's one rule table, as the recorder applies it). A history that breaks them is refused with a
/// <see cref="FunnelHistoryException"/> (an <see cref="ArgumentException"/>) naming the client, the event and the rule:
/// a metric is never computed from a broken history.
/// </para>
/// </remarks>
public sealed partial class FunnelEventLog
{
    internal const short NoStage = -1;

    // The columns live in segments of consecutive clients (LogSegment), read through ClientHistory (see
    // docs/architecture.md, "The log's internal API"): client c is client c - _segmentBase[s] of segment s = _segmentOf[c].
    private readonly LogSegment[] _segments;
    private readonly int[] _segmentBase;
    private readonly int[] _segmentOf;
    private readonly OwnerId[] _owners;
    private readonly int _stageCount;
    private readonly int _clientCount;
    private readonly int _eventCount;
    private readonly int _updateCount;

    internal FunnelEventLog(PipelineDefinition pipeline, OwnerId[] owners, LogSegment[] segments, int[] segmentBase, int[] segmentOf)
    {
        Pipeline = pipeline;
        _owners = owners;
        _segments = segments;
        _segmentBase = segmentBase;
        _segmentOf = segmentOf;
        _stageCount = pipeline.Stages.Count;
        _clientCount = segmentBase[^1];
        foreach (var segment in segments)
        {
            _eventCount += segment.EventCount;
            _updateCount += segment.UpdateTicks.Length;
        }
    }

    /// <summary>The pipeline the history belongs to.</summary>
    public PipelineDefinition Pipeline { get; }

    /// <summary>The clients, ordered by id (ordinal), as they were added: their records, without their updates (see <see cref="ClientAsOf"/>).</summary>
    public IReadOnlyList<Client> Clients => LazyInitializer.EnsureInitialized(ref _clientList, () => Concat(static s => s.Clients));

    /// <summary>The number of events (transitions, activities, reassignments and client updates).</summary>
    public int EventCount => _eventCount;

    /// <summary>The number of client updates among the events.</summary>
    public int UpdateCount => _updateCount;

    /// <summary>The instant of the earliest event, or <see langword="null"/> when there is none.</summary>
    public DateTimeOffset? FirstEventAt => MinTicks() is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>
    /// The instant of the latest event, or <see langword="null"/> when there is none: "as of the end of the data", for
    /// reading an imported history where it stops.
    /// </summary>
    public DateTimeOffset? LastEventAt => LastTicks is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>The UTC ticks of the latest event, or <see langword="null"/> when there is none; found once, on first use.</summary>
    internal long? LastTicks => LazyInitializer.EnsureInitialized(ref _lastTicks, () => new(MaxTicks())).Value;

    /// <summary>
    /// One value a layer above keeps with this snapshot, or <see langword="null"/>: the forecast's fitted part last made on
    /// it for an instant at or after its last event, which the forecasting layer reads, replaces and uses only where it is
    /// exactly what a fresh fit would be. Typed as an object so that the metrics layer does not depend on forecasting;
    /// held as long as the snapshot is.
    /// </summary>
    internal object? KeptFit
    {
        get => Volatile.Read(ref _keptFit);
        set => Volatile.Write(ref _keptFit, value);
    }

    /// <summary>The number of clients; client indexes run from 0 to this, exclusive, in id order.</summary>
    internal int ClientCount => _clientCount;

    /// <summary>
    /// A mask passing every client, shared by the calculators when a filter has no client condition. Created once, on
    /// first use; never written after (the calculators only read masks).
    /// </summary>
    internal bool[] AllClientsMask => LazyInitializer.EnsureInitialized(ref _allClients, () => AllTrue(_clientCount));

    /// <summary>
    /// Every completed visit per stage, sorted (elapsed time): what the learned stall thresholds read at any instant.
    /// Made on first use, once per log, and shared by every reader of this snapshot; 8 bytes per completed visit.
    /// </summary>
    internal CompletedVisits CompletedVisits => LazyInitializer.EnsureInitialized(ref _completedVisits, () => CompletedVisits.Of(this));

    /// <summary>A mask passing every owner, shared likewise.</summary>
    internal bool[] AllOwnersMask => LazyInitializer.EnsureInitialized(ref _allOwners, () => AllTrue(_owners.Length));

    /// <summary>The number of owners named by a client or event; owner indexes run from 0 to this, exclusive, in id order.</summary>
    internal int OwnerCount => _owners.Length;

    /// <summary>Every owner named by a client or event, ordered by id; events refer to owners by their index here.</summary>
    internal IReadOnlyList<OwnerId> Owners => _owners;

    /// <summary>Every client as of just after one of its updates, by client then sequence: with <see cref="Clients"/>, every version of every client.</summary>
    internal IReadOnlyList<Client> UpdatedClients => LazyInitializer.EnsureInitialized(ref _updatedList, () => Concat(static s => s.UpdateClients));

    /// <summary>The segments, in client order: the partitions a calculator may fold separately and merge.</summary>
    internal IReadOnlyList<LogSegment> Segments => _segments;

    /// <summary>The first client of each segment, and the client count last: shared with the snapshots that have the same clients.</summary>
    internal int[] SegmentBases => _segmentBase;

    /// <summary>Each client's segment: shared with the snapshots that have the same clients.</summary>
    internal int[] SegmentOf => _segmentOf;

    /// <summary>The index of the first client of segment <paramref name="segment"/>; <see cref="ClientCount"/> for one past the last.</summary>
    internal int SegmentStart(int segment) => _segmentBase[segment];

    /// <summary>The client at index <paramref name="client"/>.</summary>
    internal Client ClientAt(int client)
    {
        var s = _segmentOf[client];
        return _segments[s].Clients[client - _segmentBase[s]];
    }

    /// <summary>The owner at index <paramref name="owner"/>.</summary>
    internal OwnerId OwnerAt(int owner) => _owners[owner];

    /// <summary>The index of an owner, or -1 when the log does not name it.</summary>
    internal int IndexOfOwner(OwnerId owner) => Array.BinarySearch(_owners, owner) is var i and >= 0 ? i : -1;

    /// <summary>
    /// A client as of an instant: its record (<see cref="Clients"/>) with every one of its <see cref="ClientUpdate"/> events
    /// at or before <paramref name="asOf"/> applied, as <see cref="Client.Apply"/> does. The client every metric reads at
    /// its instant (docs/metrics.md, "The client as of T").
    /// </summary>
    /// <param name="clientId">The client.</param>
    /// <param name="asOf">The instant, inclusive.</param>
    /// <returns>The client as of the instant; the record itself when no update precedes it.</returns>
    /// <exception cref="ArgumentException">The log has no such client.</exception>
    public Client ClientAsOf(ClientId clientId, DateTimeOffset asOf)
    {
        var c = IndexOfClient(clientId);
        return c >= 0
            ? History(c).ClientAsOf(asOf.UtcTicks)
            : throw new ArgumentException($"Client '{clientId}' is not in the log of pipeline '{Pipeline.Id}'.", nameof(clientId));
    }

    /// <summary>The index of a client (the clients are ordered by id), or -1 when the log does not have it.</summary>
    internal int IndexOfClient(ClientId clientId)
    {
        // The segment: the last whose first client is not after the id; then the client within it.
        int lo = 0, hi = _segments.Length - 1, segment = -1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (_segments[mid].Clients[0].Id.CompareTo(clientId) <= 0)
            {
                (segment, lo) = (mid, mid + 1);
            }
            else
            {
                hi = mid - 1;
            }
        }

        if (segment < 0)
        {
            return -1;
        }

        var clients = _segments[segment].Clients;
        (lo, hi) = (0, clients.Length - 1);
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var order = clients[mid].Id.CompareTo(clientId);
            if (order == 0)
            {
                return _segmentBase[segment] + mid;
            }

            (lo, hi) = order < 0 ? (mid + 1, hi) : (lo, mid - 1);
        }

        return -1;
    }

    /// <summary>The history of the client at index <paramref name="client"/>: its events, read through named operations.</summary>
    internal ClientHistory History(int client) => new(this, client);

    /// <summary>Builds the log of one pipeline from its clients and their events, given in any order.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="clients">The pipeline's clients; every event's client must be among them.</param>
    /// <param name="events">The clients' events, in any order.</param>
    /// <returns>The log.</returns>
    /// <exception cref="FunnelHistoryException">
    /// A client's history has a gap, a duplicate, an instant out of order, an unknown stage, a transition its state or the
    /// stage order does not allow, or a reassignment from someone other than its owner; <see cref="FunnelHistoryException.Rule"/>
    /// names the rule, and the exception the client and the event.
    /// </exception>
    /// <exception cref="ArgumentException">A client or event belongs to another pipeline, or an event's client is not given.</exception>
    public static FunnelEventLog Build(PipelineDefinition pipeline, IEnumerable<Client> clients, IEnumerable<ClientEvent> events)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(events);

        var builder = new FunnelLogBuilder(pipeline);
        if (clients is IReadOnlyCollection<Client> known && events is IReadOnlyCollection<ClientEvent> all)
        {
            builder.Reserve(known.Count, all.Count);
        }

        var at = 0;
        foreach (var client in clients)
        {
            if (client is null)
            {
                throw new ArgumentException($"Client {at} of those given is null.", nameof(clients));
            }

            if (client.PipelineId != pipeline.Id)
            {
                throw new ArgumentException($"Client '{client.Id}' belongs to pipeline '{client.PipelineId}', not to '{pipeline.Id}'.", nameof(clients));
            }

            if (builder.Contains(client.Id))
            {
                throw new ArgumentException($"Client '{client.Id}' is given twice.", nameof(clients));
            }

            builder.Add(client);
            at++;
        }

        // The builder takes each client's events in sequence order: key them by (client, sequence), sorting only when
        // they do not come so (a store reads them grouped by client already).
        var list = events as IReadOnlyCollection<ClientEvent> ?? [.. events];
        var order = new long[list.Count];
        var items = new ClientEvent[list.Count];
        var n = 0;
        var sorted = true;
        var lastClient = default(ClientId);
        var current = -1;
        foreach (var e in list)
        {
            ArgumentNullException.ThrowIfNull(e, nameof(events));
            if (e.PipelineId != pipeline.Id)
            {
                throw new ArgumentException($"Event '{e.Id}' of client '{e.ClientId}' belongs to pipeline '{e.PipelineId}', not to '{pipeline.Id}'.", nameof(events));
            }

            if (e.ClientId != lastClient)
            {
                if (!builder.TryGetHandle(e.ClientId, out current))
                {
                    throw new ArgumentException($"Event '{e.Id}' belongs to client '{e.ClientId}', who is not among the clients given.", nameof(events));
                }

                lastClient = e.ClientId;
            }

            if (e.Sequence > int.MaxValue)
            {
                throw new ArgumentException($"Event '{e.Id}' of client '{e.ClientId}' has sequence {e.Sequence}, beyond what a log holds.", nameof(events));
            }

            var key = ((long)current << 32) | (uint)e.Sequence;
            sorted &= n == 0 || key > order[n - 1];
            order[n] = key;
            items[n] = e;
            n++;
        }

        if (!sorted)
        {
            Array.Sort(order, items);
        }

        for (var i = 0; i < n; i++)
        {
            builder.AppendAt((int)(order[i] >> 32), items[i], null);
        }

        return builder.ToLog();
    }

    /// <summary>Whether some event is after <paramref name="after"/> and before <paramref name="before"/> (UTC ticks, both exclusive).</summary>
    internal bool AnyEventBetween(long after, long before)
    {
        if (before <= after + 1 || MaxTicks() is not { } last || last <= after)
        {
            return false;
        }

        for (var c = 0; c < _clientCount; c++)
        {
            var history = History(c);
            var next = history.LastAtOrBefore(after) + 1;
            if (next < history.Count && history.Ticks(next) < before)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The log without its events after <paramref name="cut"/> (UTC ticks, inclusive): this log when it has none after.</summary>
    internal FunnelEventLog Until(long cut)
    {
        if (MaxTicks() is not { } last || last <= cut)
        {
            return this;
        }

        var builder = new FunnelLogBuilder(Pipeline);
        for (var c = 0; c < _clientCount; c++)
        {
            var h = builder.Add(ClientAt(c));
            var history = History(c);
            var end = history.LastAtOrBefore(cut);
            for (int i = 0, updates = 0; i <= end; i++)
            {
                var kind = history.Kind(i);
                builder.AppendTrusted(h, history.Ticks(i), kind, (short)history.Stage(i), history.Status(i), _owners[history.Owner(i)], kind == EventKind.Updated ? history.UpdatedClient(updates++) : null);
            }
        }

        return builder.ToLog();
    }

    /// <summary>Every segment's items of one kind, concatenated in client order.</summary>
    private Client[] Concat(Func<LogSegment, Client[]> items)
    {
        if (_segments.Length == 1)
        {
            return items(_segments[0]);
        }

        var all = new List<Client>(_clientCount);
        foreach (var segment in _segments)
        {
            all.AddRange(items(segment));
        }

        return [.. all];
    }

    private IReadOnlyList<Client>? _clientList;
    private IReadOnlyList<Client>? _updatedList;

    private System.Runtime.CompilerServices.StrongBox<long?>? _lastTicks;
    private object? _keptFit;

    private bool[]? _allClients;
    private bool[]? _allOwners;
    private CompletedVisits? _completedVisits;

    private static bool[] AllTrue(int length)
    {
        var mask = new bool[length];
        Array.Fill(mask, true);
        return mask;
    }

    private long? MaxTicks()
    {
        long? max = null;
        foreach (var segment in _segments)
        {
            var start = segment.Start;
            for (var c = 0; c < segment.ClientCount; c++)
            {
                // A client's events are in time order: its last is its latest.
                if (start[c] < start[c + 1] && (max is null || segment.Ticks[start[c + 1] - 1] > max))
                {
                    max = segment.Ticks[start[c + 1] - 1];
                }
            }
        }

        return max;
    }

    private long? MinTicks()
    {
        long? min = null;
        foreach (var segment in _segments)
        {
            var start = segment.Start;
            for (var c = 0; c < segment.ClientCount; c++)
            {
                if (start[c] < start[c + 1] && (min is null || segment.Ticks[start[c]] < min))
                {
                    min = segment.Ticks[start[c]];
                }
            }
        }

        return min;
    }
}

/// <summary>
/// The kind of a logged event: the transition kinds, then activity, reassignment and client update. The order is
/// relied on by <see cref="EventKinds"/>: transitions below <see cref="Activity"/>, touches up to it.
/// </summary>
internal enum EventKind : byte
{
    Entered = TransitionKind.Entered,
    Advanced = TransitionKind.Advanced,
    Skipped = TransitionKind.Skipped,
    Regressed = TransitionKind.Regressed,
    Won = TransitionKind.Won,
    Lost = TransitionKind.Lost,
    Reopened = TransitionKind.Reopened,
    Activity = 7,
    Reassigned = 8,

    /// <summary>A <see cref="ClientUpdate"/>: neither a transition nor a touch; status, stage and owner after it are those before it.</summary>
    Updated = 9,
}
