using FunnelMetrics.Metrics;

namespace FunnelMetrics.Arrow;

/// <summary>
/// A pipeline's log read back from a snapshot file, with the change-feed position it was written at: the log holds
/// every event up to and including that position, so a follower catches up by reading the feed after it (go on from
/// the log with <c>new FunnelLogBuilder(snapshot.Log)</c>).
/// </summary>
public sealed class FunnelSnapshot
{
    /// <summary>Creates a snapshot.</summary>
    /// <param name="log">The log.</param>
    /// <param name="position">The change-feed position the log is current to.</param>
    /// <exception cref="ArgumentOutOfRangeException">The position is negative.</exception>
    public FunnelSnapshot(FunnelEventLog log, long position)
    {
        Log = log ?? throw new ArgumentNullException(nameof(log));
        Position = position >= 0 ? position : throw new ArgumentOutOfRangeException(nameof(position), position, "A feed position is 0 or more.");
    }

    /// <summary>The log, equal to the one written: the same clients, events, owners and updates.</summary>
    public FunnelEventLog Log { get; }

    /// <summary>The change-feed position the log is current to: it holds every event up to and including it.</summary>
    public long Position { get; }
}
