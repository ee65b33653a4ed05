using Microsoft.Extensions.Options;

namespace FunnelMetrics.Metrics;

/// <summary>Validates <see cref="ParallelismOptions"/> from its data annotations, with code generated at build time (AOT-safe); the options graph's validator runs it for its <c>Parallelism</c> member.</summary>
[OptionsValidator]
internal sealed partial class ParallelismOptionsValidator : IValidateOptions<ParallelismOptions>
{
    /// <summary>One shared instance: the generated validator holds no state.</summary>
    public static readonly ParallelismOptionsValidator Instance = new();
}
