using System.Data.Common;
using FunnelMetrics.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.EntityFrameworkCore.Tests;

/// <summary>
/// The migration of a database created by 0.2.0 or earlier, as docs/storage.md gives it: the test creates the 0.2
/// tables (their DDL as EnsureCreated wrote it), stores rows in them, migrates them with the SQL read from
/// docs/storage.md, so the docs cannot drift, then reads the feed and appends through the store. Two ways: the
/// provider's script, and the migration EF Core generates from the 0.2 model to this one with the documented
/// backfill added before its first index.
/// </summary>
public abstract class MigrationTests
{
    /// <summary>The 0.2 tables on this provider.</summary>
    protected abstract string LegacySchema { get; }

    /// <summary>The name in the <c>&lt;!-- migration: NAME --&gt;</c> comment before the provider's script in docs/storage.md.</summary>
    protected abstract string ScriptName { get; }

    /// <summary>A connection to a new, empty database (or schema) of this provider.</summary>
    protected abstract Task<DbConnection> OpenEmptyAsync();

    /// <summary>A context factory over the database <see cref="OpenEmptyAsync"/> gave.</summary>
    protected abstract IDbContextFactory<FunnelMetricsDbContext> Factory();

    /// <summary>Options over the database <see cref="OpenEmptyAsync"/> gave whose model names the tables unqualified, as a migration of the default schema does.</summary>
    protected abstract DbContextOptionsBuilder UnqualifiedOptions(DbContextOptionsBuilder builder);

    /// <summary>The statements between <c>-- backfill: begin</c> and <c>-- backfill: end</c> of a script.</summary>
    public static string Backfill(string script)
    {
        var begin = script.IndexOf("-- backfill: begin\n", StringComparison.Ordinal);
        var end = script.IndexOf("-- backfill: end", StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "The script marks its backfill with -- backfill: begin and -- backfill: end.");
        return script[(begin + "-- backfill: begin\n".Length)..end];
    }

    /// <summary>The statements of the provider's migration script in docs/storage.md.</summary>
    public static string ReadScript(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FunnelMetrics.sln")))
        {
            dir = dir.Parent;
        }

        var docs = File.ReadAllText(Path.Combine(dir?.FullName ?? throw new InvalidOperationException("FunnelMetrics.sln not found above " + AppContext.BaseDirectory), "docs", "storage.md")).ReplaceLineEndings("\n");
        var marker = docs.IndexOf($"<!-- migration: {name} -->\n```sql\n", StringComparison.Ordinal);
        Assert.True(marker >= 0, $"docs/storage.md has no ```sql block right after <!-- migration: {name} -->.");
        var start = docs.IndexOf('\n', docs.IndexOf("```sql", marker, StringComparison.Ordinal)) + 1;
        return docs[start..docs.IndexOf("\n```", start, StringComparison.Ordinal)];
    }

    [SkippableFact]
    public async Task A02Database_AfterTheDocumentedScript_FeedsItsRowsInTheirOldReadOrder_AndTakesNewWrites()
    {
        var script = ReadScript(ScriptName);
        await using (var connection = await OpenEmptyAsync())
        {
            await SeedLegacyAsync(connection);
            await ExecuteAsync(connection, script);
        }

        await VerifyAsync();
    }

    [SkippableFact]
    public async Task A02Database_AfterAnEfCoreMigrationWithTheDocumentedBackfill_FeedsItsRowsInTheirOldReadOrder_AndTakesNewWrites()
    {
        var backfill = Backfill(ReadScript(ScriptName));
        await using (var connection = await OpenEmptyAsync())
        {
            await SeedLegacyAsync(connection);
        }

        // What dotnet ef migrations add generates from the 0.2 model, with the backfill after the seeded row's
        // InsertData and before the first CreateIndex, as docs/storage.md says.
        var legacyOptions = UnqualifiedOptions(new DbContextOptionsBuilder<LegacyContext>()).Options;
        await using var legacy = new LegacyContext((DbContextOptions<LegacyContext>)legacyOptions);
        var currentOptions = UnqualifiedOptions(new DbContextOptionsBuilder<FunnelMetricsDbContext>()).Options;
        await using var current = new FunnelMetricsDbContext((DbContextOptions<FunnelMetricsDbContext>)currentOptions);
        var model = current.GetService<IDesignTimeModel>().Model;
        var operations = current.GetService<IMigrationsModelDiffer>().GetDifferences(legacy.GetService<IDesignTimeModel>().Model.GetRelationalModel(), model.GetRelationalModel()).ToList();
        var insertData = operations.FindIndex(o => o is InsertDataOperation);
        var firstIndex = operations.FindIndex(o => o is CreateIndexOperation);
        Assert.True(insertData >= 0 && firstIndex > insertData, string.Join(", ", operations.Select(o => o.GetType().Name)));
        operations.Insert(firstIndex, new SqlOperation { Sql = backfill });
        var commands = current.GetService<IMigrationsSqlGenerator>().Generate(operations, model);
        await current.GetService<IMigrationCommandExecutor>().ExecuteNonQueryAsync(commands, current.GetService<IRelationalConnection>());

        await VerifyAsync();
    }

    private async Task SeedLegacyAsync(DbConnection connection)
    {
        long Ticks(double hours) => T0.AddHours(hours).UtcTicks;
        {
            await ExecuteAsync(connection, LegacySchema);
            await ExecuteAsync(connection, $"""
                INSERT INTO funnel_pipelines (pipeline_id, name, won_stage, currency_code) VALUES ('sales', 'Sales', 'contract', 'EUR');
                INSERT INTO funnel_clients (client_id, pipeline_id, owner, created_at_utc_ticks, value) VALUES ('c1', 'sales', 'anna', {Ticks(0)}, 1000);
                INSERT INTO funnel_clients (client_id, pipeline_id, owner, created_at_utc_ticks, value) VALUES ('c2', 'sales', 'boris', {Ticks(0)}, NULL);
                INSERT INTO funnel_clients (client_id, pipeline_id, owner, created_at_utc_ticks, value) VALUES ('c3', 'sales', 'anna', {Ticks(12)}, NULL);
                INSERT INTO funnel_client_attributes (client_id, key, value) VALUES ('c1', 'source', 'web');
                INSERT INTO funnel_events (event_id, client_id, pipeline_id, sequence, type, occurred_at_utc_ticks, recorded_at_utc_ticks, owner, transition_kind, from_stage, to_stage)
                    VALUES ('c1-1', 'c1', 'sales', 1, 'transition', {Ticks(2)}, {Ticks(2)}, 'anna', 'Entered', NULL, 'decision-maker');
                INSERT INTO funnel_events (event_id, client_id, pipeline_id, sequence, type, occurred_at_utc_ticks, recorded_at_utc_ticks, owner, transition_kind, from_stage, to_stage)
                    VALUES ('c1-2', 'c1', 'sales', 2, 'transition', {Ticks(5)}, {Ticks(5)}, 'anna', 'Advanced', 'decision-maker', 'interest');
                INSERT INTO funnel_events (event_id, client_id, pipeline_id, sequence, type, occurred_at_utc_ticks, recorded_at_utc_ticks, owner, transition_kind, from_stage, to_stage)
                    VALUES ('c2-1', 'c2', 'sales', 1, 'transition', {Ticks(1)}, {Ticks(6)}, 'boris', 'Entered', NULL, 'interest');
                INSERT INTO funnel_events (event_id, client_id, pipeline_id, sequence, type, occurred_at_utc_ticks, recorded_at_utc_ticks, owner, note)
                    VALUES ('c2-2', 'c2', 'sales', 2, 'activity', {Ticks(5)}, {Ticks(6)}, 'boris', 'called');
                """);
        }
    }

    private async Task VerifyAsync()
    {
        var factory = Factory();
        var clients = new EntityFrameworkClientRepository<FunnelMetricsDbContext>(factory);
        var store = new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(factory);

        // The old read order: each client's record right before its first event, events by (instant, client, sequence).
        var feed = await store.ReadChangesAsync(ChangeFeedQuery.All).ToListAsync();
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], feed.Select(c => c.Position));
        Assert.Equal(["client c2", "event c2-1", "client c1", "event c1-1", "event c1-2", "event c2-2", "client c3"], feed.Select(c => c.Client is { } client ? $"client {client.Id}" : $"event {c.Event!.Id}"));
        Assert.Equal(new Client(new ClientId("c1"), SalesId, Anna, T0, 1000m, new Dictionary<string, string> { ["source"] = "web" }), feed[2].Client);
        Assert.Equal(await store.ReadClientAsync(new ClientId("c1")).ToListAsync(), feed.Where(c => c.Event?.ClientId.Value == "c1").Select(c => c.Event));
        Assert.Equal(7, await store.ReadHeadAsync());
        Assert.Equal(7, await store.ReadHeadAsync(SalesId));

        // No state rows yet: the state is folded from the stream, then kept from the next append on.
        var c1 = new ClientId("c1");
        var state = await store.ReadStateAsync(c1);
        Assert.Equal((ClientStatus.Open, Interest, 2L), (state!.Status, state.Stage, state.Version));
        var next = new StageTransition(new ClientEventId("c1-3"), c1, SalesId, 3, TransitionKind.Advanced, Interest, Meeting, T0.AddHours(20), T0.AddHours(20), Anna);
        Assert.Equal(3, await store.AppendAsync(c1, 2, [next]));
        Assert.Equal(state.Apply(next), await store.ReadStateAsync(c1));
        Assert.True(await clients.AddAsync(NewClient("c4")));
        var update = new ClientUpdate(new ClientEventId("c2-3"), new ClientId("c2"), SalesId, 3, T0.AddHours(21), T0.AddHours(21), Boris, true, 5000m, true, new DateOnly(2026, 9, 1), null);
        Assert.Equal(3, await store.AppendAsync(new ClientId("c2"), 2, [update]));

        var after = await store.ReadChangesAsync(new ChangeFeedQuery { After = 7 }).ToListAsync();
        Assert.Equal([8L, 9, 10], after.Select(c => c.Position));
        Assert.Equal([next, null, update], after.Select(c => c.Event));
        Assert.Equal(NewClient("c4"), after[1].Client);
        Assert.Equal(10, await store.ReadHeadAsync());
        Assert.Equal(["c2-1", "c1-1", "c1-2", "c2-2", "c1-3", "c2-3"], (await store.ReadPipelineAsync(SalesId, PipelineEventQuery.All).ToListAsync()).Select(e => e.Id.Value));
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}

public sealed class SqliteMigrationTests(SqliteDatabase database) : MigrationTests, IClassFixture<SqliteDatabase>
{
    private string? _connectionString;

    protected override string ScriptName => "sqlite";

    protected override string LegacySchema => """
        CREATE TABLE "funnel_clients" (
            "client_id" TEXT NOT NULL CONSTRAINT "pk_funnel_clients" PRIMARY KEY,
            "pipeline_id" TEXT NOT NULL,
            "owner" TEXT NOT NULL,
            "created_at_utc_ticks" INTEGER NOT NULL,
            "value" TEXT NULL
        );
        CREATE TABLE "funnel_events" (
            "event_id" TEXT NOT NULL CONSTRAINT "pk_funnel_events" PRIMARY KEY,
            "client_id" TEXT NOT NULL,
            "pipeline_id" TEXT NOT NULL,
            "sequence" INTEGER NOT NULL,
            "type" TEXT NOT NULL,
            "occurred_at_utc_ticks" INTEGER NOT NULL,
            "recorded_at_utc_ticks" INTEGER NOT NULL,
            "owner" TEXT NOT NULL,
            "note" TEXT NULL,
            "transition_kind" TEXT NULL,
            "from_stage" TEXT NULL,
            "to_stage" TEXT NULL,
            "lost_reason" TEXT NULL,
            "previous_owner" TEXT NULL,
            CONSTRAINT "ck_funnel_events_type" CHECK (type IN ('transition', 'activity', 'reassignment'))
        );
        CREATE TABLE "funnel_pipelines" (
            "pipeline_id" TEXT NOT NULL CONSTRAINT "pk_funnel_pipelines" PRIMARY KEY,
            "name" TEXT NOT NULL,
            "won_stage" TEXT NOT NULL,
            "currency_code" TEXT NULL
        );
        CREATE TABLE "funnel_client_attributes" (
            "client_id" TEXT NOT NULL,
            "key" TEXT NOT NULL,
            "value" TEXT NOT NULL,
            CONSTRAINT "pk_funnel_client_attributes" PRIMARY KEY ("client_id", "key"),
            CONSTRAINT "fk_funnel_client_attributes_client" FOREIGN KEY ("client_id") REFERENCES "funnel_clients" ("client_id") ON DELETE CASCADE
        );
        CREATE TABLE "funnel_stages" (
            "pipeline_id" TEXT NOT NULL,
            "position" INTEGER NOT NULL,
            "stage_key" TEXT NOT NULL,
            "display_name" TEXT NOT NULL,
            "stall_threshold_ticks" INTEGER NULL,
            "win_probability" REAL NULL,
            CONSTRAINT "pk_funnel_stages" PRIMARY KEY ("pipeline_id", "position"),
            CONSTRAINT "fk_funnel_stages_pipeline" FOREIGN KEY ("pipeline_id") REFERENCES "funnel_pipelines" ("pipeline_id") ON DELETE CASCADE
        );
        CREATE INDEX "ix_funnel_clients_pipeline" ON "funnel_clients" ("pipeline_id", "client_id");
        CREATE INDEX "ix_funnel_events_pipeline_order" ON "funnel_events" ("pipeline_id", "occurred_at_utc_ticks", "client_id", "sequence");
        CREATE UNIQUE INDEX "ux_funnel_events_client_sequence" ON "funnel_events" ("client_id", "sequence");
        CREATE UNIQUE INDEX "ux_funnel_stages_pipeline_key" ON "funnel_stages" ("pipeline_id", "stage_key");
        """;

    protected override async Task<DbConnection> OpenEmptyAsync()
    {
        _connectionString = database.NewConnectionString();
        await SqliteDatabase.EnableWalAsync(_connectionString);
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        return connection;
    }

    protected override DbContextOptionsBuilder UnqualifiedOptions(DbContextOptionsBuilder builder) => builder.UseSqlite(_connectionString);

    protected override IDbContextFactory<FunnelMetricsDbContext> Factory()
    {
        var options = new DbContextOptionsBuilder<FunnelMetricsDbContext>().UseSqlite(_connectionString).Options;
        return new ContextFactory<FunnelMetricsDbContext>(() => new FunnelMetricsDbContext(options));
    }
}

public sealed class PostgresMigrationTests(PostgresDatabase database) : MigrationTests, IClassFixture<PostgresDatabase>
{
    private readonly string _schema = $"legacy_{Guid.NewGuid():N}";

    protected override string ScriptName => "postgresql";

    protected override string LegacySchema => """
        CREATE TABLE funnel_clients (
            client_id character varying(200) COLLATE "C" NOT NULL,
            pipeline_id character varying(200) NOT NULL,
            owner character varying(200) NOT NULL,
            created_at_utc_ticks bigint NOT NULL,
            value numeric,
            CONSTRAINT pk_funnel_clients PRIMARY KEY (client_id)
        );
        CREATE TABLE funnel_events (
            event_id character varying(200) NOT NULL,
            client_id character varying(200) COLLATE "C" NOT NULL,
            pipeline_id character varying(200) NOT NULL,
            sequence bigint NOT NULL,
            type character varying(16) NOT NULL,
            occurred_at_utc_ticks bigint NOT NULL,
            recorded_at_utc_ticks bigint NOT NULL,
            owner character varying(200) NOT NULL,
            note character varying(1000),
            transition_kind character varying(16),
            from_stage character varying(200),
            to_stage character varying(200),
            lost_reason character varying(200),
            previous_owner character varying(200),
            CONSTRAINT pk_funnel_events PRIMARY KEY (event_id),
            CONSTRAINT ck_funnel_events_type CHECK (type IN ('transition', 'activity', 'reassignment'))
        );
        CREATE TABLE funnel_pipelines (
            pipeline_id character varying(200) COLLATE "C" NOT NULL,
            name character varying(200) NOT NULL,
            won_stage character varying(200) NOT NULL,
            currency_code character varying(3),
            CONSTRAINT pk_funnel_pipelines PRIMARY KEY (pipeline_id)
        );
        CREATE TABLE funnel_client_attributes (
            client_id character varying(200) COLLATE "C" NOT NULL,
            key character varying(100) NOT NULL,
            value character varying(1000) NOT NULL,
            CONSTRAINT pk_funnel_client_attributes PRIMARY KEY (client_id, key),
            CONSTRAINT fk_funnel_client_attributes_client FOREIGN KEY (client_id) REFERENCES funnel_clients (client_id) ON DELETE CASCADE
        );
        CREATE TABLE funnel_stages (
            pipeline_id character varying(200) NOT NULL,
            position integer NOT NULL,
            stage_key character varying(200) NOT NULL,
            display_name character varying(200) NOT NULL,
            stall_threshold_ticks bigint,
            win_probability double precision,
            CONSTRAINT pk_funnel_stages PRIMARY KEY (pipeline_id, position),
            CONSTRAINT fk_funnel_stages_pipeline FOREIGN KEY (pipeline_id) REFERENCES funnel_pipelines (pipeline_id) ON DELETE CASCADE
        );
        CREATE INDEX ix_funnel_clients_pipeline ON funnel_clients (pipeline_id, client_id);
        CREATE INDEX ix_funnel_events_pipeline_order ON funnel_events (pipeline_id, occurred_at_utc_ticks, client_id, sequence);
        CREATE UNIQUE INDEX ux_funnel_events_client_sequence ON funnel_events (client_id, sequence);
        CREATE UNIQUE INDEX ux_funnel_stages_pipeline_key ON funnel_stages (pipeline_id, stage_key);
        """;

    protected override async Task<DbConnection> OpenEmptyAsync()
    {
        Skip.IfNot(database.Available, database.SkipReason);
        await using (var admin = new NpgsqlConnection(database.ConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE SCHEMA {_schema}", admin);
            await create.ExecuteNonQueryAsync();
        }

        // The script names its tables unqualified, as for the default schema: the search path points it at this one.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { SearchPath = _schema }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    protected override DbContextOptionsBuilder UnqualifiedOptions(DbContextOptionsBuilder builder) =>
        builder.UseNpgsql(new NpgsqlConnectionStringBuilder(database.ConnectionString) { SearchPath = _schema }.ToString());

    protected override IDbContextFactory<FunnelMetricsDbContext> Factory()
    {
        var options = new DbContextOptionsBuilder<FunnelMetricsDbContext>().UseNpgsql(database.ConnectionString).Options;
        return new ContextFactory<FunnelMetricsDbContext>(() => new FunnelMetricsDbContext(options, _schema));
    }
}

/// <summary>
/// The 0.2 model, as a migrations snapshot of a database created by 0.2.0 holds it: today's tables without the
/// feed, the state table, the position, expected close date and update columns, and with the old type check.
/// </summary>
public sealed class LegacyContext(DbContextOptions<LegacyContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyFunnelMetricsConfiguration(null, Database.ProviderName == "Npgsql.EntityFrameworkCore.PostgreSQL" ? "C" : null);
        modelBuilder.Ignore<ClientStateRecord>();
        modelBuilder.Ignore<FeedRecord>();
        modelBuilder.Entity<ClientRecord>().Ignore(c => c.Position).Ignore(c => c.ExpectedCloseDate);
        modelBuilder.Entity<EventRecord>(b =>
        {
            b.Ignore(e => e.Position).Ignore(e => e.SetsValue).Ignore(e => e.Value).Ignore(e => e.SetsExpectedCloseDate).Ignore(e => e.ExpectedCloseDate).Ignore(e => e.AttributeChanges);
            b.ToTable("funnel_events", t => t.HasCheckConstraint("ck_funnel_events_type", "type IN ('transition', 'activity', 'reassignment')"));
        });
    }
}
