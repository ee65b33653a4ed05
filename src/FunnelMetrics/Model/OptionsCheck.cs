using Microsoft.Extensions.Options;

namespace FunnelMetrics;

/// <summary>
/// Runs an options type's generated validator where the options are used: by a service built by hand (without the host's
/// start-up validation) and by a calculator given options directly. The messages name each setting by its configuration
/// path under the <c>FunnelMetrics</c> section, such as <c>Stalls.DefaultThreshold</c>.
/// </summary>
internal static class OptionsCheck
{
    /// <summary>Throws <see cref="OptionsValidationException"/> (as the host's validation does) when <paramref name="options"/> are invalid.</summary>
    /// <param name="validator">The type's generated validator.</param>
    /// <param name="section">The options' path in the graph, such as <c>Recording</c>: the prefix of every message.</param>
    /// <param name="options">The options.</param>
    public static void ThrowIfInvalid<TOptions>(IValidateOptions<TOptions> validator, string section, TOptions options)
        where TOptions : class
    {
        var result = validator.Validate(section, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(TOptions), result.Failures);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming <paramref name="paramName"/> when the options given to a calculator are invalid.</summary>
    /// <param name="validator">The type's generated validator.</param>
    /// <param name="section">The options' path in the graph, such as <c>Stalls</c>: the prefix of every message.</param>
    /// <param name="options">The options.</param>
    /// <param name="paramName">The calculator's parameter.</param>
    public static void ThrowIfInvalidArgument<TOptions>(IValidateOptions<TOptions> validator, string section, TOptions options, string paramName)
        where TOptions : class
    {
        var result = validator.Validate(section, options);
        if (result.Failed)
        {
            throw new ArgumentException(result.FailureMessage, paramName);
        }
    }
}
