using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Arrow;

/// <summary>
/// The layout of a snapshot file (docs/snapshots.md): one row per client, the client's events and updates as nested
/// lists, one record batch per segment of the log, and the header in the schema's metadata. The one place that names
/// the columns, their types and the metadata keys.
/// </summary>
internal static class SnapshotFormat
{
    /// <summary>The format version this code writes and reads.</summary>
    public const int Version = 1;

    public const string FormatKey = "funnelmetrics.snapshot.format";
    public const string WriterKey = "funnelmetrics.snapshot.writer";
    public const string PipelineIdKey = "funnelmetrics.pipeline.id";
    public const string PipelineHashKey = "funnelmetrics.pipeline.hash";
    public const string PositionKey = "funnelmetrics.position";
    public const string ClientsKey = "funnelmetrics.clients";
    public const string EventsKey = "funnelmetrics.events";
    public const string UpdatesKey = "funnelmetrics.updates";
    public const string OwnersKey = "funnelmetrics.owners";
    public const string SegmentsKey = "funnelmetrics.segments";

    // The client columns, in order.
    public const int ClientIdColumn = 0;
    public const int CreatedAtColumn = 1;
    public const int OwnerColumn = 2;
    public const int ValueColumn = 3;
    public const int ExpectedCloseDateColumn = 4;
    public const int AttributesColumn = 5;
    public const int EventsColumn = 6;
    public const int UpdatesColumn = 7;

    // The event struct's fields, in order.
    public const int EventSequence = 0;
    public const int EventOccurredAt = 1;
    public const int EventKindField = 2;
    public const int EventStage = 3;
    public const int EventStatus = 4;
    public const int EventOwner = 5;

    // The update struct's fields, in order.
    public const int UpdateOccurredAt = 0;
    public const int UpdateValue = 1;
    public const int UpdateExpectedCloseDate = 2;
    public const int UpdateAttributes = 3;

    /// <summary>The largest scale of the decimal value column; above it (or when a value would not fit) values are written as text.</summary>
    public const int MaxDecimalDigits = 28;

    /// <summary>The ticks of 1970-01-01 UTC, where Arrow timestamps count from.</summary>
    public const long UnixEpochTicks = 621_355_968_000_000_000;

    /// <summary>The day number (<see cref="DateOnly.DayNumber"/>) of 1970-01-01, where Arrow's date32 counts from.</summary>
    public const int UnixEpochDay = 719_162;

    /// <summary>The earliest instant a timestamp[ns] holds (1677-09-21), in ticks.</summary>
    public const long MinTicks = UnixEpochTicks + (long.MinValue / 100);

    /// <summary>The latest instant a timestamp[ns] holds (2262-04-11), in ticks.</summary>
    public const long MaxTicks = UnixEpochTicks + (long.MaxValue / 100);

    public static readonly TimestampType Timestamp = new(TimeUnit.Nanosecond, "UTC");

    /// <summary>The event kinds' names, by the value of <see cref="EventKind"/>: the dictionary of the kind column.</summary>
    public static readonly string[] KindNames = Names<EventKind>();

    /// <summary>The statuses' names, by the value of <see cref="ClientStatus"/>: the dictionary of the status column.</summary>
    public static readonly string[] StatusNames = Names<ClientStatus>();

    public static readonly DictionaryType KindType = new(Int8Type.Default, StringType.Default, false);
    public static readonly DictionaryType StatusType = new(Int8Type.Default, StringType.Default, false);
    public static readonly DictionaryType StageType = new(Int16Type.Default, StringType.Default, false);
    public static readonly DictionaryType OwnerType = new(Int32Type.Default, StringType.Default, false);
    public static readonly MapType AttributesType = new(new Field("key", StringType.Default, false), new Field("value", StringType.Default, false), keySorted: false);

    public static readonly StructType EventType = new(
    [
        new Field("sequence", Int32Type.Default, false),
        new Field("occurred_at", Timestamp, false),
        new Field("kind", KindType, false),
        new Field("stage", StageType, true),
        new Field("status", StatusType, false),
        new Field("owner", OwnerType, false),
    ]);

    public static readonly ListType EventListType = new(new Field("item", EventType, false));

    /// <summary>The value column's type: decimal128(38, scale), or text when <paramref name="scale"/> is negative.</summary>
    public static IArrowType ValueType(int scale) => scale >= 0 ? new Decimal128Type(38, scale) : StringType.Default;

    public static StructType UpdateType(IArrowType valueType) => new(
    [
        new Field("occurred_at", Timestamp, false),
        new Field("value", valueType, true),
        new Field("expected_close_date", Date32Type.Default, true),
        new Field("attributes", AttributesType, false),
    ]);

    /// <summary>The schema of a snapshot, with its header.</summary>
    public static Schema Schema(IArrowType valueType, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var builder = new Schema.Builder()
            .Field(new Field("client_id", StringType.Default, false))
            .Field(new Field("created_at", Timestamp, false))
            .Field(new Field("owner", OwnerType, false))
            .Field(new Field("value", valueType, true))
            .Field(new Field("expected_close_date", Date32Type.Default, true))
            .Field(new Field("attributes", AttributesType, false))
            .Field(new Field("events", EventListType, false))
            .Field(new Field("updates", new ListType(new Field("item", UpdateType(valueType), false)), false));
        foreach (var (key, value) in metadata)
        {
            builder.Metadata(key, value);
        }

        return builder.Build();
    }

    /// <summary>
    /// The hash of what a log's columns depend on in a pipeline's definition: its id, its stages' keys in order and the
    /// won stage ("sha256:" and 64 hex digits). Display names, thresholds and probabilities do not change a log.
    /// </summary>
    public static string PipelineHash(PipelineDefinition pipeline)
    {
        var text = new StringBuilder("funnelmetrics.pipeline/1\n");
        Line(text, pipeline.Id.Value);
        text.Append(pipeline.Stages.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var stage in pipeline.Stages)
        {
            Line(text, stage.Key.Value);
        }

        text.Append("won:").Append(pipeline.WonStageIndex.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));

        static void Line(StringBuilder text, string value) =>
            text.Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value).Append('\n');
    }

    /// <summary>A dictionary of names.</summary>
    public static StringArray Dictionary(IEnumerable<string> names)
    {
        var builder = new StringArray.Builder();
        foreach (var name in names)
        {
            builder.Append(name);
        }

        return builder.Build();
    }

    /// <summary>An enum's names by value; its values must run 0, 1, 2... (they are dictionary indexes).</summary>
    private static string[] Names<T>()
        where T : struct, Enum
    {
        var values = Enum.GetValues<T>();
        var names = new string[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var value = Convert.ToInt32(values[i], CultureInfo.InvariantCulture);
            if (value != i)
            {
                throw new InvalidOperationException($"{typeof(T).Name} values must run 0, 1, 2...; {values[i]} is {value}.");
            }

            names[i] = values[i].ToString();
        }

        return names;
    }
}
