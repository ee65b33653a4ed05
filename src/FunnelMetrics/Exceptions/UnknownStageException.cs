namespace FunnelMetrics;

/// <summary>The stage named is not one of the pipeline's stages.</summary>
public sealed class UnknownStageException : FunnelMetricsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pipelineId">The pipeline searched.</param>
    /// <param name="stage">The stage that was not found.</param>
    /// <param name="clientId">The client the stage was asked for, or <see langword="null"/>.</param>
    public UnknownStageException(PipelineId pipelineId, StageId stage, ClientId? clientId)
        : base(clientId is { } c
            ? $"Stage '{stage}' is not a stage of pipeline '{pipelineId}' of client '{c}'. Use one of the pipeline's stage keys."
            : $"Stage '{stage}' is not a stage of pipeline '{pipelineId}'. Use one of the pipeline's stage keys.")
    {
        PipelineId = pipelineId;
        Stage = stage;
        ClientId = clientId;
    }

    /// <summary>The pipeline searched.</summary>
    public PipelineId PipelineId { get; }

    /// <summary>The stage that was not found.</summary>
    public StageId Stage { get; }

    /// <summary>The client the stage was asked for, or <see langword="null"/>.</summary>
    public ClientId? ClientId { get; }
}
