namespace FunnelMetrics.Metrics;

/// <summary>The win rate among the clients closed in a window: won / (won + lost).</summary>
/// <param name="Won">Clients whose closing event (their last win or loss as of the instant) is a win inside the window.</param>
/// <param name="Lost">Clients whose closing event is a loss inside the window.</param>
/// <param name="Rate"><c>Won / (Won + Lost)</c>, or <see langword="null"/> when nobody closed in the window.</param>
public sealed record WinRate(int Won, int Lost, double? Rate);
