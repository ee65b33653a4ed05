using System.Globalization;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Arrow;

/// <summary>Writes a log to a snapshot file: one record batch per segment, into a temporary file renamed over the target.</summary>
internal static class SnapshotWriter
{
    public static async Task WriteAsync(string path, FunnelEventLog log, long position, CancellationToken cancellationToken)
    {
        var full = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(full) ?? throw new ArgumentException($"The snapshot path '{path}' has no directory.", nameof(path));
        var scale = ValueScale(log);
        var valueType = SnapshotFormat.ValueType(scale);
        var schema = SnapshotFormat.Schema(valueType, Header(log, position));
        var dictionaries = new Dictionaries(log);
        var updateType = SnapshotFormat.UpdateType(valueType);

        // The temporary file is in the target's directory, so the rename is atomic (same file system); a reader sees
        // the old file or the new one, never a part. A failed or cancelled write leaves the target as it was.
        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                using (var writer = new ArrowFileWriter(stream, schema, leaveOpen: true))
                {
                    // The start (magic and schema) explicitly: a log without clients has no batch to write it with.
                    await writer.WriteStartAsync(cancellationToken).ConfigureAwait(false);
                    foreach (var segment in log.Segments)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        using var batch = Batch(schema, segment, log, dictionaries, valueType, updateType);
                        await writer.WriteRecordBatchAsync(batch, cancellationToken).ConfigureAwait(false);
                    }

                    await writer.WriteEndAsync(cancellationToken).ConfigureAwait(false);
                }

                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static KeyValuePair<string, string>[] Header(FunnelEventLog log, long position) =>
    [
        new(SnapshotFormat.FormatKey, SnapshotFormat.Version.ToString(CultureInfo.InvariantCulture)),
        new(SnapshotFormat.WriterKey, "FunnelMetrics.Arrow " + (typeof(SnapshotWriter).Assembly.GetName().Version?.ToString(3) ?? "?")),
        new(SnapshotFormat.PipelineIdKey, log.Pipeline.Id.Value),
        new(SnapshotFormat.PipelineHashKey, SnapshotFormat.PipelineHash(log.Pipeline)),
        new(SnapshotFormat.PositionKey, position.ToString(CultureInfo.InvariantCulture)),
        new(SnapshotFormat.ClientsKey, log.ClientCount.ToString(CultureInfo.InvariantCulture)),
        new(SnapshotFormat.EventsKey, log.EventCount.ToString(CultureInfo.InvariantCulture)),
        new(SnapshotFormat.UpdatesKey, log.UpdateCount.ToString(CultureInfo.InvariantCulture)),
        new(SnapshotFormat.OwnersKey, log.OwnerCount.ToString(CultureInfo.InvariantCulture)),
        new(SnapshotFormat.SegmentsKey, log.Segments.Count.ToString(CultureInfo.InvariantCulture)),
    ];

    private static RecordBatch Batch(Schema schema, LogSegment segment, FunnelEventLog log, Dictionaries dictionaries, IArrowType valueType, StructType updateType)
    {
        var n = segment.ClientCount;
        var clients = segment.Clients;
        var ids = new StringArray.Builder();
        var createdAt = new long[n];
        var values = new ValueColumn(valueType, n);
        var dates = new DateColumn(n);
        var attributes = new AttributesColumn(n);
        foreach (var client in clients)
        {
            ids.Append(client.Id.Value);
            values.Append(client.Value);
            dates.Append(client.ExpectedCloseDate);
            attributes.Append(client.Attributes);
        }

        for (var k = 0; k < n; k++)
        {
            createdAt[k] = Nanoseconds(clients[k].CreatedAt.UtcTicks, clients[k], "its creation");
        }

        var owners = new DictionaryArray(SnapshotFormat.OwnerType, Int32(segment.InitialOwners), dictionaries.Owners);
        var events = new ListArray(SnapshotFormat.EventListType, n, Buffer<int>(segment.Start), Events(segment, dictionaries), ArrowBuffer.Empty, 0, 0);
        var updates = Updates(segment, valueType, updateType);
        return new RecordBatch(
            schema,
            [ids.Build(), new TimestampArray(SnapshotFormat.Timestamp, Buffer<long>(createdAt), ArrowBuffer.Empty, n, 0, 0), owners, values.Build(), dates.Build(), attributes.Build(), events, updates],
            n);
    }

    private static StructArray Events(LogSegment segment, Dictionaries dictionaries)
    {
        var count = segment.EventCount;
        var start = segment.Start;
        var sequence = new int[count];
        var occurredAt = new long[count];
        var stages = new short[count];
        var stageValid = new Bitmap(count);
        var (kinds, statuses, owners) = (new byte[count], new byte[count], new int[count]);
        for (var k = 0; k < segment.ClientCount; k++)
        {
            for (var i = start[k]; i < start[k + 1]; i++)
            {
                sequence[i] = i - start[k] + 1;
                var ticks = segment.Ticks[i];
                if (ticks is < SnapshotFormat.MinTicks or > SnapshotFormat.MaxTicks)
                {
                    throw OutOfRange(segment.Clients[k], $"event {i - start[k] + 1}", ticks);
                }

                occurredAt[i] = (ticks - SnapshotFormat.UnixEpochTicks) * 100;
                var packed = segment.KindStatus[i];
                (kinds[i], statuses[i], owners[i]) = ((byte)LogSegment.KindOf(packed), (byte)LogSegment.StatusOf(packed), segment.Owners[i]);
                var stage = segment.Stages[i];
                if (stage >= 0)
                {
                    stages[i] = stage;
                    stageValid.Set(i);
                }
            }
        }

        IArrowArray[] fields =
        [
            new Int32Array(Buffer<int>(sequence), ArrowBuffer.Empty, count, 0, 0),
            new TimestampArray(SnapshotFormat.Timestamp, Buffer<long>(occurredAt), ArrowBuffer.Empty, count, 0, 0),
            new DictionaryArray(SnapshotFormat.KindType, new Int8Array(Buffer(kinds), ArrowBuffer.Empty, count, 0, 0), dictionaries.Kinds),
            new DictionaryArray(SnapshotFormat.StageType, new Int16Array(Buffer<short>(stages), stageValid.Buffer(out var stageNulls), count, stageNulls, 0), dictionaries.Stages),
            new DictionaryArray(SnapshotFormat.StatusType, new Int8Array(Buffer(statuses), ArrowBuffer.Empty, count, 0, 0), dictionaries.Statuses),
            new DictionaryArray(SnapshotFormat.OwnerType, new Int32Array(Buffer<int>(owners), ArrowBuffer.Empty, count, 0, 0), dictionaries.Owners),
        ];
        return new StructArray(SnapshotFormat.EventType, count, fields, ArrowBuffer.Empty, 0, 0);
    }

    private static ListArray Updates(LogSegment segment, IArrowType valueType, StructType updateType)
    {
        var n = segment.ClientCount;
        var count = segment.UpdateTicks.Length;
        var offsets = segment.UpdateStart ?? new int[n + 1];
        var occurredAt = new long[count];
        var values = new ValueColumn(valueType, count);
        var dates = new DateColumn(count);
        var attributes = new AttributesColumn(count);
        for (var k = 0; k < n; k++)
        {
            for (var u = offsets[k]; u < offsets[k + 1]; u++)
            {
                var after = segment.UpdateClients[u];
                occurredAt[u] = Nanoseconds(segment.UpdateTicks[u], after, $"update {u - offsets[k] + 1}");
                values.Append(after.Value);
                dates.Append(after.ExpectedCloseDate);
                attributes.Append(after.Attributes);
            }
        }

        var items = new StructArray(
            updateType,
            count,
            [new TimestampArray(SnapshotFormat.Timestamp, Buffer<long>(occurredAt), ArrowBuffer.Empty, count, 0, 0), values.Build(), dates.Build(), attributes.Build()],
            ArrowBuffer.Empty,
            0,
            0);
        return new ListArray(new ListType(new Field("item", updateType, false)), n, Buffer<int>(offsets), items, ArrowBuffer.Empty, 0, 0);
    }

    /// <summary>
    /// The scale of the decimal value column: the largest scale of any value (client or update), when every value then
    /// fits in 28 digits (so it reads back exactly as a <see cref="decimal"/>); -1 (values as text) otherwise.
    /// </summary>
    private static int ValueScale(FunnelEventLog log)
    {
        var (scale, largest) = (0, 0m);
        foreach (var segment in log.Segments)
        {
            foreach (var client in segment.Clients)
            {
                Note(client.Value, ref scale, ref largest);
            }

            foreach (var client in segment.UpdateClients)
            {
                Note(client.Value, ref scale, ref largest);
            }
        }

        var bound = 1m;
        for (var d = 0; d < SnapshotFormat.MaxDecimalDigits - scale; d++)
        {
            bound *= 10;
        }

        return scale <= SnapshotFormat.MaxDecimalDigits && largest < bound ? scale : -1;

        static void Note(decimal? value, ref int scale, ref decimal largest)
        {
            if (value is { } v)
            {
                scale = Math.Max(scale, v.Scale);
                largest = Math.Max(largest, decimal.Truncate(v));
            }
        }
    }

    private static long Nanoseconds(long ticks, Client client, string what) =>
        ticks is < SnapshotFormat.MinTicks or > SnapshotFormat.MaxTicks
            ? throw OutOfRange(client, what, ticks)
            : (ticks - SnapshotFormat.UnixEpochTicks) * 100;

    private static ArgumentException OutOfRange(Client client, string what, long ticks) =>
        new($"Client '{client.Id}' cannot be written to a snapshot file: {what} is at {new DateTimeOffset(ticks, TimeSpan.Zero):O}, and the file's timestamps (Arrow timestamp[ns, UTC]) hold instants from 1677-09-21 to 2262-04-11 only.");

    private static Int32Array Int32(ushort[] values)
    {
        var widened = new int[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            widened[i] = values[i];
        }

        return new(Buffer<int>(widened), ArrowBuffer.Empty, values.Length, 0, 0);
    }

    private static ArrowBuffer Buffer<T>(ReadOnlySpan<T> values)
        where T : struct => Buffer(MemoryMarshal.AsBytes(values));

    private static ArrowBuffer Buffer(ReadOnlySpan<byte> bytes) => new(bytes.ToArray());

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary file is named so it never passes for a snapshot.
        }
        catch (UnauthorizedAccessException)
        {
            // Likewise.
        }
    }

    /// <summary>The dictionaries shared by every batch: the same arrays, so the file holds one of each.</summary>
    private sealed class Dictionaries(FunnelEventLog log)
    {
        public StringArray Kinds { get; } = SnapshotFormat.Dictionary(SnapshotFormat.KindNames);

        public StringArray Statuses { get; } = SnapshotFormat.Dictionary(SnapshotFormat.StatusNames);

        public StringArray Stages { get; } = SnapshotFormat.Dictionary(log.Pipeline.Stages.Select(s => s.Key.Value));

        public StringArray Owners { get; } = SnapshotFormat.Dictionary(log.Owners.Select(o => o.Value));
    }

    /// <summary>A validity bitmap (Arrow's: bit i of byte i / 8, least significant first).</summary>
    private readonly struct Bitmap
    {
        private readonly byte[] _bits;
        private readonly int _length;

        public Bitmap(int length) => (_bits, _length) = (new byte[(length + 7) / 8], length);

        public void Set(int i) => _bits[i >> 3] |= (byte)(1 << (i & 7));

        /// <summary>The bitmap and its null count; no buffer when nothing is null.</summary>
        public ArrowBuffer Buffer(out int nulls)
        {
            var valid = 0;
            foreach (var b in _bits)
            {
                valid += System.Numerics.BitOperations.PopCount(b);
            }

            nulls = _length - valid;
            return nulls == 0 ? ArrowBuffer.Empty : new ArrowBuffer(_bits);
        }
    }

    /// <summary>A nullable value column: decimal128 at the file's scale, or text.</summary>
    private sealed class ValueColumn(IArrowType type, int capacity)
    {
        private readonly Decimal128Array.Builder? _decimals = type is Decimal128Type d ? new Decimal128Array.Builder(d).Reserve(capacity) : null;
        private readonly StringArray.Builder? _texts = type is Decimal128Type ? null : new StringArray.Builder();

        public void Append(decimal? value)
        {
            if (_decimals is not null)
            {
                if (value is { } v)
                {
                    _decimals.Append(v);
                }
                else
                {
                    _decimals.AppendNull();
                }
            }
            else if (value is { } v)
            {
                _texts!.Append(v.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                _texts!.AppendNull();
            }
        }

        public IArrowArray Build() => _decimals is not null ? _decimals.Build() : _texts!.Build();
    }

    /// <summary>A nullable date32 column.</summary>
    private sealed class DateColumn(int capacity)
    {
        private readonly int[] _days = new int[capacity];
        private readonly Bitmap _valid = new(capacity);
        private int _count;

        public void Append(DateOnly? date)
        {
            if (date is { } d)
            {
                _days[_count] = d.DayNumber - SnapshotFormat.UnixEpochDay;
                _valid.Set(_count);
            }

            _count++;
        }

        public Date32Array Build() => new(Buffer<int>(_days), _valid.Buffer(out var nulls), _count, nulls, 0);
    }

    /// <summary>A map&lt;utf8, utf8&gt; column, each map's keys in ordinal order.</summary>
    private sealed class AttributesColumn(int capacity)
    {
        private readonly int[] _offsets = new int[capacity + 1];
        private readonly StringArray.Builder _keys = new();
        private readonly StringArray.Builder _values = new();
        private readonly List<string> _sorted = [];
        private int _count;
        private int _entries;

        public void Append(IReadOnlyDictionary<string, string> attributes)
        {
            if (attributes.Count == 1)
            {
                foreach (var (key, value) in attributes)
                {
                    _keys.Append(key);
                    _values.Append(value);
                }
            }
            else if (attributes.Count > 1)
            {
                _sorted.Clear();
                _sorted.AddRange(attributes.Keys);
                _sorted.Sort(StringComparer.Ordinal);
                foreach (var key in _sorted)
                {
                    _keys.Append(key);
                    _values.Append(attributes[key]);
                }
            }

            _entries += attributes.Count;
            _offsets[++_count] = _entries;
        }

        public MapArray Build()
        {
            var entries = new StructArray(SnapshotFormat.AttributesType.KeyValueType, _entries, [_keys.Build(), _values.Build()], ArrowBuffer.Empty, 0, 0);
            return new MapArray(SnapshotFormat.AttributesType, _count, Buffer<int>(_offsets), entries, ArrowBuffer.Empty, 0, 0);
        }
    }
}
