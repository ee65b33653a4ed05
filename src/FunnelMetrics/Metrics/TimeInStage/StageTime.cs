namespace FunnelMetrics.Metrics;

/// <summary>How long clients stay in one stage. See <see cref="TimeInStage"/> for which visits count.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Completed">Durations of the visits that ended by the instant (the client moved, won, or was lost).</param>
/// <param name="OpenVisits">Visits still running at the instant.</param>
/// <param name="Median">The median with running visits counted as censored observations (Kaplan–Meier): a stage where slow clients are still waiting does not look fast.</param>
/// <param name="P90">The 90th percentile, estimated the same way.</param>
/// <param name="PerClient">Each client's cumulative time in the stage over all its visits (running ones up to the instant), summarised over the clients with at least one visit.</param>
public sealed record StageTime(StageId Stage, DurationStats Completed, int OpenVisits, DurationEstimate Median, DurationEstimate P90, DurationStats PerClient);
