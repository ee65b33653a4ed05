namespace FunnelMetrics.Metrics;

/// <summary>
/// The sales velocity formula: open clients x average won value x win rate / average cycle time in days, the value the
/// pipeline produces per day at its current size and pace; and the count-only variant (clients won per day) for
/// pipelines without values. A figure is <see langword="null"/> when one of its inputs is.
/// </summary>
/// <param name="OpenClients">Clients in open stages at the end of the window.</param>
/// <param name="AverageWonValue">The mean value of the clients won in the window (the same clients as <see cref="Velocity.CycleTime"/>) that have a value; <see langword="null"/> when none has.</param>
/// <param name="WinRate">Won / (won + lost) among clients closed in the window.</param>
/// <param name="AverageCycleDays">The mean cycle time of the wins in the window, in days.</param>
/// <param name="ValuePerDay"><c>OpenClients x AverageWonValue x WinRate / AverageCycleDays</c>; null when an input is, or when the product is beyond <see cref="decimal"/>'s range.</param>
/// <param name="ClientsPerDay"><c>OpenClients x WinRate / AverageCycleDays</c>.</param>
public sealed record SalesVelocity(int OpenClients, decimal? AverageWonValue, double? WinRate, double? AverageCycleDays, decimal? ValuePerDay, double? ClientsPerDay);
