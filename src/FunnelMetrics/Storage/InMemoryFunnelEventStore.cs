using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace FunnelMetrics.Storage;

/// <summary>
/// Client events held in process memory. Thread-safe: each client's stream is guarded by its own lock, so writers to
/// different clients do not wait for each other. Reads return immutable snapshots that concurrent appends cannot
/// disturb. Part of <see cref="InMemoryFunnelStore"/>.
/// </summary>
public sealed class InMemoryFunnelEventStore : IFunnelEventStore
{
    private static readonly Comparer<ClientEvent> EventOrder = Comparer<ClientEvent>.Create(static (a, b) => EventCursor.Of(a).CompareTo(EventCursor.Of(b)));

    private readonly ConcurrentDictionary<ClientId, ClientStream> _streams = new();
    private readonly ConcurrentDictionary<ClientEventId, ClientEvent> _byId = new();
    private readonly ConcurrentDictionary<PipelineId, SortedSnapshotLog<ClientEvent>> _byPipeline = new();

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
        lock (stream.Gate)
        {
            var current = stream.Events;
            if (current.Length != expectedVersion)
            {
                throw new ConcurrencyConflictException(clientId, expectedVersion, current.Length);
            }

            if (current.Length > 0 && current[0].PipelineId != pipelineId)
            {
                throw new ArgumentException($"Client '{clientId}' has its events in pipeline '{current[0].PipelineId}'; the batch is for pipeline '{pipelineId}'.", nameof(events));
            }

            if (current.Length > 0 && batch[0].OccurredAt < current[^1].OccurredAt)
            {
                throw new ArgumentException($"Event '{batch[0].Id}' of client '{clientId}' occurred at {batch[0].OccurredAt:O}, before the stream's last event at {current[^1].OccurredAt:O}; a client's events are in time order.", nameof(events));
            }

            ClaimIds(clientId, batch);

            ClientEvent[] next = [.. current, .. batch];

            // Publish to the client's stream before the pipeline view, so a pipeline reader never sees an event its client's stream lacks.
            stream.Events = next;
            _byPipeline.GetOrAdd(pipelineId, static _ => new SortedSnapshotLog<ClientEvent>(EventOrder)).AddRange(batch);
            return Task.FromResult((long)next.Length);
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ClientEvent> ReadClientAsync(ClientId clientId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var snapshot = _streams.TryGetValue(clientId, out var stream) ? stream.Events : [];
        foreach (var e in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return e;
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
        private ClientEvent[] _events = [];

        public Lock Gate { get; } = new();

        public ClientEvent[] Events
        {
            get => Volatile.Read(ref _events);
            set => Volatile.Write(ref _events, value);
        }
    }
}
