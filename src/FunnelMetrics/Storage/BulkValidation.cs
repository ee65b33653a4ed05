namespace FunnelMetrics.Storage;

/// <summary>The checks every bulk write makes before it stores anything: what <see cref="IClientRepository.AddManyAsync"/> and <see cref="IFunnelEventStore.AppendManyAsync"/> refuse up front.</summary>
public static class BulkValidation
{
    /// <summary>Copies and checks a bulk add's clients: none null, ids distinct.</summary>
    /// <param name="clients">The clients.</param>
    /// <returns>A copy the caller's list cannot change.</returns>
    /// <exception cref="ArgumentException">A client is null or two have the same id.</exception>
    public static Client[] Clients(IReadOnlyList<Client> clients)
    {
        ArgumentNullException.ThrowIfNull(clients);
        Client[] batch = [.. clients];
        var ids = new HashSet<ClientId>(batch.Length);
        for (var i = 0; i < batch.Length; i++)
        {
            var c = batch[i] ?? throw new ArgumentException($"Client {i} of the bulk add is null.", nameof(clients));
            if (!ids.Add(c.Id))
            {
                throw new ArgumentException($"The bulk add holds client '{c.Id}' twice; give each client once.", nameof(clients));
            }
        }

        return batch;
    }

    /// <summary>Copies and checks a bulk write's parts: none null, one per client, event ids distinct across parts.</summary>
    /// <param name="appends">The parts.</param>
    /// <returns>A copy the caller's list cannot change.</returns>
    /// <exception cref="ArgumentException">A part is null, two are for one client, or two hold one event id.</exception>
    public static StreamAppend[] Appends(IReadOnlyList<StreamAppend> appends)
    {
        ArgumentNullException.ThrowIfNull(appends);
        StreamAppend[] batch = [.. appends];
        var clients = new HashSet<ClientId>(batch.Length);
        var ids = new Dictionary<ClientEventId, ClientId>();
        for (var i = 0; i < batch.Length; i++)
        {
            var a = batch[i] ?? throw new ArgumentException($"Part {i} of the bulk write is null.", nameof(appends));
            if (!clients.Add(a.ClientId))
            {
                throw new ArgumentException($"The bulk write holds two parts for client '{a.ClientId}'; give each client's events as one part.", nameof(appends));
            }

            foreach (var e in a.Events)
            {
                if (!ids.TryAdd(e.Id, a.ClientId))
                {
                    throw new ArgumentException($"Event id '{e.Id}' is in the parts of clients '{ids[e.Id]}' and '{a.ClientId}' of the bulk write; an id is stored once.", nameof(appends));
                }
            }
        }

        return batch;
    }
}
