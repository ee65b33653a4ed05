using System.Data.Common;
using FunnelMetrics.Storage;
using Microsoft.EntityFrameworkCore;
using NpgsqlTypes;

namespace FunnelMetrics.EntityFrameworkCore;

/// <summary>
/// <see cref="IFunnelEventStore.AppendManyAsync"/> for the Entity Framework Core store, in chunks of parts. Each chunk:
/// the latest states (<c>funnel_client_states</c>) of all its clients and the stored ids among all its events are read
/// in a few statements; a part is refused on its own, with the exception <see cref="IFunnelEventStore.AppendAsync"/>
/// would throw, when its stream is at another version, it is of another pipeline or earlier than its stream's last event,
/// the fold (<see cref="ClientState.Apply"/> from the stored state) refuses it, or one of its ids is stored; the others
/// are written in one transaction: the state rows (new ones inserted, others updated only from the version read), then
/// the positions from the <c>funnel_feed</c> counter as the last statement before the event rows, then the event rows
/// (binary <c>COPY</c> on PostgreSQL, one prepared insert reused for every row elsewhere). Should another writer get in
/// first (a state row no longer at the version read, or a unique violation), the transaction is rolled back and the
/// chunk's parts are appended one by one through the single path, which explains every refusal.
/// </summary>
internal static class BulkAppends
{
    /// <summary>The most parts written in one transaction.</summary>
    public const int PartsPerChunk = 10_000;

    private const string EventColumns = "event_id, client_id, pipeline_id, sequence, position, type, occurred_at_utc_ticks, recorded_at_utc_ticks, owner, note, transition_kind, from_stage, to_stage, lost_reason, previous_owner, sets_value, value, sets_expected_close_date, expected_close_date, attribute_changes";
    private const string StateColumns = "client_id, pipeline_id, owner, status, stage, stage_entered_at_utc_ticks, last_event_at_utc_ticks, last_touched_at_utc_ticks, version";

    public delegate Task<long> SingleAppend(ClientId clientId, long expectedVersion, IReadOnlyList<ClientEvent> events, CancellationToken cancellationToken);

    public static async Task<IReadOnlyList<StreamAppendResult>> AppendManyAsync<TContext>(IDbContextFactory<TContext> factory, IReadOnlyList<StreamAppend> appends, SingleAppend single, CancellationToken cancellationToken)
        where TContext : DbContext
    {
        var parts = BulkValidation.Appends(appends);
        cancellationToken.ThrowIfCancellationRequested();
        var results = new StreamAppendResult[parts.Length];
        for (var start = 0; start < parts.Length; start += PartsPerChunk)
        {
            var chunk = new ArraySegment<StreamAppend>(parts, start, Math.Min(PartsPerChunk, parts.Length - start));
            await AppendChunkAsync(factory, chunk, new ArraySegment<StreamAppendResult>(results, start, chunk.Count), single, cancellationToken).ConfigureAwait(false);
        }

        return results;
    }

    /// <summary><see cref="IFunnelEventStore.FindManyAsync"/>: which ids are stored, in one statement, then the rows of those found, 500 per query.</summary>
    public static async IAsyncEnumerable<ClientEvent> FindManyAsync<TContext>(IDbContextFactory<TContext> factory, IReadOnlyCollection<ClientEventId> eventIds, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        cancellationToken.ThrowIfCancellationRequested();
        var keys = eventIds.Select(id => id.Value).Distinct(StringComparer.Ordinal).ToArray();
        if (keys.Length == 0)
        {
            yield break;
        }

        var context = await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var sql = await BulkSql.OpenAsync(context, cancellationToken).ConfigureAwait(false);
            var found = new List<string>();
            await sql.ReadByKeysAsync($"SELECT event_id FROM {sql.Names.Events} WHERE {{0}}", "event_id", keys, r => found.Add(r.GetString(0)), cancellationToken).ConfigureAwait(false);
            foreach (var chunk in found.Chunk(500))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var rows = await context.Set<EventRecord>().AsNoTracking().Where(e => chunk.Contains(e.EventId)).ToListAsync(cancellationToken).ConfigureAwait(false);
                foreach (var row in rows)
                {
                    yield return Mapping.ToEvent(row);
                }
            }
        }
    }

    private static async Task AppendChunkAsync<TContext>(IDbContextFactory<TContext> factory, ArraySegment<StreamAppend> parts, ArraySegment<StreamAppendResult> results, SingleAppend single, CancellationToken cancellationToken)
        where TContext : DbContext
    {
        var ready = new List<Ready>(parts.Count);
        var oneByOne = new List<int>();
        var context = await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var sql = await BulkSql.OpenAsync(context, cancellationToken).ConfigureAwait(false);
            var ids = new string[parts.Count];
            for (var i = 0; i < parts.Count; i++)
            {
                ids[i] = parts[i].ClientId.Value;
            }

            var states = await ReadStatesAsync(sql, ids, cancellationToken).ConfigureAwait(false);

            // A client with events but no state row was stored before the table existed: the single path folds its stream once.
            var withoutState = Array.FindAll(ids, id => !states.ContainsKey(id));
            var legacy = await ReadStreamsAsync(sql, withoutState, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < parts.Count; i++)
            {
                var part = parts[i];
                if (legacy.Contains(ids[i]))
                {
                    oneByOne.Add(i);
                    continue;
                }

                var state = states.GetValueOrDefault(ids[i]);
                var (error, next) = Check(part, state);
                if (error is not null)
                {
                    results[i] = StreamAppendResult.Refused(part, error);
                }
                else
                {
                    ready.Add(new Ready(i, state, next!));
                }
            }

            await RefuseStoredIdsAsync(sql, parts, results, ready, cancellationToken).ConfigureAwait(false);
            if (ready.Count > 0 && !await WriteAsync(sql, parts, ready, cancellationToken).ConfigureAwait(false))
            {
                // Another writer got in between the reads and the write: the single path sorts it out, part by part.
                foreach (var r in ready)
                {
                    oneByOne.Add(r.Index);
                }
            }
            else
            {
                foreach (var r in ready)
                {
                    results[r.Index] = StreamAppendResult.Stored(parts[r.Index]);
                }
            }
        }

        oneByOne.Sort();
        foreach (var i in oneByOne)
        {
            var part = parts[i];
            try
            {
                await single(part.ClientId, part.ExpectedVersion, part.Events, cancellationToken).ConfigureAwait(false);
                results[i] = StreamAppendResult.Stored(part);
            }
            catch (Exception e) when (e is ConcurrencyConflictException or EventIdConflictException or ArgumentException)
            {
                results[i] = StreamAppendResult.Refused(part, e);
            }
        }
    }

    /// <summary>The single path's checks against the state read, in its order: the error, or the state after the part.</summary>
    private static (Exception? Error, ClientState? Next) Check(StreamAppend part, ClientState? state) =>
        (AppendValidation.TryContinue(state, part.ClientId, part.ExpectedVersion, part.PipelineId, part.Events, out var next), next);

    /// <summary>The state rows of the clients, by id.</summary>
    private static async Task<Dictionary<string, ClientState>> ReadStatesAsync(BulkSql sql, string[] ids, CancellationToken cancellationToken)
    {
        var states = new Dictionary<string, ClientState>(ids.Length, StringComparer.Ordinal);
        await sql.ReadByKeysAsync($"SELECT {StateColumns} FROM {sql.Names.States} WHERE {{0}}", "client_id", ids, r =>
        {
            var row = new ClientStateRecord
            {
                ClientId = r.GetString(0),
                PipelineId = r.GetString(1),
                Owner = r.GetString(2),
                Status = Enum.Parse<ClientStatus>(r.GetString(3)),
                Stage = r.IsDBNull(4) ? null : r.GetString(4),
                StageEnteredAtUtcTicks = r.IsDBNull(5) ? null : r.GetInt64(5),
                LastEventAtUtcTicks = r.IsDBNull(6) ? null : r.GetInt64(6),
                LastTouchedAtUtcTicks = r.IsDBNull(7) ? null : r.GetInt64(7),
                Version = r.GetInt64(8),
            };
            states[row.ClientId] = Mapping.ToState(row);
        }, cancellationToken).ConfigureAwait(false);
        return states;
    }

    /// <summary>Which of the clients have events: a point lookup of each one's first event in the unique index on client and sequence.</summary>
    private static async Task<HashSet<string>> ReadStreamsAsync(BulkSql sql, string[] ids, CancellationToken cancellationToken)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        await sql.ReadByKeysAsync($"SELECT client_id FROM {sql.Names.Events} WHERE sequence = 1 AND {{0}}", "client_id", ids, r => found.Add(r.GetString(0)), cancellationToken).ConfigureAwait(false);
        return found;
    }

    /// <summary>Refuses, with an <see cref="EventIdConflictException"/>, each ready part one of whose ids is stored.</summary>
    private static async Task RefuseStoredIdsAsync(BulkSql sql, ArraySegment<StreamAppend> parts, ArraySegment<StreamAppendResult> results, List<Ready> ready, CancellationToken cancellationToken)
    {
        var eventIds = new List<string>(ready.Count * 4);
        foreach (var r in ready)
        {
            foreach (var e in parts[r.Index].Events)
            {
                eventIds.Add(e.Id.Value);
            }
        }

        var taken = new HashSet<string>(StringComparer.Ordinal);
        await sql.ReadByKeysAsync($"SELECT event_id FROM {sql.Names.Events} WHERE {{0}}", "event_id", eventIds, r => taken.Add(r.GetString(0)), cancellationToken).ConfigureAwait(false);
        if (taken.Count == 0)
        {
            return;
        }

        var existing = new Dictionary<string, ClientEvent>(StringComparer.Ordinal);
        var takenIds = taken.ToArray();
        foreach (var row in await sql.Context.Set<EventRecord>().AsNoTracking().Where(e => takenIds.Contains(e.EventId)).ToListAsync(cancellationToken).ConfigureAwait(false))
        {
            existing[row.EventId] = Mapping.ToEvent(row);
        }

        ready.RemoveAll(r =>
        {
            var part = parts[r.Index];
            foreach (var e in part.Events)
            {
                if (taken.Contains(e.Id.Value))
                {
                    // The first id of the part that is taken, as the single path reports it.
                    results[r.Index] = StreamAppendResult.Refused(part, new EventIdConflictException(e.Id, part.ClientId, existing.GetValueOrDefault(e.Id.Value)));
                    return true;
                }
            }

            return false;
        });
    }

    /// <summary>
    /// Writes the ready parts in one transaction; false, with everything rolled back, when another writer got in first
    /// (a state row moved on from the version read, or a unique index refused a row).
    /// </summary>
    private static async Task<bool> WriteAsync(BulkSql sql, ArraySegment<StreamAppend> parts, List<Ready> ready, CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var r in ready)
        {
            count += parts[r.Index].Events.Count;
        }

        return await sql.InChunkTransactionAsync(
            async cancellationToken =>
            {
                if (!await WriteStatesAsync(sql, ready, cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }

                // The positions, as the last statement before the event rows and the commit (see FeedCounter).
                var first = await FeedCounter.TakeAsync(sql.Context, count, cancellationToken).ConfigureAwait(false) - count + 1;
                if (sql.Postgres is not null)
                {
                    await CopyEventsAsync(sql, parts, ready, first, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await InsertEventsAsync(sql, parts, ready, first, cancellationToken).ConfigureAwait(false);
                }

                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Inserts the new state rows and moves the others on from the version read; false when one had moved.</summary>
    private static async Task<bool> WriteStatesAsync(BulkSql sql, List<Ready> ready, CancellationToken cancellationToken)
    {
        var inserts = new List<ClientStateRecord>(ready.Count);
        var updates = new List<(ClientStateRecord Row, long Expected)>();
        foreach (var r in ready)
        {
            var row = Mapping.ToRecord(r.Next);
            if (r.Before is null)
            {
                inserts.Add(row);
            }
            else
            {
                updates.Add((row, r.Before.Version));
            }
        }

        if (sql.Postgres is { } connection)
        {
            if (inserts.Count > 0)
            {
                var importer = await connection.BeginBinaryImportAsync($"COPY {sql.Names.States} ({StateColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
                await using (importer.ConfigureAwait(false))
                {
                    foreach (var row in inserts)
                    {
                        await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                        await importer.WriteAsync(row.ClientId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await importer.WriteAsync(row.PipelineId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await importer.WriteAsync(row.Owner, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await importer.WriteAsync(row.Status.ToString(), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await Copy.TextAsync(importer, row.Stage, cancellationToken).ConfigureAwait(false);
                        await Copy.Int64Async(importer, row.StageEnteredAtUtcTicks, cancellationToken).ConfigureAwait(false);
                        await Copy.Int64Async(importer, row.LastEventAtUtcTicks, cancellationToken).ConfigureAwait(false);
                        await Copy.Int64Async(importer, row.LastTouchedAtUtcTicks, cancellationToken).ConfigureAwait(false);
                        await importer.WriteAsync(row.Version, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    }

                    await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            if (updates.Count > 0)
            {
                var command = sql.Command($"""
                    UPDATE {sql.Names.States} AS s SET pipeline_id = v.pipeline_id, owner = v.owner, status = v.status, stage = v.stage,
                        stage_entered_at_utc_ticks = v.stage_entered, last_event_at_utc_ticks = v.last_event, last_touched_at_utc_ticks = v.last_touched, version = v.version
                    FROM unnest(@ids, @pipelines, @owners, @statuses, @stages, @entered, @events, @touched, @versions, @expected)
                        AS v(client_id, pipeline_id, owner, status, stage, stage_entered, last_event, last_touched, version, expected)
                    WHERE s.client_id = v.client_id AND s.version = v.expected
                    """);
                await using (command.ConfigureAwait(false))
                {
                    var p = (Npgsql.NpgsqlCommand)command;
                    p.Parameters.Add(new("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = updates.ConvertAll(u => u.Row.ClientId).ToArray() });
                    p.Parameters.Add(new("pipelines", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = updates.ConvertAll(u => u.Row.PipelineId).ToArray() });
                    p.Parameters.Add(new("owners", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = updates.ConvertAll(u => u.Row.Owner).ToArray() });
                    p.Parameters.Add(new("statuses", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = updates.ConvertAll(u => u.Row.Status.ToString()).ToArray() });
                    p.Parameters.Add(new("stages", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = updates.ConvertAll(u => u.Row.Stage).ToArray() });
                    p.Parameters.Add(new("entered", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = updates.ConvertAll(u => u.Row.StageEnteredAtUtcTicks).ToArray() });
                    p.Parameters.Add(new("events", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = updates.ConvertAll(u => u.Row.LastEventAtUtcTicks).ToArray() });
                    p.Parameters.Add(new("touched", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = updates.ConvertAll(u => u.Row.LastTouchedAtUtcTicks).ToArray() });
                    p.Parameters.Add(new("versions", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = updates.ConvertAll(u => u.Row.Version).ToArray() });
                    p.Parameters.Add(new("expected", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = updates.ConvertAll(u => u.Expected).ToArray() });
                    if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != updates.Count)
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        if (inserts.Count > 0)
        {
            await sql.InsertAsync(sql.Names.States, StateColumns, 9, inserts, static (row, p, o) => SetState(p, o, row), cancellationToken).ConfigureAwait(false);
        }

        if (updates.Count > 0)
        {
            var update = sql.Command($"UPDATE {sql.Names.States} SET client_id = @c0, pipeline_id = @c1, owner = @c2, status = @c3, stage = @c4, stage_entered_at_utc_ticks = @c5, last_event_at_utc_ticks = @c6, last_touched_at_utc_ticks = @c7, version = @c8 WHERE client_id = @c0 AND version = @c9");
            await using (update.ConfigureAwait(false))
            {
                var p = Parameters(update, 10);
                await update.PrepareAsync(cancellationToken).ConfigureAwait(false);
                foreach (var (row, expected) in updates)
                {
                    SetState(p, 0, row);
                    p[9].Value = expected;
                    if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }

    private static void SetState(DbParameter[] p, int o, ClientStateRecord row)
    {
        p[o].Value = row.ClientId;
        p[o + 1].Value = row.PipelineId;
        p[o + 2].Value = row.Owner;
        p[o + 3].Value = row.Status.ToString();
        p[o + 4].Value = (object?)row.Stage ?? DBNull.Value;
        p[o + 5].Value = (object?)row.StageEnteredAtUtcTicks ?? DBNull.Value;
        p[o + 6].Value = (object?)row.LastEventAtUtcTicks ?? DBNull.Value;
        p[o + 7].Value = (object?)row.LastTouchedAtUtcTicks ?? DBNull.Value;
        p[o + 8].Value = row.Version;
    }

    /// <summary>The event rows by binary COPY, positions from <paramref name="first"/> in part order.</summary>
    private static async Task CopyEventsAsync(BulkSql sql, ArraySegment<StreamAppend> parts, List<Ready> ready, long first, CancellationToken cancellationToken)
    {
        var importer = await sql.Postgres!.BeginBinaryImportAsync($"COPY {sql.Names.Events} ({EventColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        await using (importer.ConfigureAwait(false))
        {
            var position = first;
            foreach (var r in ready)
            {
                foreach (var e in parts[r.Index].Events)
                {
                    var row = Mapping.ToRecord(e);
                    await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(row.EventId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(row.ClientId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(row.PipelineId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(row.Sequence, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(position++, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(row.Type, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(row.OccurredAtUtcTicks, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(row.RecordedAtUtcTicks, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(row.Owner, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await Copy.TextAsync(importer, row.Note, cancellationToken).ConfigureAwait(false);
                    await Copy.TextAsync(importer, row.TransitionKind?.ToString(), cancellationToken).ConfigureAwait(false);
                    await Copy.TextAsync(importer, row.FromStage, cancellationToken).ConfigureAwait(false);
                    await Copy.TextAsync(importer, row.ToStage, cancellationToken).ConfigureAwait(false);
                    await Copy.TextAsync(importer, row.LostReason, cancellationToken).ConfigureAwait(false);
                    await Copy.TextAsync(importer, row.PreviousOwner, cancellationToken).ConfigureAwait(false);
                    await Copy.BooleanAsync(importer, row.SetsValue, cancellationToken).ConfigureAwait(false);
                    await Copy.NumericAsync(importer, row.Value, cancellationToken).ConfigureAwait(false);
                    await Copy.BooleanAsync(importer, row.SetsExpectedCloseDate, cancellationToken).ConfigureAwait(false);
                    await Copy.DateAsync(importer, row.ExpectedCloseDate, cancellationToken).ConfigureAwait(false);
                    await Copy.TextAsync(importer, row.AttributeChanges, cancellationToken).ConfigureAwait(false);
                }
            }

            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The event rows through prepared multi-row inserts, positions from <paramref name="first"/> in part order.</summary>
    private static Task InsertEventsAsync(BulkSql sql, ArraySegment<StreamAppend> parts, List<Ready> ready, long first, CancellationToken cancellationToken)
    {
        var rows = new List<EventRecord>(ready.Count * 4);
        var position = first;
        foreach (var r in ready)
        {
            foreach (var e in parts[r.Index].Events)
            {
                var row = Mapping.ToRecord(e);
                row.Position = position++;
                rows.Add(row);
            }
        }

        return sql.InsertAsync(sql.Names.Events, EventColumns, 20, rows, static (row, p, o) =>
        {
            p[o].Value = row.EventId;
            p[o + 1].Value = row.ClientId;
            p[o + 2].Value = row.PipelineId;
            p[o + 3].Value = row.Sequence;
            p[o + 4].Value = row.Position;
            p[o + 5].Value = row.Type;
            p[o + 6].Value = row.OccurredAtUtcTicks;
            p[o + 7].Value = row.RecordedAtUtcTicks;
            p[o + 8].Value = row.Owner;
            p[o + 9].Value = (object?)row.Note ?? DBNull.Value;
            p[o + 10].Value = (object?)row.TransitionKind?.ToString() ?? DBNull.Value;
            p[o + 11].Value = (object?)row.FromStage ?? DBNull.Value;
            p[o + 12].Value = (object?)row.ToStage ?? DBNull.Value;
            p[o + 13].Value = (object?)row.LostReason ?? DBNull.Value;
            p[o + 14].Value = (object?)row.PreviousOwner ?? DBNull.Value;
            p[o + 15].Value = (object?)row.SetsValue ?? DBNull.Value;
            p[o + 16].Value = (object?)row.Value ?? DBNull.Value;
            p[o + 17].Value = (object?)row.SetsExpectedCloseDate ?? DBNull.Value;
            p[o + 18].Value = (object?)row.ExpectedCloseDate ?? DBNull.Value;
            p[o + 19].Value = (object?)row.AttributeChanges ?? DBNull.Value;
        }, cancellationToken);
    }

    /// <summary>Parameters @c0... of a command, made once and given new values for each row.</summary>
    internal static DbParameter[] Parameters(DbCommand command, int count)
    {
        var p = new DbParameter[count];
        for (var i = 0; i < count; i++)
        {
            p[i] = BulkSql.Parameter(command, "@c" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return p;
    }

    private readonly record struct Ready(int Index, ClientState? Before, ClientState Next);
}
