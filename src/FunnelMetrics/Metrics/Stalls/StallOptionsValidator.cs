using Microsoft.Extensions.Options;

namespace FunnelMetrics.Metrics;

/// <summary>Validates <see cref="StallOptions"/> from its data annotations, with code generated at build time (AOT-safe); the options graph's validator runs it for its <c>Stalls</c> member.</summary>
[OptionsValidator]
internal sealed partial class StallOptionsValidator : IValidateOptions<StallOptions>
{
    /// <summary>One shared instance: the generated validator holds no state.</summary>
    public static readonly StallOptionsValidator Instance = new();
}
