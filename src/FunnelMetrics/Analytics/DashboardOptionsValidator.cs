using Microsoft.Extensions.Options;

namespace FunnelMetrics.Analytics;

/// <summary>Validates <see cref="DashboardOptions"/> from its data annotations, with code generated at build time (AOT-safe); the options graph's validator runs it for its <c>Dashboard</c> member.</summary>
[OptionsValidator]
internal sealed partial class DashboardOptionsValidator : IValidateOptions<DashboardOptions>
{
    /// <summary>One shared instance: the generated validator holds no state.</summary>
    public static readonly DashboardOptionsValidator Instance = new();
}
