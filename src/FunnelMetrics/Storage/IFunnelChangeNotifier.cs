namespace FunnelMetrics.Storage;

/// <summary>
/// A push wake-up a change feed may offer beside <see cref="IFunnelChangeFeed"/>: a way to wait for the next change
/// instead of polling. <see cref="FunnelFeedFollower"/> uses it when the feed implements it, and keeps polling as the
/// fallback (a notification lost between processes then costs one poll interval, never a change).
/// </summary>
/// <remarks>
/// A notifier only says when to read again; the feed remains the truth. Implementations may complete early
/// (a spurious wake-up costs one empty read) but must not miss a change that becomes visible after the call starts,
/// and must be safe for concurrent use.
/// </remarks>
public interface IFunnelChangeNotifier
{
    /// <summary>
    /// Completes when a change after <paramref name="after"/> is visible (of <paramref name="pipelineId"/>, when given),
    /// at once when one already is.
    /// </summary>
    /// <param name="after">The position the caller has read up to.</param>
    /// <param name="pipelineId">The pipeline the caller follows, or <see langword="null"/> for the whole store.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when there is something to read, or that is cancelled.</returns>
    ValueTask WaitForChangeAsync(long after, PipelineId? pipelineId = null, CancellationToken cancellationToken = default);
}
