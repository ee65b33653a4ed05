using Microsoft.Extensions.Options;

namespace FunnelMetrics.Storage;

/// <summary>Validates <see cref="FeedFollowerOptions"/> from its data annotations, with code generated at build time (AOT-safe).</summary>
[OptionsValidator]
internal sealed partial class FeedFollowerOptionsValidator : IValidateOptions<FeedFollowerOptions>
{
    /// <summary>One shared instance: the generated validator holds no state.</summary>
    public static readonly FeedFollowerOptionsValidator Instance = new();
}
