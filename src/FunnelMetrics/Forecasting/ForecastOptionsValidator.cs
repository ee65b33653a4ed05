using Microsoft.Extensions.Options;

namespace FunnelMetrics.Forecasting;

/// <summary>Validates <see cref="ForecastOptions"/> from its data annotations, with code generated at build time (AOT-safe); the options graph's validator runs it for its <c>Forecast</c> member.</summary>
[OptionsValidator]
internal sealed partial class ForecastOptionsValidator : IValidateOptions<ForecastOptions>
{
    /// <summary>One shared instance: the generated validator holds no state.</summary>
    public static readonly ForecastOptionsValidator Instance = new();
}
