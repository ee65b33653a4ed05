namespace FunnelMetrics.Metrics;

/// <summary>
/// One pipeline's history in columnar form, built once and read by every calculator: the clients sorted by id, and
/// their events sorted by client, then sequence, as parallel arrays (instant, kind, stage after the event, status after
/// the event, owner after the event). Immutable; about 16 bytes per event plus the clients themselves.
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

    // The columns: private, read through ClientHistory (see docs/architecture.md, "The log's internal API").
    private readonly Client[] _clients;
    private readonly OwnerId[] _owners;
    private readonly int[] _start;
    private readonly long[] _ticks;
    private readonly EventKind[] _kinds;
    private readonly short[] _stages;
    private readonly ClientStatus[] _statuses;
    private readonly int[] _eventOwners;
    private readonly int[] _initialOwners;
    private readonly long[] _firstEntry;
    private readonly int _stageCount;

    // The client updates, kept aside: null when the log has none. Client c's are _updateTicks/_updateClients[_updateStart[c].._updateStart[c + 1]).
    private readonly int[]? _updateStart;
    private readonly long[] _updateTicks;
    private readonly Client[] _updateClients;

    private FunnelEventLog(PipelineDefinition pipeline, Client[] clients, OwnerId[] owners, int[] start, long[] ticks, EventKind[] kinds, short[] stages, ClientStatus[] statuses, int[] eventOwners, int[] initialOwners, long[] firstEntry, int[]? updateStart, long[] updateTicks, Client[] updateClients)
    {
        Pipeline = pipeline;
        _clients = clients;
        _owners = owners;
        _start = start;
        _ticks = ticks;
        _kinds = kinds;
        _stages = stages;
        _statuses = statuses;
        _eventOwners = eventOwners;
        _initialOwners = initialOwners;
        _firstEntry = firstEntry;
        _updateStart = updateStart;
        _updateTicks = updateTicks;
        _updateClients = updateClients;
        _stageCount = pipeline.Stages.Count;
    }

    /// <summary>The pipeline the history belongs to.</summary>
    public PipelineDefinition Pipeline { get; }

    /// <summary>The clients, ordered by id (ordinal), as they were added: their records, without their updates (see <see cref="ClientAsOf"/>).</summary>
    public IReadOnlyList<Client> Clients => _clients;

    /// <summary>The number of events (transitions, activities, reassignments and client updates).</summary>
    public int EventCount => _ticks.Length;

    /// <summary>The number of client updates among the events.</summary>
    public int UpdateCount => _updateTicks.Length;

    /// <summary>The instant of the earliest event, or <see langword="null"/> when there is none.</summary>
    public DateTimeOffset? FirstEventAt => MinTicks() is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>
    /// The instant of the latest event, or <see langword="null"/> when there is none: "as of the end of the data", for
    /// reading an imported history where it stops.
    /// </summary>
    public DateTimeOffset? LastEventAt => MaxTicks() is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>The number of clients; client indexes run from 0 to this, exclusive, in id order.</summary>
    internal int ClientCount => _clients.Length;

    /// <summary>
    /// A mask passing every client, shared by the calculators when a filter has no client condition. Created once, on
    /// first use; never written after (the calculators only read masks).
    /// </summary>
    internal bool[] AllClientsMask => LazyInitializer.EnsureInitialized(ref _allClients, () => AllTrue(_clients.Length));

    /// <summary>A mask passing every owner, shared likewise.</summary>
    internal bool[] AllOwnersMask => LazyInitializer.EnsureInitialized(ref _allOwners, () => AllTrue(_owners.Length));

    /// <summary>The number of owners named by a client or event; owner indexes run from 0 to this, exclusive, in id order.</summary>
    internal int OwnerCount => _owners.Length;

    /// <summary>Every owner named by a client or event, ordered by id; events refer to owners by their index here.</summary>
    internal IReadOnlyList<OwnerId> Owners => _owners;

    /// <summary>Every client as of just after one of its updates, by client then sequence: with <see cref="Clients"/>, every version of every client.</summary>
    internal IReadOnlyList<Client> UpdatedClients => _updateClients;

    /// <summary>The client at index <paramref name="client"/>.</summary>
    internal Client ClientAt(int client) => _clients[client];

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
        int lo = 0, hi = _clients.Length - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var order = _clients[mid].Id.CompareTo(clientId);
            if (order == 0)
            {
                return mid;
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

        var clientArray = clients.ToArray();
        if (Array.IndexOf(clientArray, null) is var nullAt and >= 0)
        {
            throw new ArgumentException($"Client {nullAt} of the {clientArray.Length} given is null.", nameof(clients));
        }

        // Clients usually come ordered by id already (a store lists them so): check before paying for a sort.
        var clientsSorted = true;
        for (var i = 1; i < clientArray.Length && clientsSorted; i++)
        {
            clientsSorted = clientArray[i - 1].Id.CompareTo(clientArray[i].Id) <= 0;
        }

        if (!clientsSorted)
        {
            Array.Sort(clientArray, static (a, b) => a.Id.CompareTo(b.Id));
        }
        var clientIndex = new Dictionary<ClientId, int>(clientArray.Length);
        var ownerIndex = new Dictionary<OwnerId, int>();
        for (var i = 0; i < clientArray.Length; i++)
        {
            var client = clientArray[i];
            if (client.PipelineId != pipeline.Id)
            {
                throw new ArgumentException($"Client '{client.Id}' belongs to pipeline '{client.PipelineId}', not to '{pipeline.Id}'.", nameof(clients));
            }

            if (!clientIndex.TryAdd(client.Id, i))
            {
                throw new ArgumentException($"Client '{client.Id}' is given twice.", nameof(clients));
            }

            ownerIndex.TryAdd(client.Owner, ownerIndex.Count);
        }

        var list = events as IReadOnlyCollection<ClientEvent> ?? [.. events];
        var order = new long[list.Count];
        var items = new ClientEvent[list.Count];
        var counts = new int[clientArray.Length + 1];
        var n = 0;
        var sorted = true;

        // Events usually come grouped by client and owner: remember the last ones instead of hashing every id again.
        var lastClient = default(ClientId);
        var current = -1;
        var lastOwner = default(OwnerId);
        foreach (var e in list)
        {
            ArgumentNullException.ThrowIfNull(e, nameof(events));
            if (e.PipelineId != pipeline.Id)
            {
                throw new ArgumentException($"Event '{e.Id}' of client '{e.ClientId}' belongs to pipeline '{e.PipelineId}', not to '{pipeline.Id}'.", nameof(events));
            }

            if (e.ClientId != lastClient)
            {
                if (!clientIndex.TryGetValue(e.ClientId, out current))
                {
                    throw new ArgumentException($"Event '{e.Id}' belongs to client '{e.ClientId}', who is not among the clients given.", nameof(events));
                }

                lastClient = e.ClientId;
            }

            if (e.Sequence > int.MaxValue)
            {
                throw new ArgumentException($"Event '{e.Id}' of client '{e.ClientId}' has sequence {e.Sequence}, beyond what a log holds.", nameof(events));
            }

            if (e.Owner != lastOwner)
            {
                ownerIndex.TryAdd(e.Owner, ownerIndex.Count);
                lastOwner = e.Owner;
            }

            var key = ((long)current << 32) | (uint)e.Sequence;
            sorted &= n == 0 || key > order[n - 1];
            order[n] = key;
            items[n] = e;
            counts[current + 1]++;
            n++;
        }

        if (!sorted)
        {
            Array.Sort(order, items);
        }

        // Owners are numbered in order of appearance while reading, then renumbered by id so results do not depend on input order.
        var owners = ownerIndex.Keys.ToArray();
        Array.Sort(owners);
        for (var i = 0; i < owners.Length; i++)
        {
            ownerIndex[owners[i]] = i;
        }

        var start = new int[clientArray.Length + 1];
        for (var c = 0; c < clientArray.Length; c++)
        {
            start[c + 1] = start[c] + counts[c + 1];
        }

        var ticks = new long[n];
        var kinds = new EventKind[n];
        var stages = new short[n];
        var statuses = new ClientStatus[n];
        var eventOwners = new int[n];
        var initialOwners = new int[clientArray.Length];
        var firstEntry = new long[clientArray.Length];

        // The updates' side table, made on the first update: a log without any allocates nothing for them.
        int[]? updateStart = null;
        List<long>? updateTicks = null;
        List<Client>? updateClients = null;
        for (var c = 0; c < clientArray.Length; c++)
        {
            var client = clientArray[c];
            var owner = initialOwners[c] = ownerIndex[client.Owner];
            var status = ClientStatus.NotEntered;
            var stage = NoStage;
            var last = client.CreatedAt.UtcTicks;
            firstEntry[c] = long.MaxValue;
            for (var i = start[c]; i < start[c + 1]; i++)
            {
                var e = items[i];
                var expected = i - start[c] + 1;
                if (e.Sequence != expected)
                {
                    throw TransitionRules.SequenceBroken(e, expected, null);
                }

                var at = e.OccurredAt.UtcTicks;
                if (at < last)
                {
                    throw TransitionRules.InstantBroken(e, expected == 1, new DateTimeOffset(last, TimeSpan.Zero), null);
                }

                switch (e)
                {
                    case StageTransition t:
                        (status, stage) = Follow(pipeline, t, status, stage);
                        if (t.Kind == TransitionKind.Entered)
                        {
                            firstEntry[c] = at;
                        }

                        kinds[i] = (EventKind)t.Kind;
                        break;
                    case ClientActivity:
                        kinds[i] = EventKind.Activity;
                        break;
                    case OwnerReassignment r:
                        if (!ownerIndex.TryGetValue(r.PreviousOwner, out var previous) || previous != owner)
                        {
                            throw TransitionRules.OwnerBroken(r, owners[owner], null);
                        }

                        kinds[i] = EventKind.Reassigned;
                        break;
                    case ClientUpdate u:
                        if (updateStart is null)
                        {
                            (updateStart, updateTicks, updateClients) = (new int[clientArray.Length + 1], [], []);
                        }

                        // The client as of just after the update: the one before it (the record, or the last update's) with it applied.
                        var before = updateClients!.Count > updateStart[c] ? updateClients[^1] : client;
                        updateTicks!.Add(at);
                        updateClients.Add(before.Apply(u));
                        kinds[i] = EventKind.Updated;
                        break;
                }

                // An update keeps the owner (as ClientState.Apply does); an activity carrying another owner hands the client over.
                if (e.Owner != owners[owner] && kinds[i] != EventKind.Updated)
                {
                    owner = ownerIndex[e.Owner];
                }

                ticks[i] = last = at;
                stages[i] = stage;
                statuses[i] = status;
                eventOwners[i] = owner;
            }

            if (updateStart is not null)
            {
                updateStart[c + 1] = updateClients!.Count;
            }
        }

        return new FunnelEventLog(pipeline, clientArray, owners, start, ticks, kinds, stages, statuses, eventOwners, initialOwners, firstEntry, updateStart, updateTicks?.ToArray() ?? [], updateClients?.ToArray() ?? []);
    }

    /// <summary>The client's status and stage after a transition, checked against the model's rule table; throws naming the rule it breaks.</summary>
    private static (ClientStatus Status, short Stage) Follow(PipelineDefinition pipeline, StageTransition t, ClientStatus status, short stage)
    {
        var next = TransitionRules.Follow(pipeline, status, stage, t, null, out var to);
        return (next, (short)to);
    }

    private bool[]? _allClients;
    private bool[]? _allOwners;

    private static bool[] AllTrue(int length)
    {
        var mask = new bool[length];
        Array.Fill(mask, true);
        return mask;
    }

    private long? MaxTicks()
    {
        long? max = null;
        for (var c = 0; c < _clients.Length; c++)
        {
            // A client's events are in time order: its last is its latest.
            if (_start[c] < _start[c + 1] && (max is null || _ticks[_start[c + 1] - 1] > max))
            {
                max = _ticks[_start[c + 1] - 1];
            }
        }

        return max;
    }

    private long? MinTicks()
    {
        long? min = null;
        for (var c = 0; c < _clients.Length; c++)
        {
            if (_start[c] < _start[c + 1] && (min is null || _ticks[_start[c]] < min))
            {
                min = _ticks[_start[c]];
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
