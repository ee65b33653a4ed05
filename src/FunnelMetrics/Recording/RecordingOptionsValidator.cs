using Microsoft.Extensions.Options;

namespace FunnelMetrics.Recording;

/// <summary>Validates <see cref="RecordingOptions"/> from its data annotations, with code generated at build time (AOT-safe); the options graph's validator runs it for its <c>Recording</c> member.</summary>
[OptionsValidator]
internal sealed partial class RecordingOptionsValidator : IValidateOptions<RecordingOptions>
{
    /// <summary>One shared instance: the generated validator holds no state.</summary>
    public static readonly RecordingOptionsValidator Instance = new();
}
