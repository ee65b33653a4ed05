namespace FunnelMetrics.Metrics;

/// <summary>A client's state as of an instant, as a row or column of the <see cref="PipelineWaterfall.Matrix"/>.</summary>
public enum WaterfallStateKind
{
    /// <summary>Not yet entered the pipeline (or not yet created); under an owner condition, also a client whose owner then is not kept.</summary>
    NotEntered,

    /// <summary>Open at a stage (<see cref="WaterfallState.Stage"/>).</summary>
    Open,

    /// <summary>Won: in the won stage.</summary>
    Won,

    /// <summary>Lost (and not reopened).</summary>
    Lost,
}
