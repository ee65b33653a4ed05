using Microsoft.Extensions.Options;

namespace FunnelMetrics.Analytics;

/// <summary>
/// Validates the whole <see cref="FunnelMetricsOptions"/> graph, with code generated at build time (AOT-safe): its own
/// members here, each sub-options member by that type's own generated validator, so every bound is written once, on the
/// property it limits. Registered with the host's start-up validation and run by <see cref="FunnelAnalytics"/> when built by hand.
/// </summary>
[OptionsValidator]
internal sealed partial class FunnelMetricsOptionsValidator : IValidateOptions<FunnelMetricsOptions>
{
    /// <summary>One shared instance: the generated validator holds no state.</summary>
    public static readonly FunnelMetricsOptionsValidator Instance = new();
}
