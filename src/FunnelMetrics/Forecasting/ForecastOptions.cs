using System.ComponentModel.DataAnnotations;

namespace FunnelMetrics.Forecasting;

/// <summary>
/// How forecasts are estimated: the <c>Forecast</c> section of the options graph (<c>FunnelMetrics:Forecast</c> in
/// configuration), taken as is by <see cref="ForecastCalculator"/>. Validated when the host starts and by the calculator;
/// an invalid value throws naming the setting, such as <c>Forecast.HistoryWindow</c>.
/// </summary>
public sealed class ForecastOptions
{
    /// <summary>The default of <see cref="HistoryWindow"/>: 180 days.</summary>
    public static readonly TimeSpan DefaultHistoryWindow = TimeSpan.FromDays(180);

    /// <summary>The default of <see cref="MinimumDepartures"/>: 10.</summary>
    public const int DefaultMinimumDepartures = 10;

    /// <summary>The default of <see cref="IncludeIntake"/>: <see langword="false"/>.</summary>
    public const bool DefaultIncludeIntake = false;

    /// <summary>
    /// How far back departures are read to estimate the rates, and new clients to estimate intake: the departures in
    /// [<c>asOf - HistoryWindow</c>, <c>asOf</c>], both inclusive, as everything read "as of" an instant includes it.
    /// From one day to 3650 days (ten years), both inclusive.
    /// </summary>
    /// <value>Default: <see cref="DefaultHistoryWindow"/> (180 days).</value>
    [TimeSpanRange("1.00:00:00", "3650.00:00:00")]
    public TimeSpan HistoryWindow { get; set; } = DefaultHistoryWindow;

    /// <summary>How many departures a stage needs for its own rates to be used, before the fallbacks. From 1 to 1,000,000, both inclusive.</summary>
    /// <value>Default: <see cref="DefaultMinimumDepartures"/> (10).</value>
    [Range(1, 1_000_000)]
    public int MinimumDepartures { get; set; } = DefaultMinimumDepartures;

    /// <summary>
    /// Whether horizon forecasts add future intake: new clients entering the first open stage at the recent daily rate (first
    /// entries in the history window, per day of the window that the pipeline's history covers), arriving as a Poisson process.
    /// </summary>
    /// <value>Default: <see cref="DefaultIncludeIntake"/> (<see langword="false"/>).</value>
    public bool IncludeIntake { get; set; } = DefaultIncludeIntake;

    /// <summary>The options with every default, used when the calculator is given none; never changed.</summary>
    internal static ForecastOptions Defaults { get; } = new();

    /// <summary>The options to compute with: the defaults for <see langword="null"/>, else <paramref name="options"/> once validated.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the setting.</exception>
    internal static ForecastOptions Check(ForecastOptions? options, string paramName)
    {
        if (options is null)
        {
            return Defaults;
        }

        OptionsCheck.ThrowIfInvalidArgument(ForecastOptionsValidator.Instance, "Forecast", options, paramName);
        return options;
    }
}
