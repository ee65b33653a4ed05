namespace FunnelMetrics.Metrics;

/// <summary>The number of clients in one stage.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Clients">How many clients are in it.</param>
public sealed record StageCount(StageId Stage, int Clients);
