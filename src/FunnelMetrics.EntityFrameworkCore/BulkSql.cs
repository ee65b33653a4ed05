using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace FunnelMetrics.EntityFrameworkCore;

/// <summary>
/// What the bulk writes need to talk to the database below Entity Framework Core: the funnel's tables as the model
/// names them (schema included), lookups of many keys in one statement, and the provider: binary <c>COPY</c> and
/// arrays when the context's connection is an <see cref="NpgsqlConnection"/>, prepared and reused commands otherwise.
/// </summary>
internal sealed class BulkSql
{
    /// <summary>The most keys one generic lookup names (<c>IN (@k0, ...)</c>); PostgreSQL takes them all as one array.</summary>
    private const int KeysPerLookup = 500;

    private static readonly ConditionalWeakTable<IModel, Tables> TablesByModel = [];

    private BulkSql(DbContext context, DbConnection connection, Tables tables)
    {
        Context = context;
        Connection = connection;
        Names = tables;
        Postgres = connection as NpgsqlConnection;
    }

    public DbContext Context { get; }

    public DbConnection Connection { get; }

    public Tables Names { get; }

    /// <summary>Whether the connection is SQLite's (Microsoft.Data.Sqlite), which reads a JSON array of keys with <c>json_each</c>.</summary>
    public bool Sqlite => Connection.GetType().FullName == "Microsoft.Data.Sqlite.SqliteConnection";

    /// <summary>The connection when it is PostgreSQL's (binary COPY and arrays), otherwise null.</summary>
    public NpgsqlConnection? Postgres { get; }

    /// <summary>The transaction the context has begun, which every command must join.</summary>
    public DbTransaction? Transaction => Context.Database.CurrentTransaction?.GetDbTransaction();

    /// <summary>Opens the context's connection and reads the model's table names.</summary>
    public static async Task<BulkSql> OpenAsync(DbContext context, CancellationToken cancellationToken)
    {
        await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var sql = new BulkSql(context, context.Database.GetDbConnection(), TablesByModel.GetValue(context.Model, _ => Tables.Of(context)));
        return sql;
    }

    public DbCommand Command(string sql)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = Transaction;
        return command;
    }

    public static DbParameter Parameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>
    /// Runs <paramref name="select"/> (a statement with <c>{0}</c> where the key condition on <paramref name="column"/>
    /// goes) for all <paramref name="keys"/>: one statement with an array on PostgreSQL, one per 500 keys otherwise.
    /// </summary>
    public async Task ReadByKeysAsync(string select, string column, IReadOnlyList<string> keys, Action<DbDataReader> row, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return;
        }

        if (Postgres is not null)
        {
            var command = Command(string.Format(CultureInfo.InvariantCulture, select, $"{column} = ANY(@keys)"));
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = keys as string[] ?? [.. keys] });
                await ReadAsync(command, row, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (Sqlite)
        {
            // One statement: the keys as one JSON array, each looked up through the index.
            var command = Command(string.Format(CultureInfo.InvariantCulture, select, $"{column} IN (SELECT value FROM json_each(@keys))"));
            await using (command.ConfigureAwait(false))
            {
                Parameter(command, "@keys").Value = System.Text.Json.JsonSerializer.Serialize(keys as string[] ?? [.. keys], BulkJson.Default.StringArray);
                await ReadAsync(command, row, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        for (var start = 0; start < keys.Count; start += KeysPerLookup)
        {
            var count = Math.Min(KeysPerLookup, keys.Count - start);
            var names = new string[count];
            var command = Command(string.Empty);
            await using (command.ConfigureAwait(false))
            {
                for (var i = 0; i < count; i++)
                {
                    names[i] = "@k" + i.ToString(CultureInfo.InvariantCulture);
                    Parameter(command, names[i]).Value = keys[start + i];
                }

                command.CommandText = string.Format(CultureInfo.InvariantCulture, select, $"{column} IN ({string.Join(", ", names)})");
                await ReadAsync(command, row, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Inserts rows through prepared inserts, one command made and prepared for the full statements and reused for
    /// every one of them, then one for the rest: for providers without a bulk copy. A statement holds one row on SQLite
    /// and up to 64 rows (<c>INSERT ... VALUES (...), (...)</c>, at most 999 parameters) elsewhere.
    /// </summary>
    public async Task InsertAsync<T>(string table, string columns, int width, IReadOnlyList<T> items, Action<T, DbParameter[], int> set, CancellationToken cancellationToken)
    {
        // SQLite binds each parameter by name with a linear search of the statement's names, so a statement of many
        // rows costs quadratically: one row a statement, prepared once, is its fastest (4 rows a statement took 20% more
        // CPU time than 1 on 300k records).
        var perStatement = Sqlite ? 1 : Math.Clamp(999 / width, 1, 64);
        var done = 0;
        while (done < items.Count)
        {
            var rows = Math.Min(perStatement, items.Count - done);
            var command = Command(string.Empty);
            await using (command.ConfigureAwait(false))
            {
                var parameters = new DbParameter[rows * width];
                var values = new System.Text.StringBuilder($"INSERT INTO {table} ({columns}) VALUES ");
                for (var r = 0; r < rows; r++)
                {
                    values.Append(r == 0 ? "(" : ", (");
                    for (var c = 0; c < width; c++)
                    {
                        var name = "@p" + ((r * width) + c).ToString(CultureInfo.InvariantCulture);
                        parameters[(r * width) + c] = Parameter(command, name);
                        values.Append(c == 0 ? name : ", " + name);
                    }

                    values.Append(')');
                }

                command.CommandText = values.ToString();
                await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
                if (Sqlite)
                {
                    // Microsoft.Data.Sqlite runs every command synchronously, its async methods included: skip their overhead.
                    done = ExecuteEach(command, parameters, rows, width, perStatement, items, done, set, cancellationToken);
                    continue;
                }

                do
                {
                    for (var r = 0; r < rows; r++)
                    {
                        set(items[done + r], parameters, r * width);
                    }

                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    done += rows;
                }
                while (items.Count - done >= rows && rows == perStatement);
            }
        }
    }

    /// <summary>Runs the insert of <paramref name="rows"/> rows for as many of the rest of the items as fill it; returns how many are done.</summary>
    private static int ExecuteEach<T>(DbCommand command, DbParameter[] parameters, int rows, int width, int perStatement, IReadOnlyList<T> items, int done, Action<T, DbParameter[], int> set, CancellationToken cancellationToken)
    {
        do
        {
            if ((done & 1023) < rows)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            for (var r = 0; r < rows; r++)
            {
                set(items[done + r], parameters, r * width);
            }

            command.ExecuteNonQuery();
            done += rows;
        }
        while (items.Count - done >= rows && rows == perStatement);
        return done;
    }

    /// <summary>
    /// Runs one chunk's write in one transaction, under <see cref="LargeCacheAsync"/>: true when committed; false, with
    /// everything rolled back (positions included), when <paramref name="write"/> returns false or another writer won a
    /// race with it (<see cref="IsLostRace"/>). Any other failure rolls back and propagates.
    /// </summary>
    public async Task<bool> InChunkTransactionAsync(Func<CancellationToken, Task<bool>> write, CancellationToken cancellationToken)
    {
        var restoreCache = await LargeCacheAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var transaction = await Context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                try
                {
                    if (!await write(cancellationToken).ConfigureAwait(false))
                    {
                        await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                        return false;
                    }

                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return true;
                }
                catch (Exception e) when (IsLostRace(e))
                {
                    await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                    return false;
                }
            }
        }
        finally
        {
            await restoreCache().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// On SQLite, gives the connection a page cache of 64 MiB for a bulk write (the default 2 MiB makes the inserts
    /// into the funnel's indexes read pages again and again) and returns what restores it; elsewhere does nothing.
    /// </summary>
    public async Task<Func<Task>> LargeCacheAsync(CancellationToken cancellationToken)
    {
        if (!Sqlite)
        {
            return static () => Task.CompletedTask;
        }

        var read = Command("PRAGMA cache_size");
        object? before;
        await using (read.ConfigureAwait(false))
        {
            before = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }

        await PragmaAsync("PRAGMA cache_size = -65536", cancellationToken).ConfigureAwait(false);
        var restore = Convert.ToInt64(before, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        return () => PragmaAsync("PRAGMA cache_size = " + restore, CancellationToken.None);
    }

    private async Task PragmaAsync(string pragma, CancellationToken cancellationToken)
    {
        var command = Command(pragma);
        command.Transaction = null;
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whether a failed chunk lost a race with another writer, so redoing it part by part through the single path gives
    /// each part its own answer: a unique index or key refused a row (another writer stored it first), or PostgreSQL
    /// aborted the transaction as a deadlock or a serialization failure (two bulk writes locking the same state rows in
    /// opposite orders).
    /// </summary>
    /// <remarks>PostgreSQL's SqlState 23505, 40P01 and 40001; SQLite's error 19 for a unique or primary key constraint ("UNIQUE constraint failed").</remarks>
    public static bool IsLostRace(Exception e) =>
        e is DbException db
        && (db.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure
            || (db.GetType().FullName == "Microsoft.Data.Sqlite.SqliteException" && db.Message.Contains("UNIQUE constraint failed", StringComparison.Ordinal)));

    private static async Task ReadAsync(DbCommand command, Action<DbDataReader> row, CancellationToken cancellationToken)
    {
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                row(reader);
            }
        }
    }

    /// <summary>The funnel's tables, delimited and schema-qualified as the model maps them.</summary>
    internal sealed record Tables(string Clients, string Attributes, string Events, string States)
    {
        public static Tables Of(DbContext context)
        {
            var sql = context.GetService<ISqlGenerationHelper>();
            string Name<T>()
            {
                var entity = context.Model.FindEntityType(typeof(T))
                    ?? throw new InvalidOperationException($"The context {context.GetType().Name} has no {typeof(T).Name} table in its model: call ApplyFunnelMetricsConfiguration from its OnModelCreating.");
                return sql.DelimitIdentifier(entity.GetTableName()!, entity.GetSchema());
            }

            return new Tables(Name<ClientRecord>(), Name<ClientAttributeRecord>(), Name<EventRecord>(), Name<ClientStateRecord>());
        }
    }
}

/// <summary>The JSON the bulk lookups send SQLite: an array of keys, serialized without reflection.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class BulkJson : System.Text.Json.Serialization.JsonSerializerContext;
