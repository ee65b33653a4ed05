using FunnelMetrics.Analytics;
using FunnelMetrics.DependencyInjection;
using FunnelMetrics.Diagnostics;
using FunnelMetrics.Import;
using FunnelMetrics.Recording;
using FunnelMetrics.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers FunnelMetrics in a service collection.</summary>
public static class FunnelMetricsServiceCollectionExtensions
{
    /// <summary>
    /// Adds FunnelMetrics: <see cref="FunnelRecorder"/> and <see cref="FunnelAnalytics"/> (scoped), the in-memory store as the default repositories
    /// (singletons), an empty <see cref="FunnelReadModelRegistry"/> (singleton: <see cref="FunnelAnalytics"/> answers from the warm models put in it), <see cref="TimeProvider.System"/> and <see cref="FunnelMetricsOptions"/> validated at start-up as one graph;
    /// the recorder and the importer get its <see cref="FunnelMetricsOptions.Recording"/> section as <c>IOptions&lt;RecordingOptions&gt;</c>;
    /// and <see cref="FunnelMetricsInstrumentation"/> (singleton: the <c>FunnelMetrics</c> meter, created through the
    /// <see cref="System.Diagnostics.Metrics.IMeterFactory"/> that <c>AddMetrics</c> adds, so it works without a host too).
    /// Every default is added with <c>TryAdd</c>, so registrations made before this call win; to replace
    /// storage afterwards, use the returned builder.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder to choose storage.</returns>
    public static FunnelMetricsBuilder AddFunnelMetrics(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddCore(services);
        return new FunnelMetricsBuilder(services);
    }

    /// <summary>
    /// Adds FunnelMetrics as <see cref="AddFunnelMetrics(IServiceCollection)"/> does, setting options in code.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets options in code.</param>
    /// <returns>A builder to choose storage.</returns>
    public static FunnelMetricsBuilder AddFunnelMetrics(this IServiceCollection services, Action<FunnelMetricsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        AddCore(services).Configure(configure);
        return new FunnelMetricsBuilder(services);
    }

    /// <summary>
    /// Adds FunnelMetrics as <see cref="AddFunnelMetrics(IServiceCollection)"/> does,
    /// binding the options from a configuration section, usually <c>configuration.GetSection("FunnelMetrics")</c>
    /// (<see cref="FunnelMetricsOptions.SectionName"/>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding the options, with nested sections such as <c>Recording:FutureTolerance</c> or <c>Stalls:DefaultThreshold</c>.</param>
    /// <returns>A builder to choose storage.</returns>
    public static FunnelMetricsBuilder AddFunnelMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        AddCore(services).Bind(configuration);
        return new FunnelMetricsBuilder(services);
    }

    /// <summary>The latest snapshot's log of each pipeline the registry serves, for the per-stage gauges.</summary>
    private static IEnumerable<FunnelMetrics.Metrics.FunnelEventLog> ServedLogs(FunnelReadModelRegistry registry)
    {
        foreach (var model in registry.Models)
        {
            yield return model.Snapshot.Log;
        }
    }

    private static OptionsBuilder<FunnelMetricsOptions> AddCore(IServiceCollection services)
    {
        var options = services.AddOptionsWithValidateOnStart<FunnelMetricsOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FunnelMetricsOptions>, FunnelMetricsOptionsValidator>());

        // The recorder and the importer sit below the graph and take only their section of it, validated with the graph.
        services.TryAddSingleton<IOptions<RecordingOptions>>(static sp => Options.Options.Create(sp.GetRequiredService<IOptions<FunnelMetricsOptions>>().Value.Recording));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<InMemoryFunnelStore>();
        services.TryAddSingleton<IPipelineRepository>(static sp => sp.GetRequiredService<InMemoryFunnelStore>().Pipelines);
        services.TryAddSingleton<IClientRepository>(static sp => sp.GetRequiredService<InMemoryFunnelStore>().Clients);
        services.TryAddSingleton<IFunnelEventStore>(static sp => sp.GetRequiredService<InMemoryFunnelStore>().Events);
        services.TryAddSingleton<IFunnelChangeFeed>(static sp => sp.GetRequiredService<InMemoryFunnelStore>().Feed);
        services.TryAddSingleton<IFunnelLogSource>(static sp => new InMemoryFunnelLogSource(sp.GetRequiredService<InMemoryFunnelStore>().Events));
        services.TryAddScoped<FunnelRecorder>();
        services.TryAddSingleton<FunnelReadModelRegistry>();
        services.AddMetrics();
        services.TryAddSingleton(static sp =>
        {
            var options = sp.GetRequiredService<IOptions<FunnelMetricsOptions>>().Value;
            var instrumentation = new FunnelMetricsInstrumentation(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetRequiredService<TimeProvider>(), options.Stalls, options.Parallelism, options.WorkingCalendar.ToCalendar(options.TimeZone));
            var registry = sp.GetRequiredService<FunnelReadModelRegistry>();
            instrumentation.SetServedLogs(() => ServedLogs(registry));
            return instrumentation;
        });
        services.TryAddScoped<FunnelAnalytics>();
        services.TryAddScoped<FunnelImporter>();
        return options;
    }
}
