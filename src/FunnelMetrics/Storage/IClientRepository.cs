namespace FunnelMetrics.Storage;

/// <summary>
/// Stores clients (deals or leads). A client record is immutable once added; its stage and current owner
/// follow from its events in <see cref="IFunnelEventStore"/>. Implementations must be safe for concurrent use.
/// </summary>
public interface IClientRepository
{
    /// <summary>Gets a client.</summary>
    /// <param name="clientId">The client.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The client, or <see langword="null"/> when there is none with that id.</returns>
    ValueTask<Client?> GetAsync(ClientId clientId, CancellationToken cancellationToken = default);

    /// <summary>Adds a client. Adding one equal to the stored client is a no-op.</summary>
    /// <param name="client">The client.</param>
    /// <param name="cancellationToken">Cancels the write; a cancelled write stores nothing.</param>
    /// <returns><see langword="true"/> when added, <see langword="false"/> when an equal client was already stored.</returns>
    /// <exception cref="ClientConflictException">A different client with the same id exists.</exception>
    Task<bool> AddAsync(Client client, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds many clients, such as an import's, each as <see cref="AddAsync"/> would: a new client is stored, an equal
    /// one already stored is left as it is, and a different one stored under the same id is kept and reported. The
    /// default implementation calls <see cref="AddAsync"/> once per client; a database store writes them in a few
    /// round trips.
    /// </summary>
    /// <param name="clients">The clients, with distinct ids.</param>
    /// <param name="cancellationToken">
    /// Cancels the write. Each client is stored whole or not at all; a write cancelled part way may have stored some of
    /// them, which a repeated call then reports as already stored.
    /// </param>
    /// <returns>One result per client, in the order given.</returns>
    /// <exception cref="ArgumentException">A client is null, or two have the same id; nothing is stored.</exception>
    async Task<IReadOnlyList<ClientAddResult>> AddManyAsync(IReadOnlyList<Client> clients, CancellationToken cancellationToken = default)
    {
        var batch = BulkValidation.Clients(clients);
        var results = new ClientAddResult[batch.Length];
        for (var i = 0; i < batch.Length; i++)
        {
            try
            {
                results[i] = ClientAddResult.Stored(batch[i], await AddAsync(batch[i], cancellationToken).ConfigureAwait(false));
            }
            catch (ClientConflictException conflict)
            {
                results[i] = ClientAddResult.Refused(batch[i], conflict);
            }
        }

        return results;
    }

    /// <summary>
    /// Gets many clients at once, such as those an import names. The default implementation calls <see cref="GetAsync"/>
    /// once per id; a database store answers in a few round trips.
    /// </summary>
    /// <param name="clientIds">The ids, in any order; duplicates are looked up once.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The stored clients among them, in no particular order; none when no id is stored.</returns>
    async IAsyncEnumerable<Client> GetManyAsync(IReadOnlyCollection<ClientId> clientIds, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientIds);
        foreach (var id in clientIds.Distinct())
        {
            if (await GetAsync(id, cancellationToken).ConfigureAwait(false) is { } found)
            {
                yield return found;
            }
        }
    }

    /// <summary>
    /// Lists a pipeline's clients ordered by id (ordinal), one page at a time with keyset paging: pass the last id
    /// of a page as <paramref name="after"/> to get the next.
    /// </summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="after">Only clients whose id sorts strictly after this one; <see langword="null"/> to start at the beginning.</param>
    /// <param name="limit">The most clients to return, 1 or more; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The clients.</returns>
    IAsyncEnumerable<Client> ListAsync(PipelineId pipelineId, ClientId? after = null, int? limit = null, CancellationToken cancellationToken = default);
}
