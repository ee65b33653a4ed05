namespace FunnelMetrics.Storage;

/// <summary>
/// Stores pipeline definitions. Definitions are immutable once added, since their stage order gives past
/// transitions their meaning. Implementations must be safe for concurrent use.
/// </summary>
public interface IPipelineRepository
{
    /// <summary>Gets a pipeline definition.</summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The definition, or <see langword="null"/> when there is none with that id.</returns>
    ValueTask<PipelineDefinition?> GetAsync(PipelineId pipelineId, CancellationToken cancellationToken = default);

    /// <summary>Adds a pipeline definition. Adding one equal to the stored definition is a no-op.</summary>
    /// <param name="pipeline">The definition.</param>
    /// <param name="cancellationToken">Cancels the write; a cancelled write stores nothing.</param>
    /// <returns><see langword="true"/> when added, <see langword="false"/> when an equal definition was already stored.</returns>
    /// <exception cref="PipelineConflictException">A different definition with the same id exists.</exception>
    Task<bool> AddAsync(PipelineDefinition pipeline, CancellationToken cancellationToken = default);

    /// <summary>Lists every pipeline definition, ordered by id (ordinal).</summary>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The definitions.</returns>
    IAsyncEnumerable<PipelineDefinition> ListAsync(CancellationToken cancellationToken = default);
}
