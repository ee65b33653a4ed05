namespace FunnelMetrics.Analytics;

/// <summary>
/// Where the hosted read model keeps its snapshots between runs, so that a restart does not re-read the database: when
/// one is registered, the hosted read model (<c>FunnelReadModelService</c> of FunnelMetrics.Hosting) starts each pipeline from its saved snapshot and catches up
/// from the snapshot's feed position, and saves each model every <c>FunnelReadModelOptions.SnapshotInterval</c>
/// and when the host stops. FunnelMetrics.Arrow implements it with files (<c>FunnelSnapshotDirectory</c>).
/// </summary>
/// <remarks>
/// <para>
/// <see cref="LoadAsync"/> refuses (returns <see langword="null"/>) what it cannot trust: a file of another format
/// version, of another pipeline definition, or corrupt; the service then loads the pipeline from the store as without a
/// snapshot store. The service itself also refuses a snapshot whose pipeline differs from the stored definition, or
/// whose position is beyond the store's head (a snapshot of another database).
/// </para>
/// <para>Implementations must be safe for concurrent use, and save atomically (a reader sees the old snapshot or the new one, never part of one).</para>
/// </remarks>
public interface IFunnelSnapshotStore
{
    /// <summary>Loads the latest saved snapshot of a pipeline.</summary>
    /// <param name="pipeline">The pipeline, as stored now: a snapshot of another definition is refused.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The snapshot with the feed position it reflects, or <see langword="null"/> when there is none or it is refused.</returns>
    ValueTask<FunnelSnapshot?> LoadAsync(PipelineDefinition pipeline, CancellationToken cancellationToken = default);

    /// <summary>Saves a pipeline's snapshot, replacing the previous one atomically.</summary>
    /// <param name="snapshot">The snapshot, with the feed position it reflects.</param>
    /// <param name="cancellationToken">Cancels the save; the previous snapshot then stays.</param>
    /// <returns>A task that completes when the snapshot is saved.</returns>
    ValueTask SaveAsync(FunnelSnapshot snapshot, CancellationToken cancellationToken = default);
}
