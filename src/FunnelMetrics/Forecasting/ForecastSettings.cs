namespace FunnelMetrics.Forecasting;

/// <summary>How forecasts are estimated and simulated. Validated when set; an invalid value throws naming the setting.</summary>
public sealed record ForecastSettings
{
    private readonly TimeSpan _historyWindow = FunnelMetricsOptions.DefaultForecastHistoryWindow;
    private readonly int _minimumDepartures = FunnelMetricsOptions.DefaultForecastMinimumDepartures;
    private readonly int _runs = FunnelMetricsOptions.DefaultForecastRuns;

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

    /// <summary>How many simulated futures a horizon forecast averages; from 100 to 1,000,000. Default: 2,000.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside the range.</exception>
    public int Runs
    {
        get => _runs;
        init => _runs = value is >= 100 and <= 1_000_000 ? value : throw new ArgumentOutOfRangeException(nameof(Runs), value, "The number of simulation runs must be from 100 to 1,000,000.");
    }

    /// <summary>
    /// The simulation's seed: the same input and seed give the same answer. Default: 20260301. <see langword="null"/>
    /// opts out of reproducibility and draws a seed, which the result reports so the run can still be repeated;
    /// backtests require a seed.
    /// </summary>
    public int? Seed { get; init; } = FunnelMetricsOptions.DefaultForecastSeed;

    /// <summary>
    /// Whether horizon forecasts add future intake: new clients entering the first open stage at the recent daily rate (first
    /// entries in the history window, per day of the window that the pipeline's history covers). Default: no.
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
            Runs = options.ForecastRuns,
            Seed = options.ForecastSeed,
            IncludeIntake = options.ForecastIncludesIntake,
        };
    }
}
