using Microsoft.Extensions.Options;

namespace FunnelMetrics.DependencyInjection;

/// <summary>Validates <see cref="FunnelMetricsOptions"/> from its data annotations, with code generated at build time (AOT-safe).</summary>
[OptionsValidator]
internal sealed partial class FunnelMetricsOptionsValidator : IValidateOptions<FunnelMetricsOptions>
{
}
