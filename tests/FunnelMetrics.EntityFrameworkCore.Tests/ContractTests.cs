using FunnelMetrics.Storage;

namespace FunnelMetrics.EntityFrameworkCore.Tests;

/// <summary>The conformance kit against the Entity Framework Core store on SQLite.</summary>
public sealed class SqliteRepositoryContractTests(SqliteDatabase database) : RepositoryContractTests, IClassFixture<SqliteDatabase>
{
    protected override Task<RepositorySet> CreateRepositoriesAsync() => Stores.CreateAsync(database);
}

/// <summary>The conformance kit against the Entity Framework Core store on PostgreSQL; skipped without a server.</summary>
public sealed class PostgresRepositoryContractTests(PostgresDatabase database) : RepositoryContractTests, IClassFixture<PostgresDatabase>
{
    protected override Task<RepositorySet> CreateRepositoriesAsync() => Stores.CreateAsync(database);
}

internal static class Stores
{
    public static async Task<RepositorySet> CreateAsync(ITestDatabase database)
    {
        Skip.IfNot(database.Available, database.SkipReason);
        var factory = await database.CreateStoreAsync();
        return new RepositorySet(
            new EntityFrameworkPipelineRepository<FunnelMetricsDbContext>(factory),
            new EntityFrameworkClientRepository<FunnelMetricsDbContext>(factory),
            new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(factory));
    }

    public static IFunnelEventStore Events(Microsoft.EntityFrameworkCore.IDbContextFactory<FunnelMetricsDbContext> factory) =>
        new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(factory);
}
