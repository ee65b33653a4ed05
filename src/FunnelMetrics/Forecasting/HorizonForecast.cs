namespace FunnelMetrics.Forecasting;

/// <summary>
/// Wins expected by a horizon from the clients in work (and, optionally, future intake), computed from the forecast's
/// chain on a grid of the span from the forecast's instant to the horizon: no simulation, so the same input always
/// gives the same figures. Each visit counts as lasting its remaining time rounded up to whole bins of the grid (at
/// least one), so the figures never exceed the chain's own chance of a win in time, and a later horizon never gives
/// lower ones. docs/metrics.md says exactly what is computed.
/// </summary>
/// <param name="End">The horizon, inclusive: wins at or before it count.</param>
/// <param name="IntakePerDay">The daily rate of new clients added at the first open stage, or <see langword="null"/> when intake is not included.</param>
/// <param name="ExpectedWins">The expected number of wins by the horizon: the sum of each client's chance of being won in time, plus the expected wins of the intake.</param>
/// <param name="P10">The 10th percentile of the number of wins: the smallest count that the wins stay at or below with a chance of at least 10%.</param>
/// <param name="P50">The median: the smallest count that the wins stay at or below with a chance of at least 50%.</param>
/// <param name="P90">The 90th percentile: the wins exceed it with a chance of at most 10%.</param>
/// <param name="ExpectedValue">The expected won value by the horizon: the sum over the clients in work with a value of value x chance of being won in time (new intake adds no value).</param>
public sealed record HorizonForecast(DateTimeOffset End, double? IntakePerDay, double ExpectedWins, int P10, int P50, int P90, decimal ExpectedValue);
