namespace FunnelMetrics.Metrics;

/// <summary>
/// Summary of a set of durations: count, total, mean and nearest-rank percentiles (the smallest duration with at least
/// p% of the durations at or below it). The statistics are <see langword="null"/> when <see cref="Count"/> is 0.
/// </summary>
/// <param name="Count">How many durations.</param>
/// <param name="TotalDays">Their sum, in days (a number rather than a <see cref="TimeSpan"/>, whose range millions of visits can exceed).</param>
/// <param name="Mean">Their mean, truncated to whole ticks.</param>
/// <param name="Median">The 50th percentile.</param>
/// <param name="P75">The 75th percentile.</param>
/// <param name="P90">The 90th percentile.</param>
public sealed record DurationStats(int Count, double TotalDays, TimeSpan? Mean, TimeSpan? Median, TimeSpan? P75, TimeSpan? P90)
{
    /// <summary>The summary of no durations.</summary>
    public static DurationStats Empty { get; } = new(0, 0, null, null, null, null);
}
