using System.Text;
using FunnelMetrics.Analytics;

namespace FunnelMetrics.Arrow;

/// <summary>
/// Snapshot files in one directory, one per pipeline (<c>&lt;pipeline id&gt;.arrow</c>, the id's characters that a file
/// name cannot hold written as <c>%XX</c>): the <see cref="IFunnelSnapshotStore"/> the hosted read model of
/// FunnelMetrics.Hosting starts from and saves to, so a restart reads the file and catches up from its feed position
/// instead of re-reading the database. Register it with <c>AddSnapshotFiles(directory)</c> on the builder.
/// </summary>
/// <remarks>
/// A missing file loads as <see langword="null"/> (no snapshot yet). A file that cannot be trusted (corrupt, truncated, of
/// another format version or another pipeline definition: <see cref="FunnelSnapshotFile.ReadAsync"/>) throws its
/// <see cref="FunnelSnapshotException"/>, naming the file and what is wrong; the hosted model logs the message and loads
/// the pipeline from the store. Saves are atomic (<see cref="FunnelSnapshotFile.WriteAsync"/>: a temporary file renamed
/// over the old one), so a crash mid-save leaves the previous snapshot.
/// </remarks>
public sealed class FunnelSnapshotDirectory : IFunnelSnapshotStore
{
    /// <summary>Keeps the snapshots in <paramref name="directory"/>, created when missing.</summary>
    /// <param name="directory">The directory.</param>
    /// <exception cref="ArgumentException">The directory is empty.</exception>
    public FunnelSnapshotDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = System.IO.Directory.CreateDirectory(directory).FullName;
    }

    /// <summary>The directory, as a full path.</summary>
    public string Directory { get; }

    /// <summary>The file of a pipeline's snapshot.</summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <returns>Its full path.</returns>
    public string PathOf(PipelineId pipelineId)
    {
        var name = new StringBuilder();
        foreach (var c in pipelineId.Value)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            {
                name.Append(c);
            }
            else
            {
                foreach (var b in Encoding.UTF8.GetBytes(c.ToString()))
                {
                    name.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        return Path.Combine(Directory, name.Append(".arrow").ToString());
    }

    /// <inheritdoc/>
    /// <exception cref="FunnelSnapshotException">The file is there but refused; the message names it and what is wrong.</exception>
    public async ValueTask<FunnelSnapshot?> LoadAsync(PipelineDefinition pipeline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var path = PathOf(pipeline.Id);
        return File.Exists(path) ? await FunnelSnapshotFile.ReadAsync(path, pipeline, cancellationToken: cancellationToken).ConfigureAwait(false) : null;
    }

    /// <inheritdoc/>
    public async ValueTask SaveAsync(FunnelSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        await FunnelSnapshotFile.WriteAsync(PathOf(snapshot.Log.Pipeline.Id), snapshot.Log, snapshot.Position, cancellationToken).ConfigureAwait(false);
    }
}
