using FunnelMetrics.DependencyInjection;
using FunnelMetrics.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses Entity Framework Core storage for FunnelMetrics.</summary>
public static class FunnelMetricsEntityFrameworkCoreBuilderExtensions
{
    /// <summary>
    /// Stores pipelines, clients and events through <typeparamref name="TContext"/>, replacing the in-memory default.
    /// The repositories take contexts from <see cref="IDbContextFactory{TContext}"/>: register one with
    /// <c>services.AddDbContextFactory&lt;TContext&gt;(...)</c> or <c>AddPooledDbContextFactory</c>. The context's model
    /// must include the funnel's tables: use <see cref="FunnelMetricsDbContext"/>, or call
    /// <see cref="FunnelMetricsModelBuilderExtensions.ApplyFunnelMetricsConfiguration"/> in your own.
    /// </summary>
    /// <typeparam name="TContext">The context.</typeparam>
    /// <param name="builder">The builder <c>AddFunnelMetrics</c> returned.</param>
    /// <param name="lifetime">The repositories' lifetime; scoped by default, which fits every factory lifetime.</param>
    /// <returns>The builder.</returns>
    public static FunnelMetricsBuilder UseEntityFrameworkCore<TContext>(this FunnelMetricsBuilder builder, ServiceLifetime lifetime = ServiceLifetime.Scoped)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseRepositories<
            EntityFrameworkPipelineRepository<TContext>,
            EntityFrameworkClientRepository<TContext>,
            EntityFrameworkFunnelEventStore<TContext>>(lifetime);
    }
}
