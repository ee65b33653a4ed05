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
    /// Registers the services of the FunnelMetrics endpoints: the library's JSON contract in ASP.NET Core's HTTP JSON
    /// options (<see cref="FunnelMetricsJson.Configure"/>, then <see cref="FunnelEndpointsJsonContext"/>), so every answer
    /// is written as the contract says (enums as strings, durations as numbers of seconds, instants in ISO 8601); problem details (<c>AddProblemDetails</c>);
    /// the default <see cref="IFunnelAccessPolicy"/> (the whole team) unless one is registered;
    /// <see cref="FunnelEndpointsOptions"/>; and, for the host's OpenAPI documents (<c>AddOpenApi</c>), the schemas of
    /// the identifiers (strings) and of <see cref="ClientView"/>. Call it beside <c>AddFunnelMetrics()</c>; calling it again only configures
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
        services.AddSingleton<FunnelDashboardCache>();
        services.ConfigureAll<Microsoft.AspNetCore.OpenApi.OpenApiOptions>(FunnelOpenApi.Configure);
        services.ConfigureHttpJsonOptions(json =>
        {
            FunnelMetricsJson.Configure(json.SerializerOptions);
            json.SerializerOptions.TypeInfoResolverChain.Insert(1, FunnelEndpointsJsonContext.Default);
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
