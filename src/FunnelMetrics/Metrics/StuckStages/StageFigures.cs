namespace FunnelMetrics.Metrics;

/// <summary>One stage's figures over one window, for <see cref="StuckStages"/>.</summary>
/// <param name="Clients">Open clients in the stage at the window's end, after the events before it.</param>
/// <param name="Stalled">Of them, the stalled ones (see <see cref="StalledClients"/>).</param>
/// <param name="StalledShare"><c>Stalled / Clients</c>, or <see langword="null"/> when the stage is empty.</param>
/// <param name="Median">The Kaplan–Meier median time in stage of the visits that began in the window [start, end), with visits still running at its end censored there.</param>
/// <param name="P90">The Kaplan–Meier 90th percentile of the same visits.</param>
/// <param name="ConversionToNext">The share of the clients who first reached the stage in the window [start, end) that went on to a later stage before its end (<see cref="StageConversion.AdvancedShare"/>), or <see langword="null"/> when none reached it.</param>
public sealed record StageFigures(int Clients, int Stalled, double? StalledShare, DurationEstimate Median, DurationEstimate P90, double? ConversionToNext);
