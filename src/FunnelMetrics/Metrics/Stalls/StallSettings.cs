namespace FunnelMetrics.Metrics;

/// <summary>
/// How stalled clients are detected: the idle clock and where thresholds come from. Validated when set; an invalid value
/// throws naming the setting. <see cref="FromOptions"/> reads them from <see cref="FunnelMetricsOptions"/>.
/// </summary>
public sealed record StallSettings
{
    private readonly IReadOnlyDictionary<StageId, TimeSpan> _stageThresholds = new Dictionary<StageId, TimeSpan>();
    private readonly TimeSpan _defaultThreshold = FunnelMetricsOptions.DefaultStallThresholdValue;
    private readonly double _percentile = FunnelMetricsOptions.DefaultStallPercentile;
    private readonly int _minimumVisits = FunnelMetricsOptions.DefaultStallMinimumVisits;

    /// <summary>The settings with every default.</summary>
    public static StallSettings Default { get; } = new();

    /// <summary>What idle time is measured from. Default: <see cref="StallClock.TimeInStage"/>.</summary>
    public StallClock Clock { get; init; } = StallClock.TimeInStage;

    /// <summary>Thresholds per stage key, used for stages whose definition sets none; each strictly positive. Default: none.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A threshold is zero or negative.</exception>
    public IReadOnlyDictionary<StageId, TimeSpan> StageThresholds
    {
        get => _stageThresholds;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            foreach (var (stage, threshold) in value)
            {
                if (threshold <= TimeSpan.Zero)
                {
                    throw new ArgumentOutOfRangeException(nameof(StageThresholds), threshold, $"The stall threshold of stage '{stage}' must be strictly positive.");
                }
            }

            _stageThresholds = new Dictionary<StageId, TimeSpan>(value);
        }
    }

    /// <summary>The threshold of a stage with no other source; strictly positive. Default: 14 days.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan DefaultThreshold
    {
        get => _defaultThreshold;
        init => _defaultThreshold = value > TimeSpan.Zero
            ? value
            : throw new ArgumentOutOfRangeException(nameof(DefaultThreshold), value, "The default stall threshold must be strictly positive.");
    }

    /// <summary>The percentile of time in stage used as a statistical threshold, in (0, 100]. Default: 90.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside (0, 100].</exception>
    public double Percentile
    {
        get => _percentile;
        init => _percentile = value > 0 && value <= 100
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Percentile), value, "The stall percentile must be greater than 0 and at most 100.");
    }

    /// <summary>How many completed visits a stage needs before its statistical threshold is used; 1 or more. Default: 30.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MinimumVisits
    {
        get => _minimumVisits;
        init => _minimumVisits = value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MinimumVisits), value, "The minimum number of completed visits must be at least 1.");
    }

    /// <summary>The settings held in the options.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The stall settings.</returns>
    public static StallSettings FromOptions(FunnelMetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new StallSettings
        {
            Clock = options.StallClock,
            StageThresholds = options.StallThresholds.ToDictionary(kv => new StageId(kv.Key), kv => kv.Value),
            DefaultThreshold = options.DefaultStallThreshold,
            Percentile = options.StallPercentile,
            MinimumVisits = options.StallMinimumVisits,
        };
    }
}
