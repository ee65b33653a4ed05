using System.Diagnostics.CodeAnalysis;
using FunnelMetrics.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunnelMetrics.DependencyInjection;

/// <summary>
/// Returned by <c>AddFunnelMetrics</c> to choose storage: storage packages add extension methods here
/// (as <c>AddHttpClient</c> returns an <c>IHttpClientBuilder</c>).
/// </summary>
public sealed class FunnelMetricsBuilder
{
    internal FunnelMetricsBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection FunnelMetrics was added to.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Replaces the in-memory default with your own repositories, for example over an existing CRM's tables.
    /// The three types may be one class implementing all three interfaces.
    /// </summary>
    /// <typeparam name="TPipelines">The <see cref="IPipelineRepository"/> implementation.</typeparam>
    /// <typeparam name="TClients">The <see cref="IClientRepository"/> implementation.</typeparam>
    /// <typeparam name="TEvents">The <see cref="IFunnelEventStore"/> implementation.</typeparam>
    /// <param name="lifetime">Their lifetime; scoped by default, as for repositories over a <c>DbContext</c>.</param>
    /// <remarks>
    /// When <typeparamref name="TEvents"/> also implements <see cref="IFunnelChangeFeed"/>, the feed is registered as the
    /// same instance; so is the fast load (<see cref="Analytics.IFunnelLogSource"/>) when it implements that.
    /// </remarks>
    /// <returns>This builder.</returns>
    public FunnelMetricsBuilder UseRepositories<
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TPipelines,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TClients,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TEvents>(ServiceLifetime lifetime = ServiceLifetime.Scoped)
        where TPipelines : class, IPipelineRepository
        where TClients : class, IClientRepository
        where TEvents : class, IFunnelEventStore
    {
        Services.Replace(ServiceDescriptor.Describe(typeof(IPipelineRepository), typeof(TPipelines), lifetime));
        Services.Replace(ServiceDescriptor.Describe(typeof(IClientRepository), typeof(TClients), lifetime));
        Services.Replace(ServiceDescriptor.Describe(typeof(IFunnelEventStore), typeof(TEvents), lifetime));

        // A store that offers the change feed serves it as the same instance; otherwise the in-memory feed is removed.
        Services.RemoveAll<IFunnelChangeFeed>();
        if (typeof(IFunnelChangeFeed).IsAssignableFrom(typeof(TEvents)))
        {
            Services.Add(ServiceDescriptor.Describe(typeof(IFunnelChangeFeed), static sp => (IFunnelChangeFeed)sp.GetRequiredService<IFunnelEventStore>(), lifetime));
        }

        // The same for the fast load: a store without one has none registered, rather than the in-memory store's.
        Services.RemoveAll<Analytics.IFunnelLogSource>();
        if (typeof(Analytics.IFunnelLogSource).IsAssignableFrom(typeof(TEvents)))
        {
            Services.Add(ServiceDescriptor.Describe(typeof(Analytics.IFunnelLogSource), static sp => (Analytics.IFunnelLogSource)sp.GetRequiredService<IFunnelEventStore>(), lifetime));
        }

        return this;
    }
}
