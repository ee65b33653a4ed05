using System.Text.Json;
using System.Text.Json.Serialization;

namespace FunnelMetrics.Serialization;

/// <summary>
/// Applies the JSON contract (<see cref="FunnelMetricsJsonContext"/>) to serializer options that others own, such as
/// ASP.NET Core's HTTP JSON options, so that a result returned from an endpoint is written exactly as the context
/// writes it: enums as strings, durations as numbers of seconds, instants in ISO 8601 UTC.
/// </summary>
/// <example>
/// <code>
/// builder.Services.ConfigureHttpJsonOptions(o => FunnelMetricsJson.Configure(o.SerializerOptions));
/// </code>
/// </example>
public static class FunnelMetricsJson
{
    /// <summary>
    /// Puts the context first in the options' resolver chain (types it does not know fall through to the others) and
    /// gives the options the context's conventions: durations as numbers of seconds (a converter, so the application's
    /// own <see cref="TimeSpan"/>s on these options are seconds too), nulls omitted when writing, and the event
    /// <c>type</c> discriminator read anywhere in an object. The library's enums are strings through the context; the
    /// application's own enums are left as the options write them. Calling it twice changes nothing more.
    /// </summary>
    /// <param name="options">The options to configure; not yet used for serialization (then they are read-only).</param>
    /// <returns>The same options.</returns>
    /// <exception cref="InvalidOperationException">The options have been used already and are read-only.</exception>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.TypeInfoResolverChain.Contains(FunnelMetricsJsonContext.Default))
        {
            options.TypeInfoResolverChain.Insert(0, FunnelMetricsJsonContext.Default);
        }

        if (!options.Converters.OfType<DurationSecondsConverter>().Any())
        {
            options.Converters.Add(new DurationSecondsConverter());
        }

        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.AllowOutOfOrderMetadataProperties = true;

        return options;
    }
}
