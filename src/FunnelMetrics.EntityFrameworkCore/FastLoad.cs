using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using FunnelMetrics.Metrics;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace FunnelMetrics.EntityFrameworkCore;

/// <summary>
/// The fast load (<see cref="Analytics.IFunnelLogSource"/>): a pipeline's clients and events read as columns straight
/// into a <see cref="FunnelLogBuilder"/>, without entities or event objects, as of one feed position.
/// </summary>
/// <remarks>
/// <para>
/// In one read transaction (REPEATABLE READ on PostgreSQL, one deferred transaction on SQLite): the committed head H of
/// <c>funnel_feed</c> first, then the pipeline's update events (rare: read as objects), attributes and clients with a
/// position at or below H, then its events at or below H in position order (each client's events come in sequence
/// order, after its record, since a client's record and its appends take positions in that order). Every position at or
/// below H is visible and none can appear later (<see cref="FeedCounter"/>), so the load is exactly the changes at or
/// below H whatever the snapshot; the transaction makes the reads one snapshot besides.
/// </para>
/// <para>
/// The database does the decoding it does cheaply: the event's type and transition kind come as one small integer, its
/// stages as their indexes in the builder's pipeline (a <c>CASE</c> over the stage keys), so a row brings three
/// strings (client, owner, previous owner, the last null but for hand-overs), which are interned by comparing with the
/// previous row's. On PostgreSQL the rows come by binary <c>COPY (SELECT ...) TO STDOUT</c>. The event id is not read: a
/// row the builder refuses is read again whole, by its client and sequence, and appended as an object, so the
/// exception names the real event and the rule.
/// </para>
/// </remarks>
internal static class FastLoad
{
    // The row's kind, computed by the database: a transition's kind plus one, then the other types; 0 for a value the store does not know.
    private const short Activity = 8;
    private const short Reassignment = 9;
    private const short Update = 10;

    // A stage, decoded: the index in the pipeline, -1 for null (as the column appends take it), UnknownStage for a key the pipeline does not have.
    private const short UnknownStage = -2;

    /// <summary>Stands for the event's id in the column appends: the builder names it only when it refuses the row, which is then appended again as a whole event.</summary>
    private static readonly ClientEventId Unread = new("(unread)");

    public static async Task<long> LoadAsync<TContext>(IDbContextFactory<TContext> factory, FunnelLogBuilder builder, CancellationToken cancellationToken)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.ClientCount != 0)
        {
            throw new ArgumentException($"The builder of pipeline '{builder.Pipeline.Id}' already has {builder.ClientCount} clients; a load goes into an empty builder.", nameof(builder));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var context = await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var sql = await BulkSql.OpenAsync(context, cancellationToken).ConfigureAwait(false);
            var sqlite = sql.Sqlite;
            Failure? failure;
            long head;
            if (sqlite)
            {
                // Microsoft.Data.Sqlite begins its transactions IMMEDIATE, which would keep writers out for the whole load:
                // a deferred one reads one snapshot (WAL) and lets them write.
                await ExecuteAsync(sql, "BEGIN DEFERRED", cancellationToken).ConfigureAwait(false);
                try
                {
                    (head, failure) = await ReadAsync(sql, builder, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    await ExecuteAsync(sql, "COMMIT", CancellationToken.None).ConfigureAwait(false);
                }
            }
            else
            {
                var transaction = await context.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    (head, failure) = await ReadAsync(sql, builder, cancellationToken).ConfigureAwait(false);
                    if (failure is null)
                    {
                        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            if (failure is { } f)
            {
                await ThrowRefusalAsync(factory, builder, f, cancellationToken).ConfigureAwait(false);
            }

            return head;
        }
    }

    private static async Task<(long Head, Failure? Failure)> ReadAsync(BulkSql sql, FunnelLogBuilder builder, CancellationToken cancellationToken)
    {
        var pipeline = builder.Pipeline;
        var head = await FeedCounter.ReadAsync(sql.Context, cancellationToken).ConfigureAwait(false);
        var pipelineId = pipeline.Id.Value;

        // The updates as objects, by client and sequence: rare, and they carry the client's new details.
        var updates = new Dictionary<(string, long), ClientEvent>();
        await foreach (var row in sql.Context.Set<EventRecord>().AsNoTracking()
            .Where(e => e.PipelineId == pipelineId && e.Type == EventRecord.UpdateType && e.Position <= head)
            .AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            updates[(row.ClientId, row.Sequence)] = Mapping.ToEvent(row);
        }

        var attributes = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var attributeRows = sql.Command($"SELECT a.client_id, a.key, a.value FROM {sql.Names.Attributes} a JOIN {sql.Names.Clients} c ON c.client_id = a.client_id WHERE c.pipeline_id = @p AND c.position <= @h");
        await using (attributeRows.ConfigureAwait(false))
        {
            BulkSql.Parameter(attributeRows, "@p").Value = pipelineId;
            BulkSql.Parameter(attributeRows, "@h").Value = head;
            var reader = await attributeRows.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var id = reader.GetString(0);
                    if (!attributes.TryGetValue(id, out var map))
                    {
                        attributes[id] = map = new Dictionary<string, string>(StringComparer.Ordinal);
                    }

                    map[reader.GetString(1)] = reader.GetString(2);
                }
            }
        }

        var sink = new Sink(builder, updates, attributes);
        Failure? failure;
        if (sql.Postgres is { } postgres)
        {
            var (p, h) = (PostgresLiterals.Of(pipelineId), PostgresLiterals.Of(head));
            ReadClientsByCopy(postgres, ClientSql(sql, p, h), sink, cancellationToken);
            failure = ReadEventsByCopy(postgres, EventSql(sql, pipeline, p, h, PostgresLiterals.Of), sink, cancellationToken);
        }
        else
        {
            var clients = sql.Command(ClientSql(sql, "@p", "@h"));
            await using (clients.ConfigureAwait(false))
            {
                BulkSql.Parameter(clients, "@p").Value = pipelineId;
                BulkSql.Parameter(clients, "@h").Value = head;
                var reader = await clients.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        sink.Client(
                            reader.GetString(0),
                            reader.GetString(1),
                            reader.GetInt64(2),
                            reader.IsDBNull(3) ? null : reader.GetDecimal(3),
                            reader.IsDBNull(4) ? null : reader.GetFieldValue<DateOnly>(4));
                    }
                }
            }

            var stageParameters = new List<(string Name, string Key)>();
            var events = sql.Command(EventSql(sql, pipeline, "@p", "@h", key =>
            {
                var name = "@s" + stageParameters.Count.ToString(CultureInfo.InvariantCulture);
                stageParameters.Add((name, key));
                return name;
            }));
            await using (events.ConfigureAwait(false))
            {
                BulkSql.Parameter(events, "@p").Value = pipelineId;
                BulkSql.Parameter(events, "@h").Value = head;
                foreach (var (name, key) in stageParameters)
                {
                    BulkSql.Parameter(events, name).Value = key;
                }

                var reader = await events.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    failure = sql.Sqlite
                        ? ReadEvents(reader, sink, cancellationToken)
                        : await ReadEventsAsync(reader, sink, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return (head, failure);
    }

    /// <summary>The pipeline's clients at or below the head; the values are literals on PostgreSQL (COPY takes no parameters), parameter names elsewhere.</summary>
    private static string ClientSql(BulkSql sql, string pipeline, string head) =>
        $"SELECT client_id, owner, created_at_utc_ticks, value, expected_close_date FROM {sql.Names.Clients} WHERE pipeline_id = {pipeline} AND position <= {head}";

    /// <summary>The pipeline's events at or below the head, in position order, each as its client, sequence, instant, owner, kind code, stage indexes and previous owner.</summary>
    private static string EventSql(BulkSql sql, PipelineDefinition pipeline, string pipelineId, string head, Func<string, string> literal)
    {
        // One integer for the kind and both stages (a column read costs more than the arithmetic): kind << 32, (from + 2) << 16, to + 2.
        var text = new StringBuilder("SELECT client_id, sequence, occurred_at_utc_ticks, owner, CASE type WHEN ");
        text.Append(literal(EventRecord.TransitionType)).Append(" THEN CASE transition_kind");
        foreach (var kind in Enum.GetValues<TransitionKind>())
        {
            text.Append(" WHEN ").Append(literal(kind.ToString())).Append(" THEN ").Append(((int)kind + 1).ToString(CultureInfo.InvariantCulture));
        }

        text.Append(" ELSE 0 END WHEN ").Append(literal(EventRecord.ActivityType)).Append(" THEN ").Append(Activity.ToString(CultureInfo.InvariantCulture))
            .Append(" WHEN ").Append(literal(EventRecord.ReassignmentType)).Append(" THEN ").Append(Reassignment.ToString(CultureInfo.InvariantCulture))
            .Append(" WHEN ").Append(literal(EventRecord.UpdateType)).Append(" THEN ").Append(Update.ToString(CultureInfo.InvariantCulture))
            .Append(" ELSE 0 END * 4294967296");
        var keys = new string[pipeline.Stages.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = literal(pipeline.Stages[i].Key.Value);
        }

        foreach (var (column, shift) in (ReadOnlySpan<(string, string)>)[("from_stage", " * 65536"), ("to_stage", "")])
        {
            // The index plus two: 1 for null, 0 for a key the pipeline does not have.
            text.Append(" + CASE WHEN ").Append(column).Append(" IS NULL THEN 1");
            for (var i = 0; i < keys.Length; i++)
            {
                text.Append(" WHEN ").Append(column).Append(" = ").Append(keys[i]).Append(" THEN ").Append((i + 2).ToString(CultureInfo.InvariantCulture));
            }

            text.Append(" ELSE 0 END").Append(shift);
        }

        text.Append(", ");
        text.Append("previous_owner FROM ").Append(sql.Names.Events)
            .Append(" WHERE pipeline_id = ").Append(pipelineId).Append(" AND position <= ").Append(head)
            .Append(" ORDER BY position");
        return text.ToString();
    }

    private static void ReadClientsByCopy(NpgsqlConnection connection, string select, Sink sink, CancellationToken cancellationToken)
    {
        using var export = connection.BeginBinaryExport($"COPY ({select}) TO STDOUT (FORMAT BINARY)");
        while (export.StartRow() >= 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var id = export.Read<string>();
            var owner = export.Read<string>();
            var created = export.Read<long>();
            decimal? value = null;
            if (export.IsNull)
            {
                export.Skip();
            }
            else
            {
                value = export.Read<decimal>();
            }

            DateOnly? close = null;
            if (export.IsNull)
            {
                export.Skip();
            }
            else
            {
                close = export.Read<DateOnly>();
            }

            sink.Client(id, owner, created, value, close);
        }
    }

    private static Failure? ReadEventsByCopy(NpgsqlConnection connection, string select, Sink sink, CancellationToken cancellationToken)
    {
        using var export = connection.BeginBinaryExport($"COPY ({select}) TO STDOUT (FORMAT BINARY)");
        var rows = 0;
        while (export.StartRow() >= 0)
        {
            if ((++rows & 4095) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var client = export.Read<string>();
            var sequence = export.Read<long>();
            var ticks = export.Read<long>();
            var owner = export.Read<string>();
            var packed = export.Read<long>();
            string? previous = null;
            if (Code(packed) != Reassignment || export.IsNull)
            {
                export.Skip();
            }
            else
            {
                previous = export.Read<string>();
            }

            if (sink.Event(client, sequence, ticks, owner, packed, previous) is { } failure)
            {
                // The rest is not needed: cancel the export (the transaction is rolled back with it).
                export.Cancel();
                return failure;
            }
        }

        return null;
    }

    /// <summary>The events through a reader that works synchronously (Microsoft.Data.Sqlite's async methods are synchronous anyway).</summary>
    private static Failure? ReadEvents(DbDataReader reader, Sink sink, CancellationToken cancellationToken)
    {
        var rows = 0;
        while (reader.Read())
        {
            if ((++rows & 4095) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var packed = reader.GetInt64(4);
            if (sink.Event(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3), packed, Code(packed) != Reassignment || reader.IsDBNull(5) ? null : reader.GetString(5)) is { } failure)
            {
                return failure;
            }
        }

        return null;
    }

    private static async Task<Failure?> ReadEventsAsync(DbDataReader reader, Sink sink, CancellationToken cancellationToken)
    {
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var packed = reader.GetInt64(4);
            if (sink.Event(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3), packed, Code(packed) != Reassignment || reader.IsDBNull(5) ? null : reader.GetString(5)) is { } failure)
            {
                return failure;
            }
        }

        return null;
    }

    /// <summary>
    /// Reads the refused row again whole, by its client and sequence, on a connection of its own (the load's may be
    /// mid-COPY or rolled back; the row is committed), and appends it as an event: the builder throws what it throws for
    /// that event, naming the client, the event and the rule.
    /// </summary>
    private static async Task ThrowRefusalAsync<TContext>(IDbContextFactory<TContext> factory, FunnelLogBuilder builder, Failure failure, CancellationToken cancellationToken)
        where TContext : DbContext
    {
        var context = await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var (client, sequence) = (failure.ClientId, failure.Sequence);
            var row = await context.Set<EventRecord>().AsNoTracking().FirstOrDefaultAsync(e => e.ClientId == client && e.Sequence == sequence, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"The stored event {sequence} of client '{client}' was refused by the load ({failure.Problem?.Message}) and is gone now.", failure.Problem);
            var e = Mapping.ToEvent(row);
            if (!builder.Contains(e.ClientId))
            {
                throw new InvalidOperationException($"The stored event '{e.Id}' (sequence {e.Sequence}) is for client '{e.ClientId}', which pipeline '{builder.Pipeline.Id}' has no stored client for at or below the feed position the load reads; the funnel_events row was not written by FunnelMetrics or was changed since.");
            }

            try
            {
                builder.Append(e);
            }
            catch (FunnelHistoryException broken) when (broken.ParamName is { } name)
            {
                // The builder names its parameter; the load's caller passed no event: the same exception without it.
                var suffix = $" (Parameter '{name}')";
                var message = broken.Message.EndsWith(suffix, StringComparison.Ordinal) ? broken.Message[..^suffix.Length] : broken.Message;
                throw new FunnelHistoryException(broken.Rule, broken.ClientId, broken.EventId, broken.Sequence, broken.OccurredAt, message);
            }
            catch (FunnelHistoryException)
            {
                throw;
            }
            catch (ArgumentException refused)
            {
                throw new InvalidOperationException($"The stored event '{e.Id}' of client '{e.ClientId}' cannot be loaded: {refused.Message}", refused);
            }

            throw new InvalidOperationException($"The stored event '{e.Id}' of client '{e.ClientId}' was refused by the load ({failure.Problem?.Message}) but not as a whole event; the funnel_events row may have been changed while it was read.", failure.Problem);
        }
    }

    /// <summary>The kind code of a packed row: a transition's kind plus one, <see cref="Activity"/>, <see cref="Reassignment"/>, <see cref="Update"/>, or 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static short Code(long packed) => (short)(packed >> 32);

    private static async Task ExecuteAsync(BulkSql sql, string statement, CancellationToken cancellationToken)
    {
        var command = sql.Command(statement);
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A row the builder refused (or that names what the columns cannot say), to be read again whole.</summary>
    private sealed record Failure(string ClientId, long Sequence, Exception? Problem);

    /// <summary>PostgreSQL literals for a COPY's query: escape strings (<c>E'...'</c>, whatever <c>standard_conforming_strings</c> is).</summary>
    private static class PostgresLiterals
    {
        public static string Of(string value) => "E'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

        public static string Of(long value) => value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Puts rows into the builder: clients by their columns, events through the column appends, with the client's handle
    /// and the owners interned (the previous row's kept, so a run of one client's or one owner's rows looks nothing up).
    /// </summary>
    private sealed class Sink(FunnelLogBuilder builder, Dictionary<(string, long), ClientEvent> updates, Dictionary<string, Dictionary<string, string>> attributes)
    {
        private readonly Dictionary<string, int> _handles = new(StringComparer.Ordinal);
        private readonly Dictionary<string, OwnerId> _owners = new(StringComparer.Ordinal);
        private string? _client;
        private int _handle = -1;
        private string? _ownerText;
        private OwnerId _owner;

        public void Client(string id, string owner, long createdAtTicks, decimal? value, DateOnly? expectedClose)
        {
            attributes.TryGetValue(id, out var attributesOf);
            var client = new Client(new ClientId(id), builder.Pipeline.Id, Owner(owner), Mapping.Instant(createdAtTicks), value, attributesOf, expectedClose);
            _handles[id] = builder.Add(client);
        }

        /// <summary>Appends one event row; returns the row to read again when the builder refuses it or the columns cannot say it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Failure? Event(string client, long sequence, long ticks, string owner, long packed, string? previous)
        {
            var (code, from, to) = (Code(packed), (short)(((packed >> 16) & 0xFFFF) - 2), (short)((packed & 0xFFFF) - 2));
            if (!string.Equals(client, _client, StringComparison.Ordinal))
            {
                if (!_handles.TryGetValue(client, out _handle))
                {
                    _client = null;
                    return new Failure(client, sequence, null);
                }

                _client = client;
            }

            try
            {
                var at = Mapping.Instant(ticks);
                switch (code)
                {
                    case > 0 and < Activity when from != UnknownStage && to != UnknownStage:
                        builder.AppendTransition(_handle, Unread, sequence, at, (TransitionKind)(code - 1), from, to, Owner(owner));
                        return null;
                    case Activity:
                        builder.AppendActivity(_handle, Unread, sequence, at, Owner(owner));
                        return null;
                    case Reassignment when previous is not null:
                        builder.AppendReassignment(_handle, Unread, sequence, at, Owner(owner), Owner(previous));
                        return null;
                    case Update when updates.TryGetValue((client, sequence), out var update):
                        builder.Append(update);
                        return null;
                    default:
                        return new Failure(client, sequence, null);
                }
            }
            catch (ArgumentException refused)
            {
                return new Failure(client, sequence, refused);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private OwnerId Owner(string text)
        {
            if (string.Equals(text, _ownerText, StringComparison.Ordinal))
            {
                return _owner;
            }

            if (!_owners.TryGetValue(text, out var owner))
            {
                _owners[text] = owner = new OwnerId(text);
            }

            (_ownerText, _owner) = (text, owner);
            return owner;
        }
    }
}
