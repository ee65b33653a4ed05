using FunnelMetrics.Recording;
using FunnelMetrics.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.EntityFrameworkCore.Tests;

/// <summary>An application's own context, with a table of its own and the funnel's tables added to it.</summary>
public sealed class CrmContext(DbContextOptions<CrmContext> options) : DbContext(options)
{
    public DbSet<Invoice> Invoices => Set<Invoice>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Invoice>().ToTable("invoices");
        modelBuilder.ApplyFunnelMetricsConfiguration();
    }
}

public sealed class Invoice
{
    public int Id { get; set; }

    public string Number { get; set; } = "";
}

public sealed class IntegrationTests(SqliteDatabase database) : IClassFixture<SqliteDatabase>
{
    [Fact]
    public async Task UseEntityFrameworkCore_InAnApplicationsOwnContext_RecordsIntoRealColumns()
    {
        var connectionString = database.NewConnectionString();
        var services = new ServiceCollection();
        services.AddDbContextFactory<CrmContext>(o => o.UseSqlite(connectionString));
        services.AddSingleton<TimeProvider>(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(T0.AddDays(30)));
        services.AddFunnelMetrics().UseEntityFrameworkCore<CrmContext>();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        await using (var setup = await provider.GetRequiredService<IDbContextFactory<CrmContext>>().CreateDbContextAsync())
        {
            await setup.Database.EnsureCreatedAsync();
            setup.Invoices.Add(new Invoice { Number = "INV-1" });
            await setup.SaveChangesAsync();
        }

        await using (var scope = provider.CreateAsyncScope())
        {
            Assert.IsType<EntityFrameworkFunnelEventStore<CrmContext>>(scope.ServiceProvider.GetRequiredService<IFunnelEventStore>());
            var recorder = scope.ServiceProvider.GetRequiredService<FunnelRecorder>();
            await scope.ServiceProvider.GetRequiredService<IPipelineRepository>().AddAsync(Pipeline);
            await recorder.AddClientAsync(NewClient("acme"));
            await recorder.MoveAsync(new ClientId("acme"), Interest, T0.AddDays(1), eventId: new ClientEventId("move-1"));
            await recorder.MoveAsync(new ClientId("acme"), Offer, T0.AddDays(2), note: "sent the offer");
            await recorder.ReassignAsync(new ClientId("acme"), Boris, T0.AddDays(3));
            await recorder.MarkLostAsync(new ClientId("acme"), "budget", T0.AddDays(4));

            // A retry of the first move is recognised, not recorded twice.
            await recorder.MoveAsync(new ClientId("acme"), Interest, T0.AddDays(1), eventId: new ClientEventId("move-1"));
            var state = await recorder.GetStateAsync(new ClientId("acme"));
            Assert.Equal(4, state.Version);

            // The store is the feed too: the client record, then its four events, in the order they were written.
            var feed = scope.ServiceProvider.GetRequiredService<IFunnelChangeFeed>();
            Assert.Same(scope.ServiceProvider.GetRequiredService<IFunnelEventStore>(), feed);
            var changes = await feed.ReadChangesAsync(ChangeFeedQuery.All).ToListAsync();
            Assert.Equal([1L, 2, 3, 4, 5], changes.Select(c => c.Position));
            Assert.Equal(NewClient("acme"), changes[0].Client);
            Assert.Equal([1L, 2, 3, 4], changes.Skip(1).Select(c => c.Event!.Sequence));
            Assert.Equal(state, await scope.ServiceProvider.GetRequiredService<IFunnelEventStore>().ReadStateAsync(new ClientId("acme")));
        }

        // Plain SQL sees one row per event, with the discriminator and the kind-specific columns.
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence, type, transition_kind, from_stage, to_stage, owner, previous_owner, lost_reason, note FROM funnel_events WHERE client_id = 'acme' ORDER BY sequence";
        var rows = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "-" : reader.GetValue(i).ToString())));
            }
        }

        Assert.Equal(
            [
                "1|transition|Entered|-|interest|anna|-|-|-",
                "2|transition|Skipped|interest|offer|anna|-|-|sent the offer",
                "3|reassignment|-|-|-|boris|anna|-|-",
                "4|transition|Lost|offer|-|boris|-|budget|-",
            ],
            rows);
        command.CommandText = "SELECT count(*) FROM invoices";
        Assert.Equal(1L, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Model_HasTheDocumentedTablesKeysAndIndexes()
    {
        var options = new DbContextOptionsBuilder<FunnelMetricsDbContext>().UseSqlite("Data Source=:memory:").Options;
        await using var context = new FunnelMetricsDbContext(options, "funnel");
        var model = context.GetService<Microsoft.EntityFrameworkCore.Metadata.IDesignTimeModel>().Model;

        var events = model.GetEntityTypes().Single(t => t.GetTableName() == "funnel_events");
        Assert.Equal("funnel", events.GetSchema());
        Assert.Equal(["event_id"], events.FindPrimaryKey()!.Properties.Select(p => p.GetColumnName()));
        var version = events.GetIndexes().Single(i => i.GetDatabaseName() == "ux_funnel_events_client_sequence");
        Assert.True(version.IsUnique);
        Assert.Equal(["client_id", "sequence"], version.Properties.Select(p => p.GetColumnName()));
        Assert.Equal(
            ["pipeline_id", "occurred_at_utc_ticks", "client_id", "sequence"],
            events.GetIndexes().Single(i => i.GetDatabaseName() == "ix_funnel_events_pipeline_order").Properties.Select(p => p.GetColumnName()));
        Assert.Equal(["position"], events.GetIndexes().Single(i => i.GetDatabaseName() == "ux_funnel_events_position" && i.IsUnique).Properties.Select(p => p.GetColumnName()));
        Assert.Equal(["pipeline_id", "position"], events.GetIndexes().Single(i => i.GetDatabaseName() == "ix_funnel_events_pipeline_position").Properties.Select(p => p.GetColumnName()));
        Assert.Equal("type IN ('transition', 'activity', 'reassignment', 'update')", events.GetCheckConstraints().Single().Sql);
        var eventColumns = events.GetProperties().Select(p => p.GetColumnName()).ToList();
        Assert.All(["position", "sets_value", "value", "sets_expected_close_date", "expected_close_date", "attribute_changes"], c => Assert.Contains(c, eventColumns));
        var clients = model.GetEntityTypes().Single(t => t.GetTableName() == "funnel_clients");
        Assert.Equal(["position"], clients.GetIndexes().Single(i => i.GetDatabaseName() == "ux_funnel_clients_position" && i.IsUnique).Properties.Select(p => p.GetColumnName()));
        Assert.Equal(["pipeline_id", "position"], clients.GetIndexes().Single(i => i.GetDatabaseName() == "ix_funnel_clients_pipeline_position").Properties.Select(p => p.GetColumnName()));
        Assert.Contains("expected_close_date", clients.GetProperties().Select(p => p.GetColumnName()));
        var states = model.GetEntityTypes().Single(t => t.GetTableName() == "funnel_client_states");
        Assert.Equal(["client_id"], states.FindPrimaryKey()!.Properties.Select(p => p.GetColumnName()));
        Assert.Equal(
            ["client_id", "last_event_at_utc_ticks", "last_touched_at_utc_ticks", "owner", "pipeline_id", "stage", "stage_entered_at_utc_ticks", "status", "version"],
            states.GetProperties().Select(p => p.GetColumnName()).Order(StringComparer.Ordinal));
        var feed = model.GetEntityTypes().Single(t => t.GetTableName() == "funnel_feed");
        Assert.Equal(["id"], feed.FindPrimaryKey()!.Properties.Select(p => p.GetColumnName()));
        Assert.Single(feed.GetSeedData());
        Assert.Equal(
            ["funnel_client_attributes", "funnel_client_states", "funnel_clients", "funnel_events", "funnel_feed", "funnel_pipelines", "funnel_stages"],
            model.GetEntityTypes().Select(t => t.GetTableName()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Contexts_OverDifferentSchemas_GetDifferentModels()
    {
        var options = new DbContextOptionsBuilder<FunnelMetricsDbContext>().UseSqlite("Data Source=:memory:").Options;
        await using var a = new FunnelMetricsDbContext(options, "a");
        await using var b = new FunnelMetricsDbContext(options, "b");

        Assert.Equal("a", a.Model.GetEntityTypes().First().GetSchema());
        Assert.Equal("b", b.Model.GetEntityTypes().First().GetSchema());
    }
}
