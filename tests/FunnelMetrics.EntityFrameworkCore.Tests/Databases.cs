using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace FunnelMetrics.EntityFrameworkCore.Tests;

/// <summary>Creates contexts with a delegate: lets a test pick the schema and interceptors of each store.</summary>
internal sealed class ContextFactory<TContext>(Func<TContext> create) : IDbContextFactory<TContext>
    where TContext : DbContext
{
    public TContext CreateDbContext() => create();
}

/// <summary>One database the funnel's tables can be created in, fresh for each store a test asks for.</summary>
public interface ITestDatabase
{
    /// <summary>Whether the tests against this database run: false skips them.</summary>
    bool Available { get; }

    /// <summary>Why the tests are skipped when <see cref="Available"/> is false.</summary>
    string SkipReason { get; }

    /// <summary>A context factory over new, empty funnel tables, with the interceptors on every context.</summary>
    Task<IDbContextFactory<FunnelMetricsDbContext>> CreateStoreAsync(params IInterceptor[] interceptors);

    /// <summary>Makes the connection <paramref name="command"/> runs on unusable, as a network failure would.</summary>
    Task DropConnectionAsync(DbCommand command);
}

/// <summary>
/// SQLite in a temporary directory: a database file per store, in WAL mode so that a read streams a snapshot while
/// writers commit. Always available.
/// </summary>
public sealed class SqliteDatabase : ITestDatabase, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("funnelmetrics-sqlite-").FullName;
    private int _stores;

    public bool Available => true;

    public string SkipReason => string.Empty;

    public string NewConnectionString() =>
        new SqliteConnectionStringBuilder { DataSource = Path.Combine(_directory, $"store{Interlocked.Increment(ref _stores)}.db"), Pooling = true }.ToString();

    public async Task<IDbContextFactory<FunnelMetricsDbContext>> CreateStoreAsync(params IInterceptor[] interceptors)
    {
        var connectionString = NewConnectionString();
        await EnableWalAsync(connectionString);
        var options = new DbContextOptionsBuilder<FunnelMetricsDbContext>()
            .UseSqlite(connectionString, o => o.MaxBatchSize(interceptors.Length > 0 ? 1 : 42))
            .AddInterceptors(interceptors)
            .Options;
        var factory = new ContextFactory<FunnelMetricsDbContext>(() => new FunnelMetricsDbContext(options));
        await using var context = factory.CreateDbContext();
        await context.Database.EnsureCreatedAsync();
        return factory;
    }

    public static async Task EnableWalAsync(string connectionString)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        await command.ExecuteNonQueryAsync();
    }

    public Task DropConnectionAsync(DbCommand command)
    {
        // Closing the connection under an open transaction rolls it back, as SQLite does when a process dies.
        command.Connection!.Close();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open in another test's pool: the temporary directory is left for the system to clean.
        }
    }
}

/// <summary>
/// PostgreSQL, when the environment variable <c>FUNNELMETRICS_POSTGRES</c> holds a connection string: a throwaway
/// database per test class, dropped at the end, and a schema per store in it.
/// </summary>
public sealed class PostgresDatabase : ITestDatabase, IAsyncLifetime
{
    public const string Variable = "FUNNELMETRICS_POSTGRES";

    private static readonly string? ServerConnectionString = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } cs ? cs : null;

    private readonly string _name = $"funnelmetrics_test_{Guid.NewGuid():N}";
    private int _schemas;

    public bool Available => ServerConnectionString is not null;

    public string SkipReason => $"PostgreSQL tests are skipped: set {Variable} to a connection string (such as Host=127.0.0.1;Port=5432;Username=postgres;Password=...;Database=postgres) to run them; .ci/run starts a server and sets it.";

    public string ConnectionString => new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = _name }.ToString();

    public async Task InitializeAsync()
    {
        if (ServerConnectionString is null)
        {
            return;
        }

        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{_name}\"", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        if (ServerConnectionString is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<IDbContextFactory<FunnelMetricsDbContext>> CreateStoreAsync(params IInterceptor[] interceptors)
    {
        var schema = $"store{Interlocked.Increment(ref _schemas)}";
        var options = new DbContextOptionsBuilder<FunnelMetricsDbContext>()
            .UseNpgsql(ConnectionString, o => o.MaxBatchSize(interceptors.Length > 0 ? 1 : 1000))
            .AddInterceptors(interceptors)
            .Options;
        var factory = new ContextFactory<FunnelMetricsDbContext>(() => new FunnelMetricsDbContext(options, schema));
        await using var context = factory.CreateDbContext();

        // EnsureCreated does nothing once the database has any table; create this schema's tables directly.
        await context.GetService<IRelationalDatabaseCreator>().CreateTablesAsync();
        return factory;
    }

    public async Task DropConnectionAsync(DbCommand command)
    {
        var pid = ((NpgsqlConnection)command.Connection!).ProcessID;
        await using var admin = new NpgsqlConnection(ServerConnectionString);
        await admin.OpenAsync();
        await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend(@pid)", admin);
        kill.Parameters.AddWithValue("pid", pid);
        Assert.Equal(true, await kill.ExecuteScalarAsync());
    }
}
