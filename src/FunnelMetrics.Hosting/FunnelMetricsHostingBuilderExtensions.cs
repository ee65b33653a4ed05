using FunnelMetrics.DependencyInjection;
using FunnelMetrics.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the hosted read model of FunnelMetrics.Hosting on the <see cref="FunnelMetricsBuilder"/>.</summary>
public static class FunnelMetricsHostingBuilderExtensions
{
    /// <summary>
    /// Adds the hosted read model: <see cref="FunnelReadModelService"/> (a singleton, run as a hosted service) that keeps
    /// a warm model of each pipeline in the <see cref="FunnelMetrics.Analytics.FunnelReadModelRegistry"/>, so that
    /// <see cref="FunnelMetrics.Analytics.FunnelAnalytics"/> answers without touching storage; its health check
    /// (<see cref="FunnelReadModelHealthCheck"/>, named <see cref="FunnelReadModelOptions.HealthCheckName"/>, tagged
    /// <c>funnelmetrics</c> and <c>ready</c>); and <see cref="FunnelReadModelOptions"/>, validated when the host starts.
    /// Call it after choosing storage or before: the store's services are resolved when the service runs. Calling it
    /// again only configures the options further.
    /// </summary>
    /// <param name="builder">The builder <c>AddFunnelMetrics</c> returned.</param>
    /// <returns>The builder.</returns>
    public static FunnelMetricsBuilder AddHostedReadModel(this FunnelMetricsBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        _ = AddCore(builder.Services);
        return builder;
    }

    /// <summary>Adds the hosted read model as <see cref="AddHostedReadModel(FunnelMetricsBuilder)"/> does, setting its options in code.</summary>
    /// <param name="builder">The builder <c>AddFunnelMetrics</c> returned.</param>
    /// <param name="configure">Sets the options, such as <see cref="FunnelReadModelOptions.Pipelines"/> or <c>Feed.PollInterval</c>.</param>
    /// <returns>The builder.</returns>
    public static FunnelMetricsBuilder AddHostedReadModel(this FunnelMetricsBuilder builder, Action<FunnelReadModelOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        _ = AddCore(builder.Services).Configure(configure);
        return builder;
    }

    /// <summary>
    /// Adds the hosted read model as <see cref="AddHostedReadModel(FunnelMetricsBuilder)"/>
    /// does, binding its options from a configuration section, usually <c>configuration.GetSection("FunnelMetrics:ReadModel")</c>
    /// (<see cref="FunnelReadModelOptions.SectionName"/>), with settings such as <c>Pipelines:0</c> and <c>Feed:PollInterval</c>.
    /// </summary>
    /// <param name="builder">The builder <c>AddFunnelMetrics</c> returned.</param>
    /// <param name="configuration">The section holding the options.</param>
    /// <returns>The builder.</returns>
    public static FunnelMetricsBuilder AddHostedReadModel(this FunnelMetricsBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        _ = AddCore(builder.Services).Bind(configuration);
        return builder;
    }

    private static OptionsBuilder<FunnelReadModelOptions> AddCore(IServiceCollection services)
    {
        var options = services.AddOptions<FunnelReadModelOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FunnelReadModelOptions>, FunnelReadModelOptionsValidator>());
        if (services.Any(d => d.ServiceType == typeof(FunnelReadModelService)))
        {
            return options;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<FunnelReadModelService>();
        services.AddHostedService(static sp => sp.GetRequiredService<FunnelReadModelService>());
        services.AddHealthChecks().AddCheck<FunnelReadModelHealthCheck>(FunnelReadModelOptions.HealthCheckName, tags: ["funnelmetrics", "ready"]);
        return options;
    }
}
