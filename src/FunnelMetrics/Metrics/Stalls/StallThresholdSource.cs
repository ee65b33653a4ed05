namespace FunnelMetrics.Metrics;

/// <summary>Where a stage's stall threshold came from, in the order they are tried.</summary>
public enum StallThresholdSource
{
    /// <summary>The stage's own <see cref="StageDefinition.StallThreshold"/> in the pipeline definition.</summary>
    Stage = 0,

    /// <summary>A per-stage value in the options (<see cref="StallOptions.StageThresholds"/>, bound from <c>FunnelMetrics:Stalls:StageThresholds</c>).</summary>
    Settings = 1,

    /// <summary>The stage's historical percentile of time in stage (Kaplan–Meier), when enough completed visits exist.</summary>
    Statistical = 2,

    /// <summary>The global default (<see cref="StallOptions.DefaultThreshold"/>).</summary>
    Default = 3,
}
