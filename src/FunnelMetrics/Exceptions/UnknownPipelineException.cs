namespace FunnelMetrics;

/// <summary>The pipeline named does not exist in the pipeline repository.</summary>
public sealed class UnknownPipelineException : FunnelMetricsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pipelineId">The pipeline that was not found.</param>
    public UnknownPipelineException(PipelineId pipelineId)
        : base($"Pipeline '{pipelineId}' is not known. Add its definition to the pipeline repository before adding clients to it.")
    {
        PipelineId = pipelineId;
    }

    /// <summary>The pipeline that was not found.</summary>
    public PipelineId PipelineId { get; }
}
