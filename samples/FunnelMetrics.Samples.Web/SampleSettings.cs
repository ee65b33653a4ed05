using Npgsql;

namespace FunnelMetrics.Samples.Web;

/// <summary>Where the sample keeps its history.</summary>
internal enum SampleStorage
{
    /// <summary>A SQLite file (the default).</summary>
    Sqlite,

    /// <summary>A PostgreSQL database, named by <c>ConnectionStrings:Postgres</c>.</summary>
    Postgres,
}

/// <summary>Which clock the sample reads.</summary>
internal enum SampleClockKind
{
    /// <summary>The demo's calendar: "now" starts at the end of the generated history's last working day and runs at real speed.</summary>
    Demo,

    /// <summary>The machine's clock.</summary>
    System,
}

/// <summary>Where the OpenTelemetry metrics go.</summary>
internal enum TelemetryExporter
{
    /// <summary>Nowhere (the default): no OpenTelemetry SDK is started.</summary>
    None,

    /// <summary>Standard output, every <see cref="SampleSettings.TelemetryInterval"/>.</summary>
    Console,

    /// <summary>An OpenTelemetry collector over OTLP (the endpoint from <c>Sample:Telemetry:OtlpEndpoint</c> or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>).</summary>
    Otlp,
}

/// <summary>
/// The sample's own configuration (section <c>Sample</c>, plus <c>ConnectionStrings:Postgres</c>), read and checked once
/// at start: a bad value is a <see cref="SampleConfigurationException"/> naming the setting, printed as one line.
/// </summary>
internal sealed record SampleSettings
{
    /// <summary>The configuration key of the SQLite file.</summary>
    public const string DatabaseKey = "Sample:Database";

    /// <summary>The configuration key of the PostgreSQL connection string.</summary>
    public const string PostgresKey = "ConnectionStrings:Postgres";

    /// <summary>The configuration key of the clock.</summary>
    public const string ClockKey = "Sample:Clock";

    /// <summary>The configuration key of the OpenTelemetry exporter.</summary>
    public const string ExporterKey = "Sample:Telemetry:Exporter";

    /// <summary>The configuration key of the OTLP endpoint.</summary>
    public const string OtlpEndpointKey = "Sample:Telemetry:OtlpEndpoint";

    /// <summary>The configuration key of the export interval.</summary>
    public const string IntervalKey = "Sample:Telemetry:IntervalSeconds";

    /// <summary>Where the history is kept.</summary>
    public required SampleStorage Storage { get; init; }

    /// <summary>The SQLite file (with <see cref="SampleStorage.Sqlite"/>).</summary>
    public string? SqlitePath { get; init; }

    /// <summary>Whether <see cref="SqlitePath"/> is the sample's own file for this run, deleted when it stops.</summary>
    public bool SqliteIsTemporary { get; init; }

    /// <summary>The PostgreSQL connection string (with <see cref="SampleStorage.Postgres"/>).</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>The clock.</summary>
    public required SampleClockKind Clock { get; init; }

    /// <summary>Where the metrics go.</summary>
    public required TelemetryExporter Exporter { get; init; }

    /// <summary>The OTLP endpoint, or null for the exporter's default (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, else localhost:4317).</summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>How often metrics are exported.</summary>
    public required TimeSpan TelemetryInterval { get; init; }

    /// <summary>Reads and checks the settings.</summary>
    /// <param name="configuration">The host's configuration.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="SampleConfigurationException">A setting has a value the sample cannot use.</exception>
    public static SampleSettings Read(IConfiguration configuration)
    {
        var postgres = Value(configuration, PostgresKey);
        var database = Value(configuration, DatabaseKey);
        if (postgres is not null && database is not null)
        {
            throw new SampleConfigurationException($"{PostgresKey} and {DatabaseKey} both name where to keep the history; set one of them.");
        }

        string? sqlitePath = null;
        var temporary = false;
        if (postgres is not null)
        {
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(postgres);
                if (string.IsNullOrEmpty(builder.Host))
                {
                    throw new SampleConfigurationException($"{PostgresKey}: names no Host; give one, such as Host=127.0.0.1;Username=postgres;Database=funnel.");
                }
            }
            catch (ArgumentException ex)
            {
                throw new SampleConfigurationException($"{PostgresKey}: not a PostgreSQL connection string ({ex.Message}); give one such as Host=127.0.0.1;Username=postgres;Database=funnel.");
            }
        }
        else if (database is not null)
        {
            sqlitePath = CheckedSqlitePath(database);
        }
        else
        {
            // A new file for each run, in the temporary folder, removed when the app stops.
            var folder = Path.Combine(Path.GetTempPath(), "funnelmetrics-samples-web");
            Directory.CreateDirectory(folder);
            sqlitePath = Path.Combine(folder, $"funnel-{Environment.ProcessId}-{Guid.NewGuid():N}.db");
            temporary = true;
        }

        Uri? endpoint = null;
        if (Value(configuration, OtlpEndpointKey) is { } text && (!Uri.TryCreate(text, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https")))
        {
            throw new SampleConfigurationException($"{OtlpEndpointKey}: '{text}' is not an http or https address, such as http://localhost:4317.");
        }

        var interval = 60.0;
        if (Value(configuration, IntervalKey) is { } seconds
            && (!double.TryParse(seconds, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out interval) || interval is < 0.1 or > 3600))
        {
            throw new SampleConfigurationException($"{IntervalKey}: '{seconds}' is not a number of seconds from 0.1 to 3600.");
        }

        return new SampleSettings
        {
            Storage = postgres is null ? SampleStorage.Sqlite : SampleStorage.Postgres,
            SqlitePath = sqlitePath,
            SqliteIsTemporary = temporary,
            PostgresConnectionString = postgres,
            Clock = Choice(configuration, ClockKey, SampleClockKind.Demo),
            Exporter = Choice(configuration, ExporterKey, TelemetryExporter.None),
            OtlpEndpoint = endpoint,
            TelemetryInterval = TimeSpan.FromSeconds(interval),
        };
    }

    /// <summary>Where the history is, for the log and for messages: the file, or the server and database (never the password).</summary>
    public string Describe()
    {
        if (Storage == SampleStorage.Sqlite)
        {
            return $"SQLite file {SqlitePath}{(SqliteIsTemporary ? " (new for this run)" : "")}";
        }

        var builder = new NpgsqlConnectionStringBuilder(PostgresConnectionString);
        return $"PostgreSQL database {builder.Database ?? builder.Username ?? "(default)"} on {builder.Host}:{builder.Port}";
    }

    private static string CheckedSqlitePath(string path)
    {
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new SampleConfigurationException($"{DatabaseKey}: '{path}' is not a usable path: {ex.Message}");
        }

        if (Directory.Exists(full))
        {
            throw new SampleConfigurationException($"{DatabaseKey}: '{path}' is a folder; give the path of a SQLite file (created when missing).");
        }

        var folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder))
        {
            throw new SampleConfigurationException($"{DatabaseKey}: the folder {folder} does not exist; create it first.");
        }

        return full;
    }

    private static string? Value(IConfiguration configuration, string key) =>
        configuration[key] is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static T Choice<T>(IConfiguration configuration, string key, T fallback)
        where T : struct, Enum
    {
        if (Value(configuration, key) is not { } text)
        {
            return fallback;
        }

        return Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value) && !int.TryParse(text, out _)
            ? value
            : throw new SampleConfigurationException($"{key}: '{text}' is not one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}.");
    }
}

/// <summary>A setting the sample cannot use: the message names it; printed as one line, exit code 2.</summary>
/// <param name="message">What is wrong, starting with the setting's key.</param>
internal sealed class SampleConfigurationException(string message) : Exception(message);
