using FunnelMetrics.Analytics;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Arrow;

/// <summary>
/// Snapshot files: a pipeline's <see cref="FunnelEventLog"/> written with its change-feed position to an Apache Arrow
/// IPC file, so a restart reads the file and catches up from the feed instead of reading the whole store. The layout,
/// how to open a file in pandas, Polars or DuckDB, and the checks on load are in docs/snapshots.md.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="WriteAsync"/> writes to a temporary file in the target's directory, flushes it to disk, then renames it
/// over the target: a reader (or a crash) sees the old file or the new one, never a part of one.
/// </para>
/// <para>
/// <see cref="ReadAsync"/> refuses a file that is missing, truncated or not Arrow, of another format version, of another
/// pipeline or another definition of this one (a hash of its id, stage keys, stage order and won stage), older than the
/// lowest position the caller accepts or ahead of the store's head, or whose columns and counts disagree with its header:
/// it throws a <see cref="FunnelSnapshotException"/> naming the file and what is wrong, and the caller falls back to a
/// full load. A file that passes is trusted as written by this library from a checked log: its segments are made
/// straight from its columns, without checking each history against the rule table again.
/// </para>
/// </remarks>
public static class FunnelSnapshotFile
{
    /// <summary>Writes a log and the change-feed position it is current to, atomically replacing any file at <paramref name="path"/>.</summary>
    /// <param name="path">The file; its directory must exist. A temporary file is made beside it and renamed over it.</param>
    /// <param name="log">The log.</param>
    /// <param name="position">The feed position the log is current to: it holds every event up to and including it.</param>
    /// <param name="cancellationToken">Cancels the write; the target is then left as it was.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The position is negative.</exception>
    /// <exception cref="ArgumentException">An instant of the log is outside the file's range (Arrow timestamp[ns]: 1677-09-21 to 2262-04-11); the message names the client.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static Task WriteAsync(string path, FunnelEventLog log, long position, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        return SnapshotWriter.WriteAsync(path, log, position, cancellationToken);
    }

    /// <summary>Reads a snapshot file back into a log equal to the one written, after checking it belongs to the pipeline and is current enough.</summary>
    /// <param name="path">The file.</param>
    /// <param name="pipeline">The pipeline, as defined now: a file written for another definition is refused.</param>
    /// <param name="minimumPosition">The lowest feed position accepted: an older snapshot is refused as stale.</param>
    /// <param name="headPosition">The store's head (its latest feed position): a snapshot ahead of it is refused (another store, or a reset one).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The log and the feed position it is current to.</returns>
    /// <exception cref="FunnelSnapshotException">The file is refused; <see cref="FunnelSnapshotException.Problem"/> says why, the message names the file and what is wrong.</exception>
    public static Task<FunnelSnapshot> ReadAsync(string path, PipelineDefinition pipeline, long minimumPosition = 0, long headPosition = long.MaxValue, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(pipeline);
        return SnapshotReader.ReadAsync(path, pipeline, minimumPosition, headPosition, cancellationToken);
    }
}
