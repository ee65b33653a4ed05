namespace FunnelMetrics.Forecasting;

/// <summary>Wins expected by a horizon, by simulation of the clients in work (and, optionally, future intake).</summary>
/// <param name="End">The horizon, inclusive: wins at or before it count.</param>
/// <param name="Runs">How many futures were simulated.</param>
/// <param name="Seed">The seed used; the same input and seed give the same figures.</param>
/// <param name="IntakePerDay">The daily rate of new clients added at the first open stage, or <see langword="null"/> when intake is not included.</param>
/// <param name="ExpectedWins">The mean number of wins by the horizon over the runs.</param>
/// <param name="P10">The 10th percentile of wins (nearest rank): nine futures in ten do at least this well.</param>
/// <param name="P50">The median.</param>
/// <param name="P90">The 90th percentile: one future in ten does better.</param>
/// <param name="ExpectedValue">The mean won value by the horizon, from the clients in work that have a value (new intake adds no value).</param>
public sealed record HorizonForecast(DateTimeOffset End, int Runs, int Seed, double? IntakePerDay, double ExpectedWins, int P10, int P50, int P90, decimal ExpectedValue);
