using System.Runtime.CompilerServices;
using FunnelMetrics.Storage;
using Microsoft.EntityFrameworkCore;

namespace FunnelMetrics.EntityFrameworkCore;

/// <summary>
/// Client events in the <c>funnel_events</c> table, one row per event. The database enforces the store's guarantees
/// across processes: the unique index on (client, sequence) lets only one of two writers append a version, the primary
/// key on the event id stores an id once, and a batch is inserted in one transaction. Refusals surface as
/// <see cref="ConcurrencyConflictException"/> and <see cref="EventIdConflictException"/>, never as provider exceptions.
/// Each call uses its own context from the factory, so one instance is safe for concurrent use; reads stream rows
/// without change tracking.
/// </summary>
/// <typeparam name="TContext">A context whose model includes the funnel's tables.</typeparam>
/// <param name="contextFactory">Creates the contexts.</param>
public sealed class EntityFrameworkFunnelEventStore<TContext>(IDbContextFactory<TContext> contextFactory) : IFunnelEventStore
    where TContext : DbContext
{
    private readonly IDbContextFactory<TContext> _contextFactory = contextFactory ?? throw new ArgumentNullException(nameof(contextFactory));

    /// <inheritdoc/>
    public async Task<long> AppendAsync(ClientId clientId, long expectedVersion, IReadOnlyList<ClientEvent> events, CancellationToken cancellationToken = default)
    {
        // Copy first: the caller's list could change between validation and storage.
        ClientEvent[] batch = events is null ? null! : [.. events];
        var pipelineId = AppendValidation.Check(clientId, expectedVersion, batch);
        cancellationToken.ThrowIfCancellationRequested();
        var rows = Array.ConvertAll(batch, Mapping.ToRecord);

        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            try
            {
                var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    var head = await HeadAsync(context, clientId, cancellationToken).ConfigureAwait(false);
                    var actual = head?.Sequence ?? 0;
                    if (actual != expectedVersion)
                    {
                        throw new ConcurrencyConflictException(clientId, expectedVersion, actual);
                    }

                    if (head is not null && head.PipelineId != pipelineId.Value)
                    {
                        throw new ArgumentException($"Client '{clientId}' has its events in pipeline '{head.PipelineId}'; the batch is for pipeline '{pipelineId}'.", nameof(events));
                    }

                    if (head is not null && batch[0].OccurredAt.UtcTicks < head.OccurredAtUtcTicks)
                    {
                        throw new ArgumentException($"Event '{batch[0].Id}' of client '{clientId}' occurred at {batch[0].OccurredAt:O}, before the stream's last event at {Mapping.Instant(head.OccurredAtUtcTicks):O}; a client's events are in time order.", nameof(events));
                    }

                    context.Set<EventRecord>().AddRange(rows);
                    await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return expectedVersion + batch.Length;
                }
            }
            catch (DbUpdateException)
            {
                // The transaction is rolled back. A unique index refused a row: another writer appended to the stream
                // (the version moved) or stored one of the ids. Find out which from committed state, with a fresh
                // context, since the failed one's connection may be broken. Anything else is rethrown as it is.
                var conflict = await ExplainRefusalAsync(clientId, expectedVersion, batch, cancellationToken).ConfigureAwait(false);
                if (conflict is not null)
                {
                    throw conflict;
                }

                throw;
            }
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<ClientEvent> ReadClientAsync(ClientId clientId, CancellationToken cancellationToken = default) =>
        StreamAsync(
            context =>
            {
                var id = clientId.Value;
                return context.Set<EventRecord>().AsNoTracking().Where(e => e.ClientId == id).OrderBy(e => e.Sequence);
            },
            cancellationToken);

    /// <inheritdoc/>
    public async ValueTask<ClientEvent?> FindAsync(ClientEventId eventId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var id = eventId.Value;
            var row = await context.Set<EventRecord>().AsNoTracking().FirstOrDefaultAsync(e => e.EventId == id, cancellationToken).ConfigureAwait(false);
            return row is null ? null : Mapping.ToEvent(row);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Looks the ids up in chunks of 500 through the unique index on the event id: one query per chunk.</remarks>
    public async IAsyncEnumerable<ClientEvent> FindManyAsync(IReadOnlyCollection<ClientEventId> eventIds, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        foreach (var chunk in eventIds.Select(id => id.Value).Distinct(StringComparer.Ordinal).Chunk(500))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            await using (context.ConfigureAwait(false))
            {
                var rows = await context.Set<EventRecord>().AsNoTracking().Where(e => chunk.Contains(e.EventId)).ToListAsync(cancellationToken).ConfigureAwait(false);
                foreach (var row in rows)
                {
                    yield return Mapping.ToEvent(row);
                }
            }
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<ClientEvent> ReadPipelineAsync(PipelineId pipelineId, PipelineEventQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return StreamAsync(context => PipelineQuery(context, pipelineId, query), cancellationToken);
    }

    /// <summary>The rows a pipeline read selects, in <see cref="EventCursor"/> order, served by the index <c>ix_funnel_events_pipeline_order</c>.</summary>
    internal static IQueryable<EventRecord> PipelineQuery(DbContext context, PipelineId pipelineId, PipelineEventQuery query)
    {
        var pipeline = pipelineId.Value;
        var rows = context.Set<EventRecord>().AsNoTracking().Where(e => e.PipelineId == pipeline);
        if (query.From is { } from)
        {
            var fromTicks = from.UtcTicks;
            rows = rows.Where(e => e.OccurredAtUtcTicks >= fromTicks);
        }

        if (query.To is { } to)
        {
            var toTicks = to.UtcTicks;
            rows = rows.Where(e => e.OccurredAtUtcTicks < toTicks);
        }

        if (query.After is { } after)
        {
            var ticks = after.OccurredAt.UtcTicks;
            var client = after.ClientId.Value ?? string.Empty;
            var sequence = after.Sequence;

            // The first conjunct repeats what the disjunction implies, so the index range starts at the cursor's instant.
            // string.Compare is translated to SQL's ">" under the column's collation, which must be binary.
#pragma warning disable CA1309
            rows = rows.Where(e => e.OccurredAtUtcTicks >= ticks
                && (e.OccurredAtUtcTicks > ticks
                    || string.Compare(e.ClientId, client) > 0
                    || (e.ClientId == client && e.Sequence > sequence)));
#pragma warning restore CA1309
        }

        rows = rows.OrderBy(e => e.OccurredAtUtcTicks).ThenBy(e => e.ClientId).ThenBy(e => e.Sequence);
        return query.Limit is { } limit ? rows.Take(limit) : rows;
    }

    private async IAsyncEnumerable<ClientEvent> StreamAsync(Func<TContext, IQueryable<EventRecord>> select, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            // One statement: the database reads a consistent snapshot, and rows stream without the change tracker.
            await foreach (var row in select(context).AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                // Providers serve buffered rows without looking at the token: check it per row.
                cancellationToken.ThrowIfCancellationRequested();
                yield return Mapping.ToEvent(row);
            }
        }
    }

    private static async Task<StreamHead?> HeadAsync(TContext context, ClientId clientId, CancellationToken cancellationToken)
    {
        var id = clientId.Value;
        return await context.Set<EventRecord>().AsNoTracking()
            .Where(e => e.ClientId == id)
            .OrderByDescending(e => e.Sequence)
            .Select(e => new StreamHead(e.Sequence, e.PipelineId, e.OccurredAtUtcTicks))
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<FunnelMetricsException?> ExplainRefusalAsync(ClientId clientId, long expectedVersion, ClientEvent[] batch, CancellationToken cancellationToken)
    {
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var actual = (await HeadAsync(context, clientId, cancellationToken).ConfigureAwait(false))?.Sequence ?? 0;
            if (actual != expectedVersion)
            {
                return new ConcurrencyConflictException(clientId, expectedVersion, actual);
            }

            var ids = Array.ConvertAll(batch, e => e.Id.Value);
            var taken = await context.Set<EventRecord>().AsNoTracking().Where(e => ids.Contains(e.EventId)).ToListAsync(cancellationToken).ConfigureAwait(false);
            if (taken.Count == 0)
            {
                return null;
            }

            // Report the first id of the batch that is taken, as the in-memory store does.
            var first = batch.First(e => taken.Exists(t => t.EventId == e.Id.Value));
            return new EventIdConflictException(first.Id, clientId, Mapping.ToEvent(taken.First(t => t.EventId == first.Id.Value)));
        }
    }

    private sealed record StreamHead(long Sequence, string PipelineId, long OccurredAtUtcTicks);
}
