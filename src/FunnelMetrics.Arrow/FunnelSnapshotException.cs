namespace FunnelMetrics.Arrow;

/// <summary>What is wrong with a snapshot file that <see cref="FunnelSnapshotFile.ReadAsync"/> refused.</summary>
public enum FunnelSnapshotProblem
{
    /// <summary>There is no file at the path.</summary>
    Missing = 0,

    /// <summary>The file is not a readable Arrow IPC file (truncated, overwritten, garbage), or its columns or counts do not agree with its header.</summary>
    Corrupt = 1,

    /// <summary>The file is an Arrow file but not a FunnelMetrics snapshot, or a snapshot of another pipeline or of another definition of this one (its stages, their keys, their order or the won stage changed).</summary>
    Foreign = 2,

    /// <summary>The file was written by a format version this reader does not read.</summary>
    UnsupportedVersion = 3,

    /// <summary>The snapshot is older than the lowest position the caller accepts.</summary>
    Stale = 4,

    /// <summary>The snapshot is ahead of the store's head: it was written from another store, or the store was reset since.</summary>
    Ahead = 5,
}

/// <summary>
/// A snapshot file was refused: <see cref="Problem"/> says why and the message names the file and what is wrong. The
/// caller falls back to a full load from the store (and may overwrite the file with a new snapshot).
/// </summary>
public sealed class FunnelSnapshotException : FunnelMetricsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file.</param>
    /// <param name="problem">What is wrong with it.</param>
    /// <param name="message">What is wrong, naming the file.</param>
    /// <param name="innerException">The cause, if any.</param>
    public FunnelSnapshotException(string path, FunnelSnapshotProblem problem, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>The file refused.</summary>
    public string Path { get; }

    /// <summary>What is wrong with it.</summary>
    public FunnelSnapshotProblem Problem { get; }
}
