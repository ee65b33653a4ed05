using System.Runtime.CompilerServices;
using FunnelMetrics.Storage;
using Microsoft.EntityFrameworkCore;

namespace FunnelMetrics.EntityFrameworkCore;

/// <summary>
/// Pipeline definitions in the <c>funnel_pipelines</c> and <c>funnel_stages</c> tables. Each call uses its own
/// context from the factory, so one instance is safe for concurrent use.
/// </summary>
/// <typeparam name="TContext">A context whose model includes the funnel's tables.</typeparam>
/// <param name="contextFactory">Creates the contexts.</param>
public sealed class EntityFrameworkPipelineRepository<TContext>(IDbContextFactory<TContext> contextFactory) : IPipelineRepository
    where TContext : DbContext
{
    private readonly IDbContextFactory<TContext> _contextFactory = contextFactory ?? throw new ArgumentNullException(nameof(contextFactory));

    /// <inheritdoc/>
    public async ValueTask<PipelineDefinition?> GetAsync(PipelineId pipelineId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            return await GetAsync(context, pipelineId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async Task<bool> AddAsync(PipelineDefinition pipeline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        cancellationToken.ThrowIfCancellationRequested();
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var stored = await GetAsync(context, pipeline.Id, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                context.Add(Mapping.ToRecord(pipeline));
                try
                {
                    // One SaveChanges is one transaction: the pipeline and its stages, or nothing.
                    await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                    return true;
                }
                catch (DbUpdateException)
                {
                    // Another writer added the id first (a unique violation); anything else is not ours to explain.
                    context.ChangeTracker.Clear();
                    stored = await GetAsync(context, pipeline.Id, cancellationToken).ConfigureAwait(false);
                    if (stored is null)
                    {
                        throw;
                    }
                }
            }

            return stored.Equals(pipeline) ? false : throw new PipelineConflictException(stored, pipeline);
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<PipelineDefinition> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var rows = context.Set<PipelineRecord>().AsNoTracking().Include(p => p.Stages).OrderBy(p => p.PipelineId).AsAsyncEnumerable();
            await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return Mapping.ToPipeline(row);
            }
        }
    }

    private static async Task<PipelineDefinition?> GetAsync(TContext context, PipelineId pipelineId, CancellationToken cancellationToken)
    {
        var id = pipelineId.Value;
        var row = await context.Set<PipelineRecord>().AsNoTracking().Include(p => p.Stages)
            .FirstOrDefaultAsync(p => p.PipelineId == id, cancellationToken).ConfigureAwait(false);
        return row is null ? null : Mapping.ToPipeline(row);
    }
}
