namespace FunnelMetrics.Storage;

/// <summary>
/// A failed read of the feed, as <see cref="FunnelFeedFollower"/> reports it to its failure hook before it waits and
/// tries again, or before it rethrows. Immutable.
/// </summary>
public sealed class FeedFollowerFailure
{
    /// <summary>Creates the report.</summary>
    /// <param name="exception">What the store threw.</param>
    /// <param name="position">The position the follower had read up to; the retry reads after it.</param>
    /// <param name="attempt">How many reads in a row have failed, this one included: 1 or more.</param>
    /// <param name="retryDelay">How long the follower waits before it tries again, or <see langword="null"/> when it gives up and rethrows.</param>
    /// <exception cref="ArgumentOutOfRangeException">The position is negative, the attempt below 1 or the delay negative.</exception>
    public FeedFollowerFailure(Exception exception, long position, int attempt, TimeSpan? retryDelay)
    {
        Exception = exception ?? throw new ArgumentNullException(nameof(exception));
        Position = position >= 0 ? position : throw new ArgumentOutOfRangeException(nameof(position), position, "A feed position is 0 or more.");
        Attempt = attempt >= 1 ? attempt : throw new ArgumentOutOfRangeException(nameof(attempt), attempt, "A failure is attempt 1 or more.");
        RetryDelay = retryDelay is not { Ticks: < 0 } ? retryDelay : throw new ArgumentOutOfRangeException(nameof(retryDelay), retryDelay, "A retry delay is 0 or more.");
    }

    /// <summary>What the store threw.</summary>
    public Exception Exception { get; }

    /// <summary>The position the follower had read up to; nothing after it was yielded yet.</summary>
    public long Position { get; }

    /// <summary>How many reads in a row have failed, this one included.</summary>
    public int Attempt { get; }

    /// <summary>How long the follower waits before the next try; <see langword="null"/> when it rethrows (not transient, or out of retries).</summary>
    public TimeSpan? RetryDelay { get; }

    /// <summary>Whether the follower will try again.</summary>
    public bool WillRetry => RetryDelay is not null;

    /// <summary>The attempt, the position and what happens next.</summary>
    /// <returns>A short description for logs.</returns>
    public override string ToString() =>
        $"Feed read after position {Position} failed (attempt {Attempt}): {Exception.GetType().Name}: {Exception.Message}; "
        + (RetryDelay is { } d ? $"retrying in {d.TotalMilliseconds:0.###} ms." : "giving up.");
}
