using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace FunnelMetrics.Analytics;

/// <summary>
/// The warm models of a store's pipelines, by pipeline, where <see cref="FunnelAnalytics"/> looks before it reads
/// storage: a pipeline with a model is answered from its snapshot; one being loaded is waited for; any other is read
/// from storage. Registered as a singleton by <c>AddFunnelMetrics</c> (empty: everything is read from storage) and
/// filled by the hosted follower of <c>FunnelMetrics.Hosting</c>, or by your own code. Thread-safe; pure: no I/O.
/// </summary>
public sealed class FunnelReadModelRegistry
{
    private readonly ConcurrentDictionary<PipelineId, Entry> _entries = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource? _discovery;

    /// <summary>The pipelines with a model, loaded (ready or failed).</summary>
    public IReadOnlyList<FunnelReadModel> Models => [.. _entries.Values.Select(e => e.Model).OfType<FunnelReadModel>().OrderBy(m => m.PipelineId)];

    /// <summary>The pipelines declared (<see cref="Expect"/>) whose model is not loaded yet.</summary>
    public IReadOnlyList<PipelineId> Loading => [.. _entries.Where(e => e.Value.Model is null).Select(e => e.Key).Order()];

    /// <summary>Whether the registry is still finding out which pipelines it serves (<see cref="BeginDiscovery"/>).</summary>
    public bool IsDiscovering
    {
        get
        {
            lock (_gate)
            {
                return _discovery is not null;
            }
        }
    }

    /// <summary>
    /// Says that the pipelines served are being found out (a follower of every pipeline of a store lists them): until
    /// <see cref="EndDiscovery"/>, a lookup of a pipeline not declared waits instead of falling back to storage.
    /// </summary>
    public void BeginDiscovery()
    {
        lock (_gate)
        {
            _discovery ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Says that every pipeline served is declared: lookups of other pipelines fall back to storage again.</summary>
    public void EndDiscovery()
    {
        TaskCompletionSource? discovery;
        lock (_gate)
        {
            (discovery, _discovery) = (_discovery, null);
        }

        discovery?.TrySetResult();
    }

    /// <summary>Declares that a model of the pipeline is being loaded: lookups of it wait until <see cref="Add"/> (or <see cref="Abandon"/>).</summary>
    /// <param name="pipelineId">The pipeline.</param>
    public void Expect(PipelineId pipelineId) => _entries.TryAdd(pipelineId, new Entry(null));

    /// <summary>Serves a model: its pipeline's lookups are answered from it from now on, replacing any model it had.</summary>
    /// <param name="model">The model, loaded.</param>
    public void Add(FunnelReadModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var entry = new Entry(model);
        entry.Ready.TrySetResult();
        Entry? previous = null;
        _ = _entries.AddOrUpdate(model.PipelineId, entry, (_, old) =>
        {
            previous = old;
            return entry;
        });

        // Those waiting for the model loading (the entry replaced) go on to this one.
        previous?.Ready.TrySetResult();
    }

    /// <summary>Stops serving a pipeline (its model, or its loading): lookups of it read storage again; those waiting go on to storage.</summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <returns>Whether the registry served it.</returns>
    public bool Abandon(PipelineId pipelineId)
    {
        if (_entries.TryRemove(pipelineId, out var entry))
        {
            entry.Ready.TrySetResult();
            return true;
        }

        return false;
    }

    /// <summary>The model of a pipeline, when one is loaded.</summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="model">The model, or <see langword="null"/>.</param>
    /// <returns>Whether a model is loaded.</returns>
    public bool TryGet(PipelineId pipelineId, [NotNullWhen(true)] out FunnelReadModel? model)
    {
        model = _entries.TryGetValue(pipelineId, out var entry) ? entry.Model : null;
        return model is not null;
    }

    /// <summary>Where a pipeline stands: not served, loading, ready or failed.</summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <returns>The status.</returns>
    public FunnelReadModelStatus GetStatus(PipelineId pipelineId) => _entries.TryGetValue(pipelineId, out var entry)
        ? entry.Model switch
        {
            null => FunnelReadModelStatus.Loading,
            { IsFailed: true } => FunnelReadModelStatus.Failed,
            _ => FunnelReadModelStatus.Ready,
        }
        : FunnelReadModelStatus.NotServed;

    /// <summary>
    /// The latest snapshot of a pipeline's model: at once when it is loaded, after its load when it is being loaded (or,
    /// during discovery, when it may be), and <see langword="null"/> when the registry does not serve the pipeline.
    /// </summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The snapshot, or <see langword="null"/> for a pipeline to read from storage.</returns>
    public async ValueTask<FunnelSnapshot?> GetSnapshotAsync(PipelineId pipelineId, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_entries.TryGetValue(pipelineId, out var entry))
            {
                if (entry.Model is { } model)
                {
                    return model.Snapshot;
                }

                await entry.Ready.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            Task? discovery;
            lock (_gate)
            {
                discovery = _discovery?.Task;
            }

            if (discovery is null)
            {
                return null;
            }

            await discovery.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until discovery is over and every pipeline declared has its model loaded (ready or failed) or was abandoned.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the registry is ready.</returns>
    public async Task WaitForReadyAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task? discovery;
            lock (_gate)
            {
                discovery = _discovery?.Task;
            }

            if (discovery is not null)
            {
                await discovery.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            var loading = _entries.Values.Where(e => e.Model is null).Select(e => e.Ready.Task).ToArray();
            if (loading.Length == 0)
            {
                return;
            }

            await Task.WhenAll(loading).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A pipeline served: its model once loaded, and the signal its waiters wait on.</summary>
    private sealed class Entry(FunnelReadModel? model)
    {
        public FunnelReadModel? Model { get; } = model;

        public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
