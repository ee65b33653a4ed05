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

    /// <summary>The connection when it is PostgreSQL's (binary COPY and arrays), otherwise null.</summary>
    public NpgsqlConnection? Postgres { get; }

    /// <summary>The transaction the context has begun, which every command must join.</summary>
    public DbTransaction? Transaction => Context.Database.CurrentTransaction?.GetDbTransaction();

    /// <summary>Opens the context's connection and reads the model's table names.</summary>
    public static async Task<BulkSql> OpenAsync(DbContext context, CancellationToken cancellationToken)
    {
        await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return new BulkSql(context, context.Database.GetDbConnection(), TablesByModel.GetValue(context.Model, _ => Tables.Of(context)));
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

    /// <summary>Whether a failed write was refused by a unique index or key (another writer stored the same row first).</summary>
    public static bool IsUniqueViolation(Exception e) =>
        e is DbException db && (db.SqlState == PostgresErrorCodes.UniqueViolation || (db.GetType().Name == "SqliteException" && (db.ErrorCode & 0xFF) == 19) || db.Message.Contains("UNIQUE", StringComparison.OrdinalIgnoreCase));

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
