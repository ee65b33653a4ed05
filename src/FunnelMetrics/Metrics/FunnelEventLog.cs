using System.Runtime.InteropServices;

namespace FunnelMetrics.Metrics;

/// <summary>
/// One pipeline's history in columnar form, built once and read by every calculator: the clients sorted by id, and
/// their events sorted by client, then sequence, as parallel arrays (instant, kind, stage after the event, status after
/// the event, owner after the event). Immutable; about 16 bytes per event plus the clients themselves.
/// </summary>
/// <remarks>
/// <see cref="Build"/> takes events in any order and checks every client's history: sequences 1, 2, 3... without gaps,
/// instants that never decrease, known stages, and kinds consistent with the stage order and with the client's state
/// (the model's one rule table, as the recorder applies it). A history that breaks them is refused with a
/// <see cref="FunnelHistoryException"/> (an <see cref="ArgumentException"/>) naming the client, the event and the rule:
/// a metric is never computed from a broken history.
/// </remarks>
public sealed class FunnelEventLog
{
    internal const short NoStage = -1;

    private FunnelEventLog(PipelineDefinition pipeline, Client[] clients, OwnerId[] owners, int[] start, long[] ticks, EventKind[] kinds, short[] stages, ClientStatus[] statuses, int[] eventOwners, int[] initialOwners, long[] firstEntry)
    {
        Pipeline = pipeline;
        ClientsArray = clients;
        Owners = owners;
        Start = start;
        Ticks = ticks;
        Kinds = kinds;
        Stages = stages;
        Statuses = statuses;
        EventOwners = eventOwners;
        InitialOwners = initialOwners;
        FirstEntryTicks = firstEntry;
    }

    /// <summary>The pipeline the history belongs to.</summary>
    public PipelineDefinition Pipeline { get; }

    /// <summary>The clients, ordered by id (ordinal).</summary>
    public IReadOnlyList<Client> Clients => ClientsArray;

    /// <summary>The number of events (transitions, activities and reassignments).</summary>
    public int EventCount => Ticks.Length;

    /// <summary>The instant of the earliest event, or <see langword="null"/> when there is none.</summary>
    public DateTimeOffset? FirstEventAt => MinTicks() is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>
    /// The instant of the latest event, or <see langword="null"/> when there is none: "as of the end of the data", for
    /// reading an imported history where it stops.
    /// </summary>
    public DateTimeOffset? LastEventAt => MaxTicks() is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    internal Client[] ClientsArray { get; }

    /// <summary>
    /// A mask passing every client, shared by the calculators when a filter has no client condition. Created once, on
    /// first use; never written after (the calculators only read masks).
    /// </summary>
    internal bool[] AllClientsMask => LazyInitializer.EnsureInitialized(ref _allClients, () => AllTrue(ClientsArray.Length));

    /// <summary>A mask passing every owner, shared likewise.</summary>
    internal bool[] AllOwnersMask => LazyInitializer.EnsureInitialized(ref _allOwners, () => AllTrue(Owners.Length));

    /// <summary>Every owner named by a client or event, ordered by id; events refer to owners by index.</summary>
    internal OwnerId[] Owners { get; }

    /// <summary>Client c's events are [Start[c], Start[c + 1]).</summary>
    internal int[] Start { get; }

    internal long[] Ticks { get; }

    internal EventKind[] Kinds { get; }

    /// <summary>The client's stage after the event: its open stage, the won stage, the stage it was lost at, or <see cref="NoStage"/>.</summary>
    internal short[] Stages { get; }

    internal ClientStatus[] Statuses { get; }

    /// <summary>The client's owner (index into <see cref="Owners"/>) after the event.</summary>
    internal int[] EventOwners { get; }

    internal int[] InitialOwners { get; }

    /// <summary>Per client, the UTC ticks of its first entry, or <see cref="long.MaxValue"/> when it never entered.</summary>
    internal long[] FirstEntryTicks { get; }

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
                }

                if (e.Owner != owners[owner])
                {
                    owner = ownerIndex[e.Owner];
                }

                ticks[i] = last = at;
                stages[i] = stage;
                statuses[i] = status;
                eventOwners[i] = owner;
            }
        }

        return new FunnelEventLog(pipeline, clientArray, owners, start, ticks, kinds, stages, statuses, eventOwners, initialOwners, firstEntry);
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
        for (var c = 0; c < ClientsArray.Length; c++)
        {
            // A client's events are in time order: its last is its latest.
            if (Start[c] < Start[c + 1] && (max is null || Ticks[Start[c + 1] - 1] > max))
            {
                max = Ticks[Start[c + 1] - 1];
            }
        }

        return max;
    }

    private long? MinTicks()
    {
        long? min = null;
        for (var c = 0; c < ClientsArray.Length; c++)
        {
            if (Start[c] < Start[c + 1] && (min is null || Ticks[Start[c]] < min))
            {
                min = Ticks[Start[c]];
            }
        }

        return min;
    }

    /// <summary>The index of the client's last event at or before <paramref name="asOfTicks"/>, or -1.</summary>
    internal int LastEventAtOrBefore(int client, long asOfTicks)
    {
        var lo = Start[client];
        var hi = Start[client + 1];
        if (lo == hi || Ticks[lo] > asOfTicks)
        {
            return -1;
        }

        if (Ticks[hi - 1] <= asOfTicks)
        {
            return hi - 1;
        }

        // Instants never decrease within a client, so binary search for the last one at or before the cut.
        return lo + SortedSearch.UpperBound(MemoryMarshal.CreateReadOnlySpan(ref Ticks[lo], hi - lo), asOfTicks) - 1;
    }
}

/// <summary>The kind of a logged event: the transition kinds, then activity and reassignment.</summary>
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
}
