using System.Runtime.CompilerServices;
using FunnelMetrics.Storage;
using Microsoft.EntityFrameworkCore;

namespace FunnelMetrics.EntityFrameworkCore;

/// <summary>
/// Clients in the <c>funnel_clients</c> and <c>funnel_client_attributes</c> tables. Each client row gets a change feed
/// position from the <c>funnel_feed</c> counter in the transaction that adds it, so the feed
/// (<see cref="EntityFrameworkFunnelEventStore{TContext}.ReadChangesAsync"/>) carries client records too. Each call uses
/// its own context from the factory, so one instance is safe for concurrent use.
/// </summary>
/// <typeparam name="TContext">A context whose model includes the funnel's tables.</typeparam>
/// <param name="contextFactory">Creates the contexts.</param>
public sealed class EntityFrameworkClientRepository<TContext>(IDbContextFactory<TContext> contextFactory) : IClientRepository
    where TContext : DbContext
{
    private readonly IDbContextFactory<TContext> _contextFactory = contextFactory ?? throw new ArgumentNullException(nameof(contextFactory));

    /// <inheritdoc/>
    public async ValueTask<Client?> GetAsync(ClientId clientId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            return await GetAsync(context, clientId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async Task<bool> AddAsync(Client client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        cancellationToken.ThrowIfCancellationRequested();
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var stored = await GetAsync(context, client.Id, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                var record = Mapping.ToRecord(client);
                try
                {
                    // One transaction: the client, its attributes and its feed position, or nothing. The position is
                    // taken last before the insert and the commit, as every write does (see FeedCounter).
                    var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                    await using (transaction.ConfigureAwait(false))
                    {
                        record.Position = await FeedCounter.TakeAsync(context, 1, cancellationToken).ConfigureAwait(false);
                        context.Add(record);
                        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                        return true;
                    }
                }
                catch (DbUpdateException)
                {
                    // Another writer added the id first (a unique violation); anything else is not ours to explain.
                    // The transaction is rolled back, its position with it.
                    context.ChangeTracker.Clear();
                    stored = await GetAsync(context, client.Id, cancellationToken).ConfigureAwait(false);
                    if (stored is null)
                    {
                        throw;
                    }
                }
            }

            return stored.Equals(client) ? false : throw new ClientConflictException(stored, client);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The bulk path (<see cref="BulkClients"/>): per chunk of up to 10,000 clients, the stored ids in a few statements,
    /// the new clients in one transaction (binary <c>COPY</c> on PostgreSQL, prepared inserts reused for every row
    /// elsewhere); a chunk another writer got into first is redone client by client through <see cref="AddAsync"/>.
    /// </remarks>
    public Task<IReadOnlyList<ClientAddResult>> AddManyAsync(IReadOnlyList<Client> clients, CancellationToken cancellationToken = default) =>
        BulkClients.AddManyAsync(_contextFactory, clients, AddAsync, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>One query per 500 ids.</remarks>
    public IAsyncEnumerable<Client> GetManyAsync(IReadOnlyCollection<ClientId> clientIds, CancellationToken cancellationToken = default) =>
        BulkClients.GetManyAsync(_contextFactory, clientIds, cancellationToken);

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
        cancellationToken.ThrowIfCancellationRequested();
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var pipeline = pipelineId.Value;
            var query = context.Set<ClientRecord>().AsNoTracking().Where(c => c.PipelineId == pipeline);
            if (after is { Value: { } afterId })
            {
                // Translated to SQL ("client_id > @after"): the column's collation compares, which must be binary.
#pragma warning disable CA1309
                query = query.Where(c => string.Compare(c.ClientId, afterId) > 0);
#pragma warning restore CA1309
            }

            query = query.OrderBy(c => c.ClientId);
            if (limit is { } take)
            {
                query = query.Take(take);
            }

            await foreach (var row in query.Include(c => c.Attributes).AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return Mapping.ToClient(row);
            }
        }
    }

    private static async Task<Client?> GetAsync(TContext context, ClientId clientId, CancellationToken cancellationToken)
    {
        var id = clientId.Value;
        var row = await context.Set<ClientRecord>().AsNoTracking().Include(c => c.Attributes)
            .FirstOrDefaultAsync(c => c.ClientId == id, cancellationToken).ConfigureAwait(false);
        return row is null ? null : Mapping.ToClient(row);
    }
}
