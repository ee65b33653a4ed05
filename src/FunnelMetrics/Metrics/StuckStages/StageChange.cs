namespace FunnelMetrics.Metrics;

/// <summary>How a stage's figures changed from the previous window to the current one (current minus previous); <see langword="null"/> where either side has no value.</summary>
/// <param name="Clients">Change in open clients.</param>
/// <param name="Stalled">Change in stalled clients.</param>
/// <param name="StalledShare">Change in the stalled share.</param>
/// <param name="Median">Change in the median time in stage, when both medians are known values (not "more than").</param>
/// <param name="P90">Change in the 90th percentile, when both are known values.</param>
/// <param name="ConversionToNext">Change in the conversion to a later stage.</param>
public sealed record StageChange(int Clients, int Stalled, double? StalledShare, TimeSpan? Median, TimeSpan? P90, double? ConversionToNext);
