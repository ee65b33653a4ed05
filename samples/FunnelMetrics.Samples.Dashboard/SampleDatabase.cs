using System.Text;
using Microsoft.Data.Sqlite;

namespace FunnelMetrics.Samples.Dashboard;

/// <summary>What a <c>--database</c> path holds before the run touches it.</summary>
internal enum DatabaseState
{
    /// <summary>No file: it is created.</summary>
    Missing,

    /// <summary>An empty file, or a SQLite database without any table: the tables are created in it, and the run says so.</summary>
    Empty,

    /// <summary>A FunnelMetrics database: it is read, and written only to import into it.</summary>
    FunnelMetrics,
}

/// <summary>
/// The <c>--database</c> SQLite file: checks the path before anything is opened, builds the connection string, and turns
/// SQLite's failures into one line each.
/// </summary>
internal static class SampleDatabase
{
    private static readonly byte[] SqliteHeader = Encoding.ASCII.GetBytes("SQLite format 3\0");

    /// <summary>The tables FunnelMetrics.EntityFrameworkCore creates; a database with other tables and none of these is someone else's.</summary>
    private static readonly string[] Tables = ["funnel_pipelines", "funnel_stages", "funnel_clients", "funnel_client_attributes", "funnel_events"];

    /// <summary>The tables 0.3 added: a database with the others but not these was created by 0.2.0 or earlier.</summary>
    private static readonly string[] NewTables = ["funnel_client_states", "funnel_feed"];

    /// <summary>
    /// The connection string, built with <see cref="SqliteConnectionStringBuilder"/> so that a path with <c>;</c> or
    /// <c>=</c> stays a path and cannot add keywords.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="readOnly">Open it read-only (showing a stored history writes nothing, so a read-only file works).</param>
    /// <returns>The connection string.</returns>
    public static string ConnectionString(string path, bool readOnly) => new SqliteConnectionStringBuilder
    {
        DataSource = Path.GetFullPath(path),
        Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
        Pooling = false,
        DefaultTimeout = 5, // seconds to wait for another writer's lock before reporting the file busy
    }.ToString();

    /// <summary>Looks at the path: a folder, a missing folder, a file that is not SQLite, or someone else's database are refused.</summary>
    /// <param name="path">The <c>--database</c> path.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>What the file holds, and whether it holds clients already.</returns>
    /// <exception cref="SetupException">The path cannot be a FunnelMetrics database.</exception>
    public static async Task<(DatabaseState State, bool HoldsClients)> InspectAsync(string path, CancellationToken cancellationToken)
    {
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new SetupException($"--database {path}: not a usable path: {ex.Message}");
        }

        if (Directory.Exists(full))
        {
            throw new SetupException($"--database {path}: is a folder; give the path of a database file (created when missing).");
        }

        var folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder))
        {
            throw new SetupException($"--database {path}: the folder {folder} does not exist; create it first.");
        }

        if (!File.Exists(full))
        {
            return (DatabaseState.Missing, false);
        }

        var header = new byte[SqliteHeader.Length];
        int read;
        try
        {
            await using var file = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            read = await file.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SetupException($"--database {path}: cannot be read: {ex.Message}");
        }

        if (read == 0)
        {
            return (DatabaseState.Empty, false);
        }

        if (read < header.Length || !header.AsSpan().SequenceEqual(SqliteHeader))
        {
            throw new SetupException($"--database {path}: is not a SQLite database (it does not start with \"SQLite format 3\"); it is left as it is. Give a new file name or an existing FunnelMetrics database.");
        }

        try
        {
            await using var connection = new SqliteConnection(ConnectionString(full, readOnly: true));
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
            var names = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    names.Add(reader.GetString(0));
                }
            }

            if (names.Count == 0)
            {
                return (DatabaseState.Empty, false);
            }

            if (!Tables.All(names.Contains))
            {
                throw new SetupException($"--database {path}: is a SQLite database of something else (its tables are {SafeText.Some(names)}; FunnelMetrics needs {string.Join(", ", Tables)}); it is left as it is. Give a new file name.");
            }

            if (!NewTables.All(names.Contains))
            {
                throw new SetupException($"--database {path}: was created by FunnelMetrics 0.2.0 or earlier (it has no {string.Join(" or ", NewTables.Where(t => !names.Contains(t)))}); it is left as it is. Migrate it with the SQL in docs/storage.md (\"Migrating a database created by 0.2.0 or earlier\"), or give a new file name.");
            }

            command.CommandText = "SELECT EXISTS (SELECT 1 FROM funnel_clients)";
            var holdsClients = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) != 0;
            return (DatabaseState.FunnelMetrics, holdsClients);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is not (5 or 6))
        {
            // Busy or locked (5, 6) is another writer, not a bad path: that is reported as a storage failure.
            throw new SetupException($"--database {path}: cannot be opened as a SQLite database: {ex.Message}");
        }
    }

    /// <summary>
    /// Whether an exception (or one inside it) is SQLite failing: a read-only or full disk, a lock held too long, a
    /// damaged file. Other I/O (a closed standard output, say) is not the database's doing.
    /// </summary>
    /// <param name="exception">The exception.</param>
    /// <param name="reason">SQLite's message.</param>
    /// <returns>Whether it is such a failure.</returns>
    public static bool IsDatabaseFailure(Exception exception, out string reason)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SqliteException)
            {
                reason = e.Message;
                return true;
            }
        }

        reason = "";
        return false;
    }
}
