using FunnelMetrics.Analytics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using FunnelMetrics.Metrics;
using Microsoft.Win32.SafeHandles;

namespace FunnelMetrics.Arrow;

/// <summary>
/// Reads a snapshot file back into a log: the header checked against the caller's pipeline and positions, then each
/// record batch made into a segment straight from its columns. Beyond the header, it checks what a log's reader relies
/// on (the batches' shapes and counts, list offsets, dictionary indexes in range, client ids in order), not each
/// client's history against the rule table: the file was written by <see cref="SnapshotWriter"/> from a checked log.
/// </summary>
internal static class SnapshotReader
{
    private static readonly ClientEventId RestoredUpdate = new("snapshot-update");

    public static async Task<FunnelSnapshot> ReadAsync(string path, PipelineDefinition pipeline, long minimumPosition, long headPosition, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new FunnelSnapshotException(path, FunnelSnapshotProblem.Missing, $"Snapshot file '{path}' does not exist.");
        }

        SafeFileHandle handle;
        try
        {
            // FileShare.Delete: a writer may rename a new snapshot over the path while this one is read (on Windows too).
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.Asynchronous);
        }
        catch (FileNotFoundException e)
        {
            throw new FunnelSnapshotException(path, FunnelSnapshotProblem.Missing, $"Snapshot file '{path}' does not exist.", e);
        }

        using (handle)
        {
            using var reader = new ArrowFileReader(new HandleStream(handle), leaveOpen: false);
            int batches;
            Schema schema;
            try
            {
                batches = await reader.RecordBatchCountAsync().ConfigureAwait(false);
                schema = reader.Schema;
            }
            catch (Exception e) when (IsUnreadable(e))
            {
                throw Corrupt(path, $"it is not a readable Arrow IPC file (truncated, overwritten or not Arrow): {e.Message}", e);
            }

            var header = Header.Parse(path, schema, pipeline);
            if (header.Position < minimumPosition)
            {
                throw new FunnelSnapshotException(path, FunnelSnapshotProblem.Stale, $"Snapshot file '{path}' is at feed position {header.Position}, older than {minimumPosition}, the lowest position accepted.");
            }

            if (header.Position > headPosition)
            {
                throw new FunnelSnapshotException(path, FunnelSnapshotProblem.Ahead, $"Snapshot file '{path}' is at feed position {header.Position}, ahead of the store's head {headPosition}: it was written from another store, or the store was reset since.");
            }

            CheckColumns(path, schema);
            if (batches != header.Segments)
            {
                throw Corrupt(path, $"its header says {header.Segments} record batches, the file has {batches}");
            }

            // The dictionaries (owners, kinds, statuses, stages) from the first batch, then the batches made into segments by
            // one worker per core, each with its own reader of the one file opened: a segment needs nothing from another.
            var owners = batches == 0 ? [] : await ReadOwnersAsync(path, reader, pipeline, cancellationToken).ConfigureAwait(false);
            var segments = new LogSegment[batches];
            var next = -1;
            var workers = new Task[Math.Min(batches, Math.Max(1, Environment.ProcessorCount))];
            for (var w = 0; w < workers.Length; w++)
            {
                workers[w] = Task.Run(
                    async () =>
                    {
                        var context = new Context(path, pipeline, owners);
                        using var worker = new ArrowFileReader(new HandleStream(handle), leaveOpen: false);
                        for (var s = Interlocked.Increment(ref next); s < batches; s = Interlocked.Increment(ref next))
                        {
                            cancellationToken.ThrowIfCancellationRequested();
                            segments[s] = await ReadSegmentAsync(path, worker, context, s, cancellationToken).ConfigureAwait(false);
                        }
                    },
                    cancellationToken);
            }

            await Task.WhenAll(workers).ConfigureAwait(false);
            var (clients, events, updates) = (0, 0L, 0L);
            for (var s = 0; s < segments.Length; s++)
            {
                var segment = segments[s];
                if (s > 0 && segments[s - 1].Clients[^1].Id.CompareTo(segment.Clients[0].Id) >= 0)
                {
                    throw Corrupt(path, $"client '{segment.Clients[0].Id}' of record batch {s} does not come after '{segments[s - 1].Clients[^1].Id}': the clients must be in id order");
                }

                clients = checked(clients + segment.ClientCount);
                events += segment.EventCount;
                updates += segment.UpdateTicks.Length;
            }

            if (clients != header.Clients || events != header.Events || updates != header.Updates || owners.Length != header.Owners)
            {
                throw Corrupt(path, $"its header counts {header.Clients} clients, {header.Events} events, {header.Updates} updates and {header.Owners} owners; its batches hold {clients}, {events}, {updates} and {owners.Length}");
            }

            var segmentBase = new int[segments.Length + 1];
            var segmentOf = new int[clients];
            for (var s = 0; s < segments.Length; s++)
            {
                segmentBase[s + 1] = segmentBase[s] + segments[s].ClientCount;
                segmentOf.AsSpan(segmentBase[s], segments[s].ClientCount).Fill(s);
            }

            return new FunnelSnapshot(new FunnelEventLog(pipeline, owners, segments, segmentBase, segmentOf), header.Position);
        }
    }

    private static async Task<RecordBatch> ReadBatchAsync(string path, ArrowFileReader reader, int index, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadRecordBatchAsync(index, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnreadable(e))
        {
            throw Corrupt(path, $"record batch {index} cannot be read: {e.Message}", e);
        }
    }

    private static async Task<LogSegment> ReadSegmentAsync(string path, ArrowFileReader reader, Context context, int index, CancellationToken cancellationToken)
    {
        using var batch = await ReadBatchAsync(path, reader, index, cancellationToken).ConfigureAwait(false);
        try
        {
            return context.Segment(batch, index);
        }
        catch (Exception e) when (e is not FunnelSnapshotException && IsUnreadable(e))
        {
            throw Corrupt(path, $"record batch {index} does not hold a valid segment: {e.Message}", e);
        }
    }

    /// <summary>The owners, from the first batch's dictionary, after checking its other dictionaries are the format's and the pipeline's.</summary>
    private static async Task<OwnerId[]> ReadOwnersAsync(string path, ArrowFileReader reader, PipelineDefinition pipeline, CancellationToken cancellationToken)
    {
        using var batch = await ReadBatchAsync(path, reader, 0, cancellationToken).ConfigureAwait(false);
        try
        {
            return Dictionaries(path, batch, pipeline);
        }
        catch (Exception e) when (e is not FunnelSnapshotException && IsUnreadable(e))
        {
            throw Corrupt(path, $"the dictionaries of record batch 0 cannot be read: {e.Message}", e);
        }
    }

    /// <summary>The owners named by the file, after checking the kinds', statuses' and stages' dictionaries are the format's and the pipeline's.</summary>
    private static OwnerId[] Dictionaries(string path, RecordBatch batch, PipelineDefinition pipeline)
    {
        var events = (StructArray)((ListArray)batch.Column(SnapshotFormat.EventsColumn)).Values;
        Expect(path, (StringArray)((DictionaryArray)events.Fields[SnapshotFormat.EventKindField]).Dictionary, SnapshotFormat.KindNames, "event kinds");
        Expect(path, (StringArray)((DictionaryArray)events.Fields[SnapshotFormat.EventStatus]).Dictionary, SnapshotFormat.StatusNames, "statuses");
        Expect(path, (StringArray)((DictionaryArray)events.Fields[SnapshotFormat.EventStage]).Dictionary, [.. pipeline.Stages.Select(s => s.Key.Value)], "stages");
        var owners = (StringArray)((DictionaryArray)batch.Column(SnapshotFormat.OwnerColumn)).Dictionary;
        if (owners.Length > FunnelLogBuilder.MaxOwners)
        {
            throw Corrupt(path, $"it names {owners.Length:N0} owners; a log holds at most {FunnelLogBuilder.MaxOwners:N0}");
        }

        var ids = new OwnerId[owners.Length];
        for (var o = 0; o < ids.Length; o++)
        {
            ids[o] = new OwnerId(owners.GetString(o));
            if (o > 0 && ids[o - 1].CompareTo(ids[o]) >= 0)
            {
                throw Corrupt(path, $"its owners are not in id order ('{ids[o - 1]}' before '{ids[o]}')");
            }
        }

        var eventOwners = ((DictionaryArray)events.Fields[SnapshotFormat.EventOwner]).Dictionary;
        if (eventOwners.Length != owners.Length)
        {
            throw Corrupt(path, $"its client owners name {owners.Length} owners and its event owners {eventOwners.Length}");
        }

        return ids;
    }

    private static void Expect(string path, StringArray dictionary, string[] expected, string what)
    {
        var same = dictionary.Length == expected.Length;
        for (var i = 0; same && i < expected.Length; i++)
        {
            same = dictionary.GetString(i) == expected[i];
        }

        if (!same)
        {
            var actual = Enumerable.Range(0, dictionary.Length).Select(i => dictionary.GetString(i));
            throw Corrupt(path, $"its {what} are [{string.Join(", ", actual)}], not [{string.Join(", ", expected)}]");
        }
    }

    /// <summary>Whether an exception comes from reading a damaged file (not a cancellation or a fault of the process).</summary>
    private static bool IsUnreadable(Exception e) =>
        e is IOException or InvalidDataException or ArgumentException or InvalidOperationException or IndexOutOfRangeException
            or OverflowException or FormatException or NotSupportedException or InvalidCastException or NullReferenceException;

    private static FunnelSnapshotException Corrupt(string path, string what, Exception? inner = null) =>
        new(path, FunnelSnapshotProblem.Corrupt, $"Snapshot file '{path}' is corrupt: {what}.", inner);

    /// <summary>Checks the columns are the format's: names and types, the value column decimal or text.</summary>
    private static void CheckColumns(string path, Schema schema)
    {
        var valueType = schema.FieldsList.Count > SnapshotFormat.ValueColumn ? schema.FieldsList[SnapshotFormat.ValueColumn].DataType : StringType.Default;
        if (valueType is not (Decimal128Type or StringType))
        {
            throw Corrupt(path, $"its value column is {valueType.Name}, not decimal128 or utf8");
        }

        var expected = SnapshotFormat.Schema(valueType, []);
        if (!SameFields(expected.FieldsList, schema.FieldsList))
        {
            throw Corrupt(path, $"its columns ({Describe(schema.FieldsList)}) are not those of format version {SnapshotFormat.Version} ({Describe(expected.FieldsList)})");
        }
    }

    private static bool SameFields(IReadOnlyList<Field> expected, IReadOnlyList<Field> actual)
    {
        if (expected.Count != actual.Count)
        {
            return false;
        }

        for (var i = 0; i < expected.Count; i++)
        {
            if (expected[i].Name != actual[i].Name || !SameType(expected[i].DataType, actual[i].DataType))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameType(IArrowType expected, IArrowType actual) => (expected, actual) switch
    {
        (DictionaryType e, DictionaryType a) => e.IndexType.TypeId == a.IndexType.TypeId && SameType(e.ValueType, a.ValueType),
        (NestedType e, NestedType a) => e.TypeId == a.TypeId && SameFields(e.Fields, a.Fields),
        (TimestampType e, TimestampType a) => e.Unit == a.Unit && e.Timezone == a.Timezone,
        (Decimal128Type e, Decimal128Type a) => e.Precision == a.Precision,
        _ => expected.TypeId == actual.TypeId,
    };

    private static string Describe(IReadOnlyList<Field> fields) => string.Join(", ", fields.Select(f => $"{f.Name}: {f.DataType.Name}"));

    /// <summary>The header: the schema's metadata, checked against the caller's pipeline.</summary>
    private sealed record Header(long Position, int Clients, int Events, int Updates, int Owners, int Segments)
    {
        public static Header Parse(string path, Schema schema, PipelineDefinition pipeline)
        {
            var metadata = schema.Metadata ?? new Dictionary<string, string>();
            if (!metadata.TryGetValue(SnapshotFormat.FormatKey, out var format))
            {
                throw new FunnelSnapshotException(path, FunnelSnapshotProblem.Foreign, $"Snapshot file '{path}' is an Arrow file but not a FunnelMetrics snapshot: its schema has no '{SnapshotFormat.FormatKey}' metadata.");
            }

            if (format != SnapshotFormat.Version.ToString(CultureInfo.InvariantCulture))
            {
                throw new FunnelSnapshotException(path, FunnelSnapshotProblem.UnsupportedVersion, $"Snapshot file '{path}' has format version '{format}'; this reader reads version {SnapshotFormat.Version} only.");
            }

            var id = Text(path, metadata, SnapshotFormat.PipelineIdKey);
            if (id != pipeline.Id.Value)
            {
                throw new FunnelSnapshotException(path, FunnelSnapshotProblem.Foreign, $"Snapshot file '{path}' holds pipeline '{id}', not '{pipeline.Id}'.");
            }

            var hash = Text(path, metadata, SnapshotFormat.PipelineHashKey);
            var expected = SnapshotFormat.PipelineHash(pipeline);
            if (hash != expected)
            {
                throw new FunnelSnapshotException(path, FunnelSnapshotProblem.Foreign, $"Snapshot file '{path}' was written for another definition of pipeline '{pipeline.Id}' (definition hash {hash}, now {expected}): its stages, their keys, their order or the won stage changed since.");
            }

            var position = Number(path, metadata, SnapshotFormat.PositionKey);
            return new Header(
                position,
                (int)Number(path, metadata, SnapshotFormat.ClientsKey, int.MaxValue),
                (int)Number(path, metadata, SnapshotFormat.EventsKey, int.MaxValue),
                (int)Number(path, metadata, SnapshotFormat.UpdatesKey, int.MaxValue),
                (int)Number(path, metadata, SnapshotFormat.OwnersKey, int.MaxValue),
                (int)Number(path, metadata, SnapshotFormat.SegmentsKey, int.MaxValue));
        }

        private static string Text(string path, IReadOnlyDictionary<string, string> metadata, string key) =>
            metadata.TryGetValue(key, out var value) ? value : throw Corrupt(path, $"its header has no '{key}'");

        private static long Number(string path, IReadOnlyDictionary<string, string> metadata, string key, long max = long.MaxValue) =>
            long.TryParse(Text(path, metadata, key), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= max
                ? n
                : throw Corrupt(path, $"its header's '{key}' is '{metadata[key]}', not a count from 0 to {max}");
    }

    /// <summary>The state of one read: the dictionaries seen in the first batch, the last client id, the totals.</summary>
    private sealed class Context(string path, PipelineDefinition pipeline, OwnerId[] owners)
    {
        private readonly StringPool _strings = new();
        private readonly Dictionary<string, string> _attributes = new(StringComparer.Ordinal);

        private OwnerId[] Owners => owners;

        public LogSegment Segment(RecordBatch batch, int index)
        {
            var n = batch.Length;
            if (n == 0)
            {
                throw Corrupt(path, $"record batch {index} has no client");
            }

            var ids = (StringArray)batch.Column(SnapshotFormat.ClientIdColumn);
            var createdAt = ((TimestampArray)batch.Column(SnapshotFormat.CreatedAtColumn)).Values;
            var owner = (DictionaryArray)batch.Column(SnapshotFormat.OwnerColumn);
            var values = batch.Column(SnapshotFormat.ValueColumn);
            var dates = (Date32Array)batch.Column(SnapshotFormat.ExpectedCloseDateColumn);
            var attributes = (MapArray)batch.Column(SnapshotFormat.AttributesColumn);
            var events = (ListArray)batch.Column(SnapshotFormat.EventsColumn);
            var updates = (ListArray)batch.Column(SnapshotFormat.UpdatesColumn);
            NotNull(index, ids, owner, attributes, events, updates, batch.Column(SnapshotFormat.CreatedAtColumn));

            var initialOwners = Indexes(owner, index, "client owner", Owners.Length);
            var clients = new Client[n];
            ClientId? previous = null;
            for (var k = 0; k < n; k++)
            {
                var id = new ClientId(ids.GetString(k));
                if (previous is { } last && last.CompareTo(id) >= 0)
                {
                    throw Corrupt(path, $"client '{id}' of record batch {index} does not come after '{last}': the clients must be in id order");
                }

                previous = id;
                clients[k] = new Client(id, pipeline.Id, Owners[initialOwners[k]], Instant(createdAt[k]), Value(values, k), Attributes(attributes, k), Date(dates, k));
            }

            var (start, ticks, kinds, stages, statuses, eventOwners) = EventColumns(events, index);
            var firstEntry = new long[n];
            for (var k = 0; k < n; k++)
            {
                firstEntry[k] = long.MaxValue;
                for (var i = start[k]; i < start[k + 1]; i++)
                {
                    if (kinds[i] == EventKind.Entered)
                    {
                        firstEntry[k] = ticks[i];
                        break;
                    }
                }
            }

            var (updateStart, updateTicks, updateClients) = UpdateColumns(updates, clients, index);
            var updatedEvents = MemoryMarshal.AsBytes(kinds.AsSpan()).Count((byte)EventKind.Updated);
            var kindStatus = new byte[kinds.Length];
            for (var i = 0; i < kindStatus.Length; i++)
            {
                kindStatus[i] = LogSegment.Pack(kinds[i], statuses[i]);
            }

            if (updatedEvents != updateTicks.Length)
            {
                throw Corrupt(path, $"record batch {index} has {updatedEvents} client-update events but {updateTicks.Length} updates");
            }

            return new LogSegment(clients, start, ticks, kindStatus, stages, eventOwners, initialOwners, firstEntry, updateStart, updateTicks, updateClients);
        }

        private (int[] Start, long[] Ticks, EventKind[] Kinds, short[] Stages, ClientStatus[] Statuses, ushort[] Owners) EventColumns(ListArray events, int index)
        {
            var items = (StructArray)events.Values;
            var count = items.Length;
            var start = Offsets(events, count, index, "events");
            var fields = items.Fields;
            NotNull(index, items, fields[SnapshotFormat.EventOccurredAt], fields[SnapshotFormat.EventKindField], fields[SnapshotFormat.EventStatus], fields[SnapshotFormat.EventOwner]);

            var ticks = Ticks(((TimestampArray)fields[SnapshotFormat.EventOccurredAt]).Values);
            var kinds = new EventKind[count];
            var kindIndexes = ((Int8Array)((DictionaryArray)fields[SnapshotFormat.EventKindField]).Indices).Values;
            MemoryMarshal.Cast<sbyte, EventKind>(kindIndexes).CopyTo(kinds);
            InRange(MemoryMarshal.AsBytes(kinds.AsSpan()), (byte)(SnapshotFormat.KindNames.Length - 1), index, "event kind");

            var statuses = new ClientStatus[count];
            var statusIndexes = ((Int8Array)((DictionaryArray)fields[SnapshotFormat.EventStatus]).Indices).Values;
            MemoryMarshal.Cast<sbyte, ClientStatus>(statusIndexes).CopyTo(statuses);
            InRange(MemoryMarshal.AsBytes(statuses.AsSpan()), (byte)(SnapshotFormat.StatusNames.Length - 1), index, "event status");

            var stageArray = (DictionaryArray)fields[SnapshotFormat.EventStage];
            var stages = ((Int16Array)stageArray.Indices).Values.ToArray();
            if (stageArray.Indices.NullCount > 0)
            {
                var indices = stageArray.Indices;
                for (var i = 0; i < count; i++)
                {
                    if (indices.IsNull(i))
                    {
                        stages[i] = FunnelEventLog.NoStage;
                    }
                }
            }

            if (stages.AsSpan().IndexOfAnyExceptInRange(FunnelEventLog.NoStage, (short)(pipeline.Stages.Count - 1)) is var badStage and >= 0)
            {
                throw Corrupt(path, $"event {badStage} of record batch {index} has stage index {stages[badStage]}; the pipeline has {pipeline.Stages.Count} stages");
            }

            var owners = Indexes((DictionaryArray)fields[SnapshotFormat.EventOwner], index, "event owner", Owners.Length);
            return (start, ticks, kinds, stages, statuses, owners);
        }

        private (int[]? Start, long[] Ticks, Client[] After) UpdateColumns(ListArray updates, Client[] clients, int index)
        {
            var items = (StructArray)updates.Values;
            var count = items.Length;
            var start = Offsets(updates, count, index, "updates");
            if (count == 0)
            {
                return (null, [], []);
            }

            var fields = items.Fields;
            NotNull(index, items, fields[SnapshotFormat.UpdateOccurredAt], fields[SnapshotFormat.UpdateAttributes]);
            var ticks = Ticks(((TimestampArray)fields[SnapshotFormat.UpdateOccurredAt]).Values);
            var values = fields[SnapshotFormat.UpdateValue];
            var dates = (Date32Array)fields[SnapshotFormat.UpdateExpectedCloseDate];
            var attributes = (MapArray)fields[SnapshotFormat.UpdateAttributes];
            var after = new Client[count];
            for (var k = 0; k < clients.Length; k++)
            {
                var previous = clients[k];
                for (var u = start[k]; u < start[k + 1]; u++)
                {
                    previous = after[u] = Restore(previous, clients[k], ticks[u], Value(values, u), Date(dates, u), Attributes(attributes, u));
                }
            }

            return (start, ticks, after);
        }

        /// <summary>
        /// The client as of just after an update, made as the log made it: the previous version with the update's
        /// changes applied (<see cref="Client.Apply"/>), the changes being what differs between the two versions.
        /// </summary>
        private static Client Restore(Client previous, Client record, long ticks, decimal? value, DateOnly? date, Dictionary<string, string>? attributes)
        {
            Dictionary<string, string?>? changes = null;
            if (attributes is not null)
            {
                foreach (var (key, v) in attributes)
                {
                    if (!previous.Attributes.TryGetValue(key, out var old) || !string.Equals(old, v, StringComparison.Ordinal))
                    {
                        (changes ??= new(StringComparer.Ordinal))[key] = v;
                    }
                }
            }

            foreach (var key in previous.Attributes.Keys)
            {
                if (attributes is null || !attributes.ContainsKey(key))
                {
                    (changes ??= new(StringComparer.Ordinal))[key] = null;
                }
            }

            var (setsValue, setsDate) = (previous.Value != value, previous.ExpectedCloseDate != date);
            if (!setsValue && !setsDate && changes is null)
            {
                return previous;
            }

            var at = Instant(ticks);
            return previous.Apply(new ClientUpdate(RestoredUpdate, record.Id, record.PipelineId, 1, at, at, record.Owner, setsValue, setsValue ? value : null, setsDate, setsDate ? date : null, changes));
        }

        private int[] Offsets(ListArray list, int count, int index, string what)
        {
            var offsets = list.ValueOffsets;
            if (offsets.Length != list.Length + 1 || offsets[0] != 0 || offsets[^1] != count)
            {
                throw Corrupt(path, $"the {what} offsets of record batch {index} do not span its {count} {what}");
            }

            var start = offsets.ToArray();
            for (var k = 0; k < list.Length; k++)
            {
                if (start[k + 1] < start[k])
                {
                    throw Corrupt(path, $"the {what} offsets of record batch {index} decrease at client {k}");
                }
            }

            return start;
        }

        private ushort[] Indexes(DictionaryArray array, int index, string what, int count)
        {
            var indexes = ((Int32Array)array.Indices).Values;
            if (indexes.IndexOfAnyExceptInRange(0, count - 1) is var bad and >= 0)
            {
                throw Corrupt(path, $"{what} {bad} of record batch {index} is owner index {indexes[bad]}; the file names {count} owners");
            }

            // The owners are at most FunnelLogBuilder.MaxOwners (checked with the dictionary): every index fits two bytes.
            var narrowed = new ushort[indexes.Length];
            for (var i = 0; i < narrowed.Length; i++)
            {
                narrowed[i] = (ushort)indexes[i];
            }

            return narrowed;
        }

        private void InRange(ReadOnlySpan<byte> values, byte max, int index, string what)
        {
            if (values.IndexOfAnyExceptInRange((byte)0, max) is var bad and >= 0)
            {
                throw Corrupt(path, $"{what} {bad} of record batch {index} is {values[bad]}, beyond the format's {max + 1}");
            }
        }

        private void NotNull(int index, params ReadOnlySpan<IArrowArray> arrays)
        {
            foreach (var array in arrays)
            {
                if (array.NullCount > 0)
                {
                    throw Corrupt(path, $"record batch {index} has nulls in a column that has none");
                }
            }
        }

        private static long[] Ticks(ReadOnlySpan<long> nanoseconds)
        {
            var ticks = new long[nanoseconds.Length];
            for (var i = 0; i < ticks.Length; i++)
            {
                ticks[i] = (nanoseconds[i] / 100) + SnapshotFormat.UnixEpochTicks;
            }

            return ticks;
        }

        private static DateTimeOffset Instant(long nanoseconds) => new((nanoseconds / 100) + SnapshotFormat.UnixEpochTicks, TimeSpan.Zero);

        private static decimal? Value(IArrowArray values, int i) => values switch
        {
            _ when values.IsNull(i) => null,
            Decimal128Array d => d.GetValue(i),
            StringArray s => decimal.Parse(s.GetString(i), NumberStyles.Number, CultureInfo.InvariantCulture),
            _ => throw new InvalidDataException($"The value column is {values.Data.DataType.Name}."),
        };

        private static DateOnly? Date(Date32Array dates, int i) =>
            dates.IsNull(i) ? null : DateOnly.FromDayNumber(dates.Values[i] + SnapshotFormat.UnixEpochDay);

        private Dictionary<string, string>? Attributes(MapArray map, int i)
        {
            var offsets = map.ValueOffsets;
            var (from, to) = (offsets[i], offsets[i + 1]);
            if (from == to)
            {
                return null;
            }

            // One dictionary, reused: the client (and Client.Apply) copy what they are given.
            var keys = (StringArray)map.Keys;
            var values = (StringArray)map.Values;
            var result = _attributes;
            result.Clear();
            for (var j = from; j < to; j++)
            {
                result.Add(_strings.Get(keys.GetBytes(j)), _strings.Get(values.GetBytes(j)));
            }

            return result;
        }
    }

    /// <summary>
    /// Attribute keys and values decoded once per distinct text (a source or region repeats over many clients): a small
    /// cache keyed by a hash of the UTF-8 bytes, each slot holding the last text that hashed there; a text up to 256
    /// bytes that is found again is shared, not decoded and made again.
    /// </summary>
    private sealed class StringPool
    {
        private const int Slots = 4096;
        private const int MaxBytes = 256;
        private readonly byte[]?[] _bytes = new byte[Slots][];
        private readonly string[] _texts = new string[Slots];

        public string Get(ReadOnlySpan<byte> utf8)
        {
            if (utf8.Length > MaxBytes)
            {
                return Encoding.UTF8.GetString(utf8);
            }

            var hash = default(HashCode);
            hash.AddBytes(utf8);
            var slot = hash.ToHashCode() & (Slots - 1);
            if (_bytes[slot] is { } known && utf8.SequenceEqual(known))
            {
                return _texts[slot];
            }

            var text = Encoding.UTF8.GetString(utf8);
            (_bytes[slot], _texts[slot]) = (utf8.ToArray(), text);
            return text;
        }
    }
}
