using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace FunnelMetrics.Storage;

/// <summary>Pipeline definitions held in process memory; thread-safe. Part of <see cref="InMemoryFunnelStore"/>.</summary>
public sealed class InMemoryPipelineRepository : IPipelineRepository
{
    private readonly ConcurrentDictionary<PipelineId, PipelineDefinition> _pipelines = new();

    /// <inheritdoc/>
    public ValueTask<PipelineDefinition?> GetAsync(PipelineId pipelineId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_pipelines.GetValueOrDefault(pipelineId));
    }

    /// <inheritdoc/>
    public Task<bool> AddAsync(PipelineDefinition pipeline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        cancellationToken.ThrowIfCancellationRequested();
        var stored = _pipelines.GetOrAdd(pipeline.Id, pipeline);
        if (ReferenceEquals(stored, pipeline))
        {
            return Task.FromResult(true);
        }

        return stored.Equals(pipeline) ? Task.FromResult(false) : throw new PipelineConflictException(stored, pipeline);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<PipelineDefinition> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var snapshot = _pipelines.Values.ToArray();
        Array.Sort(snapshot, static (a, b) => a.Id.CompareTo(b.Id));
        foreach (var pipeline in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return pipeline;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
