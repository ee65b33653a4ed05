using System.Runtime.CompilerServices;
using FunnelMetrics.Analytics;
using FunnelMetrics.Metrics;
using FunnelMetrics.Storage;
using Microsoft.EntityFrameworkCore;

namespace FunnelMetrics.EntityFrameworkCore;

/// <summary>
/// Client events in the <c>funnel_events</c> table, one row per event, each client's latest state in
/// <c>funnel_client_states</c>, and the change feed over both <c>funnel_clients</c> and <c>funnel_events</c>. The
/// database enforces the store's guarantees across processes: the state row's update guarded by its version and the
/// unique index on (client, sequence) let only one of two writers append a version, the primary key on the event id
/// stores an id once, and a batch, its state row and its positions are written in one transaction. Refusals surface as
/// <see cref="ConcurrencyConflictException"/> and <see cref="EventIdConflictException"/>, never as provider exceptions.
/// Each call uses its own context from the factory, so one instance is safe for concurrent use; reads stream rows
/// without change tracking.
/// </summary>
/// <remarks>
/// <para>
/// Positions come from the one row of <c>funnel_feed</c>, which every write transaction increments as its last
/// statement before its inserts and commit: on PostgreSQL the row's lock makes transactions commit, and become visible,
/// in position order, so a follower never skips (docs/storage.md gives the argument and the measured cost); on SQLite
/// writers are serialized by the database.
/// </para>
/// <para>
/// A client with events but no state row (its events were stored by 0.2 or earlier, before the table existed) has its
/// state folded from its stream: by <see cref="ReadStateAsync"/> on every read until its next append, which writes the
/// row. Reads and appends are right either way; only the first append after the migration pays for the history.
/// </para>
/// </remarks>
/// <typeparam name="TContext">A context whose model includes the funnel's tables.</typeparam>
/// <param name="contextFactory">Creates the contexts.</param>
public sealed class EntityFrameworkFunnelEventStore<TContext>(IDbContextFactory<TContext> contextFactory) : IFunnelEventStore, IFunnelChangeFeed, IFunnelLogSource
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
                    // The state row, or for a client without one the stream's head: a new stream, or one stored before
                    // the table existed (folded once here, then kept).
                    var stored = await StateRowAsync(context, clientId, cancellationToken).ConfigureAwait(false);
                    ClientState? state;
                    if (stored is not null)
                    {
                        state = Mapping.ToState(stored);
                    }
                    else
                    {
                        var head = await HeadAsync(context, clientId, cancellationToken).ConfigureAwait(false);
                        if ((head?.Sequence ?? 0) != expectedVersion)
                        {
                            throw new ConcurrencyConflictException(clientId, expectedVersion, head?.Sequence ?? 0);
                        }

                        state = head is null ? null : await FoldAsync(context, clientId, cancellationToken).ConfigureAwait(false);
                    }

                    // The version, pipeline, time order and the funnel's rules, before anything is written.
                    var next = AppendValidation.Continue(state, clientId, expectedVersion, pipelineId, batch);

                    var nextRow = Mapping.ToRecord(next);
                    if (stored is null)
                    {
                        // A second writer inserting the row at once is refused by its primary key, and explained below.
                        context.Add(nextRow);
                        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                    }
                    else if (await UpdateStateAsync(context, nextRow, expectedVersion, cancellationToken).ConfigureAwait(false) == 0)
                    {
                        // Another writer moved the version since the read (it committed; this statement waited for it).
                        var moved = (await HeadAsync(context, clientId, cancellationToken).ConfigureAwait(false))?.Sequence ?? 0;
                        throw new ConcurrencyConflictException(clientId, expectedVersion, moved);
                    }

                    // The positions, as the last statement before the inserts and the commit: the counter's row lock is
                    // held for as short a time as it can be.
                    var lastPosition = await FeedCounter.TakeAsync(context, rows.Length, cancellationToken).ConfigureAwait(false);
                    for (var i = 0; i < rows.Length; i++)
                    {
                        rows[i].Position = lastPosition - rows.Length + 1 + i;
                    }

                    context.Set<EventRecord>().AddRange(rows);
                    await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return next.Version;
                }
            }
            catch (DbUpdateException)
            {
                // The transaction is rolled back. A unique index refused a row: another writer appended to the stream
                // (the version moved, or it created the state row first) or stored one of the ids. Find out which from
                // committed state, with a fresh context, since the failed one's connection may be broken. Anything
                // else is rethrown as it is.
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
    /// <remarks>
    /// The bulk path (<see cref="BulkAppends"/>): per chunk of up to 10,000 parts, the versions and stored ids in a few
    /// statements, the parts that pass in one transaction (binary <c>COPY</c> on PostgreSQL, one prepared insert reused
    /// for every row elsewhere); a chunk another writer got into first is redone part by part through
    /// <see cref="AppendAsync"/>. docs/storage.md describes it.
    /// </remarks>
    public Task<IReadOnlyList<StreamAppendResult>> AppendManyAsync(IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default) =>
        BulkAppends.AppendManyAsync(_contextFactory, appends, AppendAsync, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>
    /// One row read from <c>funnel_client_states</c>. A client whose events were stored before the table existed and
    /// that has not been appended to since has no row: its state is folded from its stream, as the default does.
    /// </remarks>
    public async ValueTask<ClientState?> ReadStateAsync(ClientId clientId, CancellationToken cancellationToken = default)
    {
        if (clientId.Equals(default))
        {
            throw new ArgumentException("The client id is the unset default value; pass a real identifier.", nameof(clientId));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            if (await StateRowAsync(context, clientId, cancellationToken).ConfigureAwait(false) is { } row)
            {
                return Mapping.ToState(row);
            }

            var id = clientId.Value;
            return await context.Set<EventRecord>().AnyAsync(e => e.ClientId == id, cancellationToken).ConfigureAwait(false)
                ? await FoldAsync(context, clientId, cancellationToken).ConfigureAwait(false)
                : null;
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// For the whole store, the <c>funnel_feed</c> counter: the last position given by a committed write, every
    /// position at or below it visible (it may be a position no pipeline read shows, never one that is not visible).
    /// For one pipeline, the highest position of its client and event rows.
    /// </remarks>
    public async ValueTask<long> ReadHeadAsync(PipelineId? pipelineId = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            if (pipelineId is not { } pipeline)
            {
                return await FeedCounter.ReadAsync(context, cancellationToken).ConfigureAwait(false);
            }

            var id = pipeline.Value;
            var clients = await context.Set<ClientRecord>().Where(c => c.PipelineId == id).MaxAsync(c => (long?)c.Position, cancellationToken).ConfigureAwait(false);
            var events = await context.Set<EventRecord>().Where(e => e.PipelineId == id).MaxAsync(e => (long?)e.Position, cancellationToken).ConfigureAwait(false);
            return Math.Max(clients ?? 0, events ?? 0);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Reads the committed counter first, then streams the client rows (with their attributes) and the event rows with
    /// a position after <see cref="ChangeFeedQuery.After"/> and at or below it, through the position indexes, merged in
    /// position order. Every position at or below the counter is visible, so the two statements see the same rows
    /// whatever their snapshots, and no row at or below a position read can appear later.
    /// </remarks>
    public IAsyncEnumerable<FunnelChange> ReadChangesAsync(ChangeFeedQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ReadChangesCoreAsync(query, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// <para>
    /// Reads columns straight from the database into the builder, without entities or event objects: in one read
    /// transaction (REPEATABLE READ on PostgreSQL, one deferred transaction on SQLite, which lets writers go on), the
    /// committed head of <c>funnel_feed</c>, then the pipeline's clients and events with a position at or below it, the
    /// events in position order (binary <c>COPY ... TO STDOUT</c> on PostgreSQL). Returns that head: the load is exactly
    /// the changes at or below it, so a follower goes on from it with <see cref="ReadChangesAsync"/>.
    /// </para>
    /// <para>
    /// A stored row that breaks a rule is read again whole and refused as <see cref="FunnelEventLog.Build"/> refuses it:
    /// a <see cref="FunnelHistoryException"/> naming the client, the event and the rule. A row no model event can be
    /// made of (an unknown type, an event of a client the pipeline has no stored client for) throws
    /// <see cref="InvalidOperationException"/> naming the row. docs/storage.md gives what is read and how fast.
    /// </para>
    /// </remarks>
    public Task<long> LoadAsync(FunnelLogBuilder builder, CancellationToken cancellationToken = default) =>
        FastLoad.LoadAsync(_contextFactory, builder, cancellationToken);

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
    /// <remarks>
    /// Finds which ids are stored in one statement through the unique index on the event id (the ids as one array on
    /// PostgreSQL, as one JSON array on SQLite, 500 per statement elsewhere), then reads the rows of those found.
    /// </remarks>
    public IAsyncEnumerable<ClientEvent> FindManyAsync(IReadOnlyCollection<ClientEventId> eventIds, CancellationToken cancellationToken = default) =>
        BulkAppends.FindManyAsync(_contextFactory, eventIds, cancellationToken);

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

    private async IAsyncEnumerable<FunnelChange> ReadChangesCoreAsync(ChangeFeedQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var after = query.After;
        var pipeline = query.PipelineId?.Value;
        var limit = query.Limit ?? int.MaxValue;

        // Two contexts, so that the client rows and the event rows stream side by side, each on its own connection.
        var eventsContext = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (eventsContext.ConfigureAwait(false))
        {
            var head = await FeedCounter.ReadAsync(eventsContext, cancellationToken).ConfigureAwait(false);
            if (head <= after)
            {
                yield break;
            }

            var clientsContext = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            await using (clientsContext.ConfigureAwait(false))
            {
                var clientRows = clientsContext.Set<ClientRecord>().AsNoTracking().Where(c => c.Position > after && c.Position <= head);
                var eventRows = eventsContext.Set<EventRecord>().AsNoTracking().Where(e => e.Position > after && e.Position <= head);
                if (pipeline is not null)
                {
                    clientRows = clientRows.Where(c => c.PipelineId == pipeline);
                    eventRows = eventRows.Where(e => e.PipelineId == pipeline);
                }

                clientRows = clientRows.OrderBy(c => c.Position);
                eventRows = eventRows.OrderBy(e => e.Position);
                if (query.Limit is { } page)
                {
                    clientRows = clientRows.Take(page);
                    eventRows = eventRows.Take(page);
                }

                var clients = clientRows.Include(c => c.Attributes).AsAsyncEnumerable().GetAsyncEnumerator(cancellationToken);
                await using (clients.ConfigureAwait(false))
                {
                    var hasClient = await clients.MoveNextAsync().ConfigureAwait(false);
                    var events = eventRows.AsAsyncEnumerable().GetAsyncEnumerator(cancellationToken);
                    await using (events.ConfigureAwait(false))
                    {
                        var hasEvent = await events.MoveNextAsync().ConfigureAwait(false);
                        for (var read = 0; read < limit && (hasClient || hasEvent); read++)
                        {
                            // Providers serve buffered rows without looking at the token: check it per row.
                            cancellationToken.ThrowIfCancellationRequested();
                            if (hasClient && (!hasEvent || clients.Current.Position < events.Current.Position))
                            {
                                var client = clients.Current;
                                yield return new FunnelChange(client.Position, Mapping.ToClient(client));
                                hasClient = await clients.MoveNextAsync().ConfigureAwait(false);
                            }
                            else
                            {
                                var row = events.Current;
                                yield return new FunnelChange(row.Position, Mapping.ToEvent(row));
                                hasEvent = await events.MoveNextAsync().ConfigureAwait(false);
                            }
                        }
                    }
                }
            }
        }
    }

    private static async Task<ClientStateRecord?> StateRowAsync(TContext context, ClientId clientId, CancellationToken cancellationToken)
    {
        var id = clientId.Value;
        return await context.Set<ClientStateRecord>().AsNoTracking().FirstOrDefaultAsync(s => s.ClientId == id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the state after an append over the row at <paramref name="expectedVersion"/>; returns the rows changed, 0 when another writer moved it.</summary>
    private static Task<int> UpdateStateAsync(TContext context, ClientStateRecord next, long expectedVersion, CancellationToken cancellationToken)
    {
        var id = next.ClientId;
        return context.Set<ClientStateRecord>()
            .Where(s => s.ClientId == id && s.Version == expectedVersion)
            .ExecuteUpdateAsync(
                u => u
                    .SetProperty(s => s.Owner, next.Owner)
                    .SetProperty(s => s.Status, next.Status)
                    .SetProperty(s => s.Stage, next.Stage)
                    .SetProperty(s => s.StageEnteredAtUtcTicks, next.StageEnteredAtUtcTicks)
                    .SetProperty(s => s.LastEventAtUtcTicks, next.LastEventAtUtcTicks)
                    .SetProperty(s => s.LastTouchedAtUtcTicks, next.LastTouchedAtUtcTicks)
                    .SetProperty(s => s.Version, next.Version),
                cancellationToken);
    }

    /// <summary>Folds a stream stored without a state row (before the table existed).</summary>
    private static async Task<ClientState?> FoldAsync(TContext context, ClientId clientId, CancellationToken cancellationToken)
    {
        var id = clientId.Value;
        ClientState? state = null;
        await foreach (var row in context.Set<EventRecord>().AsNoTracking().Where(e => e.ClientId == id).OrderBy(e => e.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var e = Mapping.ToEvent(row);
            state = (state ?? ClientState.Before(e)).Apply(e);
        }

        return state;
    }

    private sealed record StreamHead(long Sequence, string PipelineId, long OccurredAtUtcTicks);
}
