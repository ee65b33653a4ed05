using System.Runtime.CompilerServices;
using FunnelMetrics.Storage;
using Microsoft.EntityFrameworkCore;

namespace FunnelMetrics.EntityFrameworkCore;

/// <summary>
/// Clients in the <c>funnel_clients</c> and <c>funnel_client_attributes</c> tables. Each call uses its own context
/// from the factory, so one instance is safe for concurrent use.
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
                context.Add(Mapping.ToRecord(client));
                try
                {
                    // One SaveChanges is one transaction: the client and its attributes, or nothing.
                    await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                    return true;
                }
                catch (DbUpdateException)
                {
                    // Another writer added the id first (a unique violation); anything else is not ours to explain.
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
