using System.Runtime.CompilerServices;
using FunnelMetrics.Storage;
using Microsoft.EntityFrameworkCore;
using NpgsqlTypes;

namespace FunnelMetrics.EntityFrameworkCore;

/// <summary>
/// <see cref="IClientRepository.AddManyAsync"/> and <see cref="IClientRepository.GetManyAsync"/> for the Entity
/// Framework Core repository. A bulk add reads which ids are stored in a few statements (the stored ones are compared
/// with the given: equal is left, different is refused with a <see cref="ClientConflictException"/>), then writes the new
/// clients in one transaction per chunk: their positions from the <c>funnel_feed</c> counter as the last statement before
/// the rows, then the client and attribute rows (binary <c>COPY</c> on PostgreSQL, prepared inserts reused for every row
/// elsewhere). Should another writer add one of them first (a unique violation), the transaction is rolled back and the
/// chunk's new clients are added one by one through the single path.
/// </summary>
internal static class BulkClients
{
    public const int ClientsPerChunk = 10_000;

    private const int ReadsPerQuery = 500;

    public static async Task<IReadOnlyList<ClientAddResult>> AddManyAsync<TContext>(IDbContextFactory<TContext> factory, IReadOnlyList<Client> clients, Func<Client, CancellationToken, Task<bool>> single, CancellationToken cancellationToken)
        where TContext : DbContext
    {
        var batch = BulkValidation.Clients(clients);
        cancellationToken.ThrowIfCancellationRequested();
        var results = new ClientAddResult[batch.Length];
        for (var start = 0; start < batch.Length; start += ClientsPerChunk)
        {
            var chunk = new ArraySegment<Client>(batch, start, Math.Min(ClientsPerChunk, batch.Length - start));
            await AddChunkAsync(factory, chunk, new ArraySegment<ClientAddResult>(results, start, chunk.Count), single, cancellationToken).ConfigureAwait(false);
        }

        return results;
    }

    public static async IAsyncEnumerable<Client> GetManyAsync<TContext>(IDbContextFactory<TContext> factory, IReadOnlyCollection<ClientId> clientIds, [EnumeratorCancellation] CancellationToken cancellationToken)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(clientIds);
        foreach (var chunk in clientIds.Select(id => id.Value).Distinct(StringComparer.Ordinal).Chunk(ReadsPerQuery))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var context = await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            await using (context.ConfigureAwait(false))
            {
                foreach (var client in await ReadAsync(context, chunk, cancellationToken).ConfigureAwait(false))
                {
                    yield return client;
                }
            }
        }
    }

    private static async Task<List<Client>> ReadAsync(DbContext context, string[] ids, CancellationToken cancellationToken)
    {
        var rows = await context.Set<ClientRecord>().AsNoTracking().Include(c => c.Attributes).AsSplitQuery()
            .Where(c => ids.Contains(c.ClientId)).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(Mapping.ToClient);
    }

    private static async Task AddChunkAsync<TContext>(IDbContextFactory<TContext> factory, ArraySegment<Client> clients, ArraySegment<ClientAddResult> results, Func<Client, CancellationToken, Task<bool>> single, CancellationToken cancellationToken)
        where TContext : DbContext
    {
        var fresh = new List<int>(clients.Count);
        var context = await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var sql = await BulkSql.OpenAsync(context, cancellationToken).ConfigureAwait(false);
            var ids = new string[clients.Count];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = clients[i].Id.Value;
            }

            var present = new HashSet<string>(StringComparer.Ordinal);
            await sql.ReadByKeysAsync($"SELECT client_id FROM {sql.Names.Clients} WHERE {{0}}", "client_id", ids, r => present.Add(r.GetString(0)), cancellationToken).ConfigureAwait(false);
            var stored = new Dictionary<ClientId, Client>();
            foreach (var chunk in present.Chunk(ReadsPerQuery))
            {
                foreach (var client in await ReadAsync(context, chunk, cancellationToken).ConfigureAwait(false))
                {
                    stored[client.Id] = client;
                }
            }

            for (var i = 0; i < clients.Count; i++)
            {
                var client = clients[i];
                if (stored.TryGetValue(client.Id, out var kept))
                {
                    results[i] = kept.Equals(client) ? ClientAddResult.Stored(client, added: false) : ClientAddResult.Refused(client, new ClientConflictException(kept, client));
                }
                else
                {
                    fresh.Add(i);
                }
            }

            if (fresh.Count == 0)
            {
                return;
            }

            if (await WriteAsync(sql, clients, fresh, cancellationToken).ConfigureAwait(false))
            {
                foreach (var i in fresh)
                {
                    results[i] = ClientAddResult.Stored(clients[i], added: true);
                }

                return;
            }
        }

        // Another writer added one of them first: the single path sorts it out, client by client.
        foreach (var i in fresh)
        {
            try
            {
                results[i] = ClientAddResult.Stored(clients[i], await single(clients[i], cancellationToken).ConfigureAwait(false));
            }
            catch (ClientConflictException conflict)
            {
                results[i] = ClientAddResult.Refused(clients[i], conflict);
            }
        }
    }

    private static async Task<bool> WriteAsync(BulkSql sql, ArraySegment<Client> clients, List<int> fresh, CancellationToken cancellationToken)
    {
        return await sql.InChunkTransactionAsync(
            async cancellationToken =>
            {
                // The positions, as the last statement before the rows and the commit (see FeedCounter).
                var position = await FeedCounter.TakeAsync(sql.Context, fresh.Count, cancellationToken).ConfigureAwait(false) - fresh.Count + 1;
                if (sql.Postgres is { } connection)
                {
                    var rows = await connection.BeginBinaryImportAsync($"COPY {sql.Names.Clients} (client_id, pipeline_id, owner, created_at_utc_ticks, value, expected_close_date, position) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
                    await using (rows.ConfigureAwait(false))
                    {
                        foreach (var i in fresh)
                        {
                            var c = clients[i];
                            await rows.StartRowAsync(cancellationToken).ConfigureAwait(false);
                            await rows.WriteAsync(c.Id.Value, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                            await rows.WriteAsync(c.PipelineId.Value, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                            await rows.WriteAsync(c.Owner.Value, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                            await rows.WriteAsync(c.CreatedAt.UtcTicks, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                            await Copy.NumericAsync(rows, c.Value, cancellationToken).ConfigureAwait(false);
                            await Copy.DateAsync(rows, c.ExpectedCloseDate, cancellationToken).ConfigureAwait(false);
                            await rows.WriteAsync(position++, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                        }

                        await rows.CompleteAsync(cancellationToken).ConfigureAwait(false);
                    }

                    var attributes = await connection.BeginBinaryImportAsync($"COPY {sql.Names.Attributes} (client_id, key, value) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
                    await using (attributes.ConfigureAwait(false))
                    {
                        foreach (var i in fresh)
                        {
                            foreach (var (key, value) in clients[i].Attributes)
                            {
                                await attributes.StartRowAsync(cancellationToken).ConfigureAwait(false);
                                await attributes.WriteAsync(clients[i].Id.Value, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                                await attributes.WriteAsync(key, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                                await attributes.WriteAsync(value, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                            }
                        }

                        await attributes.CompleteAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
                else
                {
                    var rows = new List<(Client Client, long Position)>(fresh.Count);
                    var attributes = new List<(string ClientId, string Key, string Value)>();
                    foreach (var i in fresh)
                    {
                        rows.Add((clients[i], position++));
                        foreach (var (key, value) in clients[i].Attributes)
                        {
                            attributes.Add((clients[i].Id.Value, key, value));
                        }
                    }

                    await sql.InsertAsync(sql.Names.Clients, "client_id, pipeline_id, owner, created_at_utc_ticks, value, expected_close_date, position", 7, rows, static (row, p, o) =>
                    {
                        var c = row.Client;
                        p[o].Value = c.Id.Value;
                        p[o + 1].Value = c.PipelineId.Value;
                        p[o + 2].Value = c.Owner.Value;
                        p[o + 3].Value = c.CreatedAt.UtcTicks;
                        p[o + 4].Value = (object?)c.Value ?? DBNull.Value;
                        p[o + 5].Value = (object?)c.ExpectedCloseDate ?? DBNull.Value;
                        p[o + 6].Value = row.Position;
                    }, cancellationToken).ConfigureAwait(false);
                    await sql.InsertAsync(sql.Names.Attributes, "client_id, key, value", 3, attributes, static (row, p, o) =>
                    {
                        p[o].Value = row.ClientId;
                        p[o + 1].Value = row.Key;
                        p[o + 2].Value = row.Value;
                    }, cancellationToken).ConfigureAwait(false);
                }

                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }
}
