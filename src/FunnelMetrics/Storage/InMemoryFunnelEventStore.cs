using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace FunnelMetrics.Storage;

/// <summary>
/// Client events held in process memory, with their change feed. Thread-safe: each client's stream is guarded by its
/// own lock, so writers to different clients only meet to take positions. Reads return immutable snapshots that
/// concurrent appends cannot disturb. An append costs the same whatever the stream's length: the stream grows in place
/// and the client's latest state is kept beside it. Part of <see cref="InMemoryFunnelStore"/>, whose feed also carries
/// the client records; a store made on its own feeds its events only. It wakes followers as soon as a change is
/// published (<see cref="IFunnelChangeNotifier"/>).
/// </summary>
public sealed class InMemoryFunnelEventStore : IFunnelEventStore, IFunnelChangeFeed, IFunnelChangeNotifier
{
    private static readonly Comparer<ClientEvent> EventOrder = Comparer<ClientEvent>.Create(static (a, b) => EventCursor.Of(a).CompareTo(EventCursor.Of(b)));

    private readonly ConcurrentDictionary<ClientId, ClientStream> _streams = new();
    private readonly ConcurrentDictionary<ClientEventId, ClientEvent> _byId = new();
    private readonly ConcurrentDictionary<PipelineId, SortedSnapshotLog<ClientEvent>> _byPipeline = new();
    private readonly InMemoryJournal _journal;

    /// <summary>Creates an empty store whose feed carries its events only.</summary>
    public InMemoryFunnelEventStore()
        : this(new InMemoryJournal())
    {
    }

    internal InMemoryFunnelEventStore(InMemoryJournal journal) => _journal = journal;

    /// <summary>
    /// Raised after an append or a client record is published to the feed, on the writer's thread, outside every lock:
    /// a follower's push wake-up. Handlers must be quick and must not throw.
    /// </summary>
    public event Action? Changed
    {
        add => _journal.Appended += value;
        remove => _journal.Appended -= value;
    }

    /// <summary>The number of events stored, over all clients.</summary>
    public int Count => _byId.Count;

    /// <inheritdoc/>
    public Task<long> AppendAsync(ClientId clientId, long expectedVersion, IReadOnlyList<ClientEvent> events, CancellationToken cancellationToken = default)
    {
        // Copy first: the caller's list could change between validation and storage.
        ClientEvent[] batch = events is null ? null! : [.. events];
        var pipelineId = AppendValidation.Check(clientId, expectedVersion, batch);
        cancellationToken.ThrowIfCancellationRequested();

        var stream = _streams.GetOrAdd(clientId, static _ => new ClientStream());
        ClientState next;
        lock (stream.Gate)
        {
            next = Store(stream, clientId, expectedVersion, pipelineId, batch);

            // Publish to the client's stream before the pipeline view and the feed, so a reader of either never sees
            // an event its client's stream lacks.
            _byPipeline.GetOrAdd(pipelineId, static _ => new SortedSnapshotLog<ClientEvent>(EventOrder)).AddRange(batch);
            _journal.PublishQuietly([batch]);
        }

        // The wake-up outside the stream's lock, as Changed promises: a handler may write to this client.
        _journal.Notify();
        return Task.FromResult(next.Version);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One pass under the locks of all the parts' streams (taken in client id order, so two bulk writes never wait on
    /// each other in a cycle): each part is checked and stored as <see cref="AppendAsync"/> would, or refused with the
    /// exception it would throw (<see cref="ConcurrencyConflictException"/>, <see cref="EventIdConflictException"/>,
    /// <see cref="FunnelHistoryException"/>, or the <see cref="ArgumentException"/> of a part in another pipeline or
    /// earlier than its stream's last event); the stored parts are then published to the feed under one lock, so their
    /// positions are consecutive, in the order given, and <see cref="Changed"/> is raised once, after every lock is let
    /// go.
    /// </remarks>
    public Task<IReadOnlyList<StreamAppendResult>> AppendManyAsync(IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default)
    {
        var parts = BulkValidation.Appends(appends);
        cancellationToken.ThrowIfCancellationRequested();
        var results = new StreamAppendResult[parts.Length];
        if (parts.Length == 0)
        {
            return Task.FromResult<IReadOnlyList<StreamAppendResult>>(results);
        }

        var streams = new ClientStream[parts.Length];
        var order = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            streams[i] = _streams.GetOrAdd(parts[i].ClientId, static _ => new ClientStream());
            order[i] = i;
        }

        Array.Sort(order, (a, b) => parts[a].ClientId.CompareTo(parts[b].ClientId));
        var entered = 0;
        var published = false;
        try
        {
            for (; entered < order.Length; entered++)
            {
                streams[order[entered]].Gate.Enter();
            }

            var stored = new List<ClientEvent[]>(parts.Length);
            SortedSnapshotLog<ClientEvent>? log = null;
            PipelineId logPipeline = default;
            for (var i = 0; i < parts.Length; i++)
            {
                var part = parts[i];
                var batch = part.Events as ClientEvent[] ?? [.. part.Events];
                try
                {
                    Store(streams[i], part.ClientId, part.ExpectedVersion, part.PipelineId, batch);
                }
                catch (Exception e) when (e is ConcurrencyConflictException or EventIdConflictException or ArgumentException)
                {
                    results[i] = StreamAppendResult.Refused(part, e);
                    continue;
                }

                results[i] = StreamAppendResult.Stored(part);
                if (log is null || logPipeline != part.PipelineId)
                {
                    logPipeline = part.PipelineId;
                    log = _byPipeline.GetOrAdd(logPipeline, static _ => new SortedSnapshotLog<ClientEvent>(EventOrder));
                }

                log.AddRange(batch);
                stored.Add(batch);
            }

            // Under the streams' locks: a later append to one of these clients takes a later position.
            _journal.PublishQuietly(stored);
            published = stored.Count > 0;
        }
        finally
        {
            for (var k = entered - 1; k >= 0; k--)
            {
                streams[order[k]].Gate.Exit();
            }
        }

        if (published)
        {
            // The followers' wake-up, outside every lock.
            _journal.Notify();
        }

        return Task.FromResult<IReadOnlyList<StreamAppendResult>>(results);
    }

    /// <inheritdoc/>
    public ValueTask<ClientState?> ReadStateAsync(ClientId clientId, CancellationToken cancellationToken = default)
    {
        TextRules.NotDefault(clientId, "The client id", nameof(clientId));
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_streams.TryGetValue(clientId, out var stream) ? stream.State : null);
    }

    /// <inheritdoc/>
    public ValueTask<long> ReadHeadAsync(PipelineId? pipelineId = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_journal.Head(pipelineId));
    }

    /// <inheritdoc/>
    public ValueTask WaitForChangeAsync(long after, PipelineId? pipelineId = null, CancellationToken cancellationToken = default) =>
        _journal.WaitForChangeAsync(after, pipelineId, cancellationToken);

    /// <summary>The journal behind the feed: what <c>InMemoryFunnelLogSource</c> loads from.</summary>
    internal InMemoryJournal Journal => _journal;

    /// <inheritdoc/>
    public IAsyncEnumerable<FunnelChange> ReadChangesAsync(ChangeFeedQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ReadChangesCoreAsync(query, cancellationToken);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ClientEvent> ReadClientAsync(ClientId clientId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (items, count) = _streams.TryGetValue(clientId, out var stream) ? stream.Events.Snapshot() : ([], 0);
        for (var i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return items[i];
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask<ClientEvent?> FindAsync(ClientEventId eventId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_byId.GetValueOrDefault(eventId));
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<ClientEvent> ReadPipelineAsync(PipelineId pipelineId, PipelineEventQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ReadPipelineCoreAsync(pipelineId, query, cancellationToken);
    }

    private async IAsyncEnumerable<ClientEvent> ReadPipelineCoreAsync(PipelineId pipelineId, PipelineEventQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!_byPipeline.TryGetValue(pipelineId, out var log))
        {
            yield break;
        }

        var snapshot = log.Snapshot();
        var start = 0;
        if (query.From is { } from)
        {
            start = SortedSnapshotLog<ClientEvent>.LowerBound(snapshot, from, static (e, t) => e.OccurredAt < t);
        }

        if (query.After is { } after)
        {
            start = Math.Max(start, SortedSnapshotLog<ClientEvent>.LowerBound(snapshot, after, static (e, c) => EventCursor.Of(e) <= c));
        }

        var remaining = query.Limit ?? int.MaxValue;
        for (var i = start; i < snapshot.Length && remaining > 0; i++, remaining--)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var e = snapshot[i];
            if (query.To is { } to && e.OccurredAt >= to)
            {
                yield break;
            }

            yield return e;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private async IAsyncEnumerable<FunnelChange> ReadChangesCoreAsync(ChangeFeedQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (items, count) = _journal.Snapshot(query.PipelineId);
        var end = count;
        var start = InMemoryJournal.FirstAfter(items, count, query.After);
        if (query.Limit is { } limit)
        {
            end = (int)Math.Min(end, (long)start + limit);
        }

        for (var i = start; i < end; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return items[i];
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>
    /// Checks a batch against its stream and stores it, under the stream's lock: the version, the pipeline, the time
    /// order and the funnel's rules (a batch the fold refuses is refused whole, before anything is claimed), then the
    /// ids. Throws, storing nothing, when a check fails.
    /// </summary>
    private ClientState Store(ClientStream stream, ClientId clientId, long expectedVersion, PipelineId pipelineId, ClientEvent[] events)
    {
        var batch = events;
        var next = AppendValidation.Continue(stream.State, clientId, expectedVersion, pipelineId, batch);

        ClaimIds(clientId, batch);
        foreach (var e in batch)
        {
            stream.Events.Add(e);
        }

        stream.State = next;
        return next;
    }

    /// <summary>Reserves the batch's ids, all or none.</summary>
    private void ClaimIds(ClientId clientId, ClientEvent[] events)
    {
        for (var i = 0; i < events.Length; i++)
        {
            if (!_byId.TryAdd(events[i].Id, events[i]))
            {
                for (var j = 0; j < i; j++)
                {
                    _byId.TryRemove(events[j].Id, out _);
                }

                throw new EventIdConflictException(events[i].Id, clientId, _byId.GetValueOrDefault(events[i].Id));
            }
        }
    }

    private sealed class ClientStream
    {
        private ClientState? _state;

        public Lock Gate { get; } = new();

        /// <summary>The stream; written under <see cref="Gate"/>, read from snapshots without it.</summary>
        public AppendOnlyList<ClientEvent> Events { get; } = new();

        /// <summary>The fold of <see cref="Events"/>, published after them.</summary>
        public ClientState? State
        {
            get => Volatile.Read(ref _state);
            set => Volatile.Write(ref _state, value);
        }
    }
}
