using FunnelMetrics.Metrics;

namespace FunnelMetrics.Analytics;

/// <summary>
/// What a <see cref="FunnelReadModel"/> published: an immutable log every calculator reads as it reads a built
/// <see cref="FunnelEventLog"/>, and the change feed position it reflects. Immutable; cheap to take and to hold.
/// </summary>
public sealed class FunnelSnapshot
{
    /// <summary>Creates a snapshot.</summary>
    /// <param name="log">The log.</param>
    /// <param name="position">The feed position the log reflects: every change of its pipeline at or below it (0 for none).</param>
    /// <exception cref="ArgumentOutOfRangeException">The position is negative.</exception>
    public FunnelSnapshot(FunnelEventLog log, long position)
    {
        Log = log ?? throw new ArgumentNullException(nameof(log));
        Position = position >= 0 ? position : throw new ArgumentOutOfRangeException(nameof(position), position, "A feed position is 0 (before the first change) or more.");
    }

    /// <summary>The log: the pipeline's clients and events as of <see cref="Position"/>.</summary>
    public FunnelEventLog Log { get; }

    /// <summary>The feed position the log reflects: every change of the pipeline at or below it, none above it.</summary>
    public long Position { get; }

    /// <summary>The number of events in the log (transitions, activities, reassignments and client updates).</summary>
    public int EventCount => Log.EventCount;

    /// <summary>The number of clients in the log.</summary>
    public int ClientCount => Log.ClientCount;

    /// <summary>The pipeline, the position and the counts.</summary>
    /// <returns>A short description for logs.</returns>
    public override string ToString() => $"pipeline '{Log.Pipeline.Id}' at position {Position}: {ClientCount} clients, {EventCount} events";
}
