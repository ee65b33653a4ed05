namespace FunnelMetrics;

/// <summary>A pipeline with the same id but a different definition already exists. Adding an identical definition again is a no-op.</summary>
public sealed class PipelineConflictException : FunnelMetricsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="existing">The definition already stored.</param>
    /// <param name="rejected">The definition that was refused.</param>
    public PipelineConflictException(PipelineDefinition existing, PipelineDefinition rejected)
        : base($"Pipeline '{existing?.Id}' already exists with a different definition ({existing}); the new one ({rejected}) was refused. Definitions are immutable once added: their stage order gives past transitions their meaning.")
    {
        Existing = existing!;
        Rejected = rejected;
    }

    /// <summary>The definition already stored.</summary>
    public PipelineDefinition Existing { get; }

    /// <summary>The definition that was refused.</summary>
    public PipelineDefinition Rejected { get; }
}
