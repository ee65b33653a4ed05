namespace FunnelMetrics.Analytics;

/// <summary>Where a pipeline stands in a <see cref="FunnelReadModelRegistry"/>.</summary>
public enum FunnelReadModelStatus
{
    /// <summary>The registry serves no model of the pipeline: <see cref="FunnelAnalytics"/> reads it from storage.</summary>
    NotServed = 0,

    /// <summary>A model of the pipeline is being loaded: <see cref="FunnelAnalytics"/> waits for it.</summary>
    Loading = 1,

    /// <summary>The model is loaded and applies the feed's changes.</summary>
    Ready = 2,

    /// <summary>The model stopped at a change it could not apply (<see cref="FunnelReadModel.Failure"/>) and serves its last good snapshot.</summary>
    Failed = 3,
}
