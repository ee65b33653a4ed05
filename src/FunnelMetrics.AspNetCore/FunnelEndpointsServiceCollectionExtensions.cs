using System.Diagnostics.CodeAnalysis;
using System.Security.Claims;
using FunnelMetrics;
using FunnelMetrics.AspNetCore;
using FunnelMetrics.Serialization;
using Microsoft.Extensions.DependencyInjection.Extensions;

// Extension methods live in the namespace of what they extend, by convention, so they need no extra using.
#pragma warning disable IDE0130 // Namespace does not match folder structure
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers what <c>MapFunnelMetrics</c> needs: the JSON contract in the HTTP JSON options, problem details, the access policy.</summary>
public static class FunnelEndpointsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the services of the FunnelMetrics endpoints: the library's JSON contract
    /// (<see cref="FunnelMetricsJsonContext"/> and <see cref="FunnelEndpointsJsonContext"/>) first in ASP.NET Core's
    /// HTTP JSON options, so every answer is written as the contract says; problem details (<c>AddProblemDetails</c>);
    /// the default <see cref="IFunnelAccessPolicy"/> (the whole team) unless one is registered; and
    /// <see cref="FunnelEndpointsOptions"/>. Call it beside <c>AddFunnelMetrics()</c>; calling it again only configures
    /// the options further.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options, optional.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddFunnelMetricsEndpoints(this IServiceCollection services, Action<FunnelEndpointsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<FunnelEndpointsOptions>()
            .Validate(o => o.DefaultWindow > TimeSpan.Zero, "FunnelEndpoints.DefaultWindow must be positive.")
            .Validate(o => o.KeepAliveInterval > TimeSpan.Zero, "FunnelEndpoints.KeepAliveInterval must be positive.")
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(FunnelEndpointsMarker)))
        {
            return services;
        }

        services.AddSingleton<FunnelEndpointsMarker>();
        services.AddProblemDetails();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IFunnelAccessPolicy, TeamAccessPolicy>();
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, FunnelEndpointsJsonContext.Default);
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, FunnelMetricsJsonContext.Default);
        });
        return services;
    }

    /// <summary>
    /// Scopes the endpoints to the caller with a function of the caller's claims (<see cref="ClaimsPrincipal"/>, as
    /// ASP.NET Core's authentication set it) and the pipeline, replacing any policy registered before.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="scope">The caller's scope, such as <c>FunnelAccessScope.Team</c> for a head of sales and <c>FunnelAccessScope.ForOwner(...)</c> for a manager.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddFunnelAccessPolicy(this IServiceCollection services, Func<ClaimsPrincipal, PipelineId, FunnelAccessScope> scope)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(scope);
        services.RemoveAll<IFunnelAccessPolicy>();
        services.AddSingleton<IFunnelAccessPolicy>(new ClaimsAccessPolicy(scope));
        return services;
    }

    /// <summary>Scopes the endpoints to the caller with a policy of your own, resolved per request (scoped), replacing any policy registered before.</summary>
    /// <typeparam name="TPolicy">The policy.</typeparam>
    /// <param name="services">The services.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddFunnelAccessPolicy<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TPolicy>(this IServiceCollection services)
        where TPolicy : class, IFunnelAccessPolicy
    {
        ArgumentNullException.ThrowIfNull(services);
        services.RemoveAll<IFunnelAccessPolicy>();
        services.AddScoped<IFunnelAccessPolicy, TPolicy>();
        return services;
    }
}
