using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace FunnelMetrics.Storage;

/// <summary>Clients held in process memory; thread-safe. Part of <see cref="InMemoryFunnelStore"/>.</summary>
public sealed class InMemoryClientRepository : IClientRepository
{
    private static readonly Comparer<Client> ClientOrder = Comparer<Client>.Create(static (a, b) => a.Id.CompareTo(b.Id));

    private readonly ConcurrentDictionary<ClientId, Client> _clients = new();
    private readonly ConcurrentDictionary<PipelineId, SortedSnapshotLog<Client>> _byPipeline = new();
    private readonly InMemoryJournal? _journal;

    /// <summary>Creates an empty repository; its clients are on no change feed.</summary>
    public InMemoryClientRepository()
    {
    }

    /// <summary>Creates an empty repository whose added clients are published to the feed of <see cref="InMemoryFunnelStore"/>.</summary>
    internal InMemoryClientRepository(InMemoryJournal journal) => _journal = journal;

    /// <summary>The number of clients stored.</summary>
    public int Count => _clients.Count;

    /// <inheritdoc/>
    public ValueTask<Client?> GetAsync(ClientId clientId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_clients.GetValueOrDefault(clientId));
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<Client> GetManyAsync(IReadOnlyCollection<ClientId> clientIds, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientIds);
        var seen = new HashSet<ClientId>(clientIds.Count);
        foreach (var id in clientIds)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (seen.Add(id) && _clients.TryGetValue(id, out var client))
            {
                yield return client;
            }
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<bool> AddAsync(Client client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        cancellationToken.ThrowIfCancellationRequested();
        // TryAdd, not a reference check on GetOrAdd: the same instance added again is a no-op, not a second add.
        if (TryAdd(client))
        {
            _byPipeline.GetOrAdd(client.PipelineId, static _ => new SortedSnapshotLog<Client>(ClientOrder)).Add(client);
            return Task.FromResult(true);
        }

        // Clients are never removed: the one that won the add is there.
        var stored = _clients[client.Id];
        return stored.Equals(client) ? Task.FromResult(false) : throw new ClientConflictException(stored, client);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One pass: each client is added as <see cref="AddAsync"/> would (or found equal, or refused with the
    /// <see cref="ClientConflictException"/> it would throw), each new one readable only together with its feed
    /// position, so the new ones have consecutive positions in the order given unless another writer comes between.
    /// </remarks>
    public Task<IReadOnlyList<ClientAddResult>> AddManyAsync(IReadOnlyList<Client> clients, CancellationToken cancellationToken = default)
    {
        var batch = BulkValidation.Clients(clients);
        cancellationToken.ThrowIfCancellationRequested();
        var results = new ClientAddResult[batch.Length];
        var added = new List<Client>(batch.Length);
        SortedSnapshotLog<Client>? log = null;
        PipelineId logPipeline = default;
        for (var i = 0; i < batch.Length; i++)
        {
            var client = batch[i];
            if (TryAdd(client))
            {
                if (log is null || logPipeline != client.PipelineId)
                {
                    logPipeline = client.PipelineId;
                    log = _byPipeline.GetOrAdd(logPipeline, static _ => new SortedSnapshotLog<Client>(ClientOrder));
                }

                log.Add(client);
                added.Add(client);
                results[i] = ClientAddResult.Stored(client, added: true);
            }
            else
            {
                var stored = _clients[client.Id];
                results[i] = stored.Equals(client) ? ClientAddResult.Stored(client, added: false) : ClientAddResult.Refused(client, new ClientConflictException(stored, client));
            }
        }

        return Task.FromResult<IReadOnlyList<ClientAddResult>>(results);
    }

    /// <summary>Adds a new client, with its feed position in the same step when the repository has a feed.</summary>
    private bool TryAdd(Client client) =>
        _journal is null
            ? _clients.TryAdd(client.Id, client)
            : _journal.AddAndPublish(client, c => _clients.TryAdd(c.Id, c));

    /// <inheritdoc/>
    public IAsyncEnumerable<Client> ListAsync(PipelineId pipelineId, ClientId? after = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        if (limit is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "A page holds at least one client.");
        }

        return ListCoreAsync(pipelineId, after, limit, cancellationToken);
    }

    private async IAsyncEnumerable<Client> ListCoreAsync(PipelineId pipelineId, ClientId? after, int? limit, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!_byPipeline.TryGetValue(pipelineId, out var log))
        {
            yield break;
        }

        var snapshot = log.Snapshot();
        var start = after is { } a ? SortedSnapshotLog<Client>.LowerBound(snapshot, a, static (c, id) => c.Id <= id) : 0;
        var end = limit is { } l ? (int)Math.Min(snapshot.Length, (long)start + l) : snapshot.Length;
        for (var i = start; i < end; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return snapshot[i];
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
