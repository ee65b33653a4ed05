namespace FunnelMetrics.Forecasting;

/// <summary>How forecasts are estimated. Validated when set; an invalid value throws naming the setting.</summary>
public sealed record ForecastSettings
{
    private readonly TimeSpan _historyWindow = FunnelMetricsOptions.DefaultForecastHistoryWindow;
    private readonly int _minimumDepartures = FunnelMetricsOptions.DefaultForecastMinimumDepartures;

    /// <summary>The settings with every default.</summary>
    public static ForecastSettings Default { get; } = new();

    /// <summary>How far back departures are read to estimate the rates: [asOf - window, asOf]. Positive. Default: 180 days.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan HistoryWindow
    {
        get => _historyWindow;
        init => _historyWindow = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(HistoryWindow), value, "The forecast's history window must be positive.");
    }

    /// <summary>How many departures a stage needs for its own rates to be used; 1 or more. Default: 10.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MinimumDepartures
    {
        get => _minimumDepartures;
        init => _minimumDepartures = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MinimumDepartures), value, "The minimum number of departures must be at least 1.");
    }

    /// <summary>
    /// Whether horizon forecasts add future intake: new clients entering the first open stage at the recent daily rate (first
    /// entries in the history window, per day of the window that the pipeline's history covers), arriving as a Poisson
    /// process. Default: no.
    /// </summary>
    public bool IncludeIntake { get; init; }

    /// <summary>The settings held in the options.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The forecast settings.</returns>
    public static ForecastSettings FromOptions(FunnelMetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ForecastSettings
        {
            HistoryWindow = options.ForecastHistoryWindow,
            MinimumDepartures = options.ForecastMinimumDepartures,
            IncludeIntake = options.ForecastIncludesIntake,
        };
    }
}
