using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FunnelMetrics.EntityFrameworkCore;

/// <summary>
/// A ready context holding only the funnel's tables, for applications that keep the funnel in a database or schema
/// of its own. To keep them in your application's context instead, call
/// <see cref="FunnelMetricsModelBuilderExtensions.ApplyFunnelMetricsConfiguration"/> from its <c>OnModelCreating</c>.
/// On PostgreSQL the id columns get the binary collation <c>"C"</c> automatically.
/// </summary>
public sealed class FunnelMetricsDbContext : DbContext
{
    /// <summary>Creates a context over the default schema; the constructor dependency injection uses.</summary>
    /// <param name="options">The options, naming the provider and connection.</param>
    [ActivatorUtilitiesConstructor]
    public FunnelMetricsDbContext(DbContextOptions<FunnelMetricsDbContext> options)
        : this(options, null)
    {
    }

    /// <summary>Creates a context whose tables are in <paramref name="schema"/>.</summary>
    /// <param name="options">The options, naming the provider and connection.</param>
    /// <param name="schema">The schema; <see langword="null"/> for the default one.</param>
    public FunnelMetricsDbContext(DbContextOptions<FunnelMetricsDbContext> options, string? schema)
        : base(options) => Schema = schema;

    /// <summary>The schema of the tables, or <see langword="null"/> for the default one.</summary>
    public string? Schema { get; }

    /// <inheritdoc/>
    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
    {
        ArgumentNullException.ThrowIfNull(optionsBuilder);

        // Contexts over different schemas need different models: key the model cache by schema too.
        optionsBuilder.ReplaceService<IModelCacheKeyFactory, SchemaModelCacheKeyFactory>();
    }

    /// <inheritdoc/>
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var collation = Database.ProviderName == FunnelMetricsSchema.NpgsqlProvider ? FunnelMetricsSchema.PostgresBinaryCollation : null;
        modelBuilder.ApplyFunnelMetricsConfiguration(Schema, collation);
    }

    private sealed class SchemaModelCacheKeyFactory : IModelCacheKeyFactory
    {
        public object Create(DbContext context, bool designTime) =>
            (context.GetType(), (context as FunnelMetricsDbContext)?.Schema, designTime);
    }
}
