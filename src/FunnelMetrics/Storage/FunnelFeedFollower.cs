using System.Data.Common;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace FunnelMetrics.Storage;

/// <summary>
/// Follows a change feed (<see cref="IFunnelChangeFeed"/>) from a position as one endless stream of changes: pages are
/// read back to back while the follower is behind; at the head it waits for the feed's push wake-up
/// (<see cref="IFunnelChangeNotifier"/>, when the feed offers one) or for <see cref="FeedFollowerOptions.PollInterval"/>,
/// whichever comes first; a transient failure of the store is waited out with exponential back-off. Each change is
/// yielded once, in position order, and only changes after the position given.
/// </summary>
/// <remarks>
/// <para>
/// The follower keeps nothing but the last position it yielded, inside one enumeration: to resume after a restart, store
/// the <see cref="FunnelChange.Position"/> of the last change you processed and follow from it again.
/// </para>
/// <para>
/// Failures: a read that throws is reported to the failure hook (a <see cref="FeedFollowerFailure"/>). When the
/// exception is transient by the follower's predicate (by default <see cref="IsTransientByDefault"/>) and retries are
/// left (<see cref="FeedFollowerOptions.MaxRetries"/>), the follower waits
/// <see cref="FeedFollowerOptions.RetryDelay"/>, doubled for each further failure in a row up to
/// <see cref="FeedFollowerOptions.MaxRetryDelay"/>, and reads again after the same position; a successful read resets
/// the delay. Otherwise the exception is rethrown from the enumeration. A feed that yields a position at or below one
/// already read breaks the feed's guarantee; the follower throws <see cref="InvalidOperationException"/> rather than
/// yield it.
/// </para>
/// <para>
/// Every wait goes through the <see cref="TimeProvider"/> given, so tests drive it with a fake clock. Cancelling the
/// token ends the enumeration promptly with <see cref="OperationCanceledException"/>, also during a wait or a back-off.
/// Thread-safe: one follower may run many enumerations at once, each with its own position.
/// </para>
/// </remarks>
public sealed class FunnelFeedFollower
{
    private readonly IFunnelChangeFeed _feed;
    private readonly IFunnelChangeNotifier? _notifier;
    private readonly TimeProvider _timeProvider;
    private readonly Func<Exception, bool> _isTransient;
    private readonly Action<FeedFollowerFailure>? _onFailure;
    private readonly TimeSpan _pollInterval;
    private readonly int _pageSize;
    private readonly TimeSpan _retryDelay;
    private readonly TimeSpan _maxRetryDelay;
    private readonly int? _maxRetries;

    /// <summary>Creates a follower of a feed.</summary>
    /// <param name="feed">The feed; when it also implements <see cref="IFunnelChangeNotifier"/>, its wake-up is used at the head.</param>
    /// <param name="timeProvider">The clock every wait (poll interval, back-off) goes through.</param>
    /// <param name="options">The page size, poll interval and back-off; <see langword="null"/> for the defaults. The values are copied.</param>
    /// <param name="isTransient">Which failures are waited out and retried; <see langword="null"/> for <see cref="IsTransientByDefault"/>.</param>
    /// <param name="onFailure">
    /// Called with every failed read, before the wait or the rethrow, on the enumerating thread: where a caller logs.
    /// It must be quick; an exception it throws ends the enumeration.
    /// </param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid; the message names the setting, such as <c>FeedFollower.PollInterval</c>.</exception>
    public FunnelFeedFollower(IFunnelChangeFeed feed, TimeProvider timeProvider, FeedFollowerOptions? options = null, Func<Exception, bool>? isTransient = null, Action<FeedFollowerFailure>? onFailure = null)
    {
        _feed = feed ?? throw new ArgumentNullException(nameof(feed));
        _notifier = feed as IFunnelChangeNotifier;
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        options ??= FeedFollowerOptions.Defaults;
        OptionsCheck.ThrowIfInvalid(FeedFollowerOptionsValidator.Instance, "FeedFollower", options);
        _pollInterval = options.PollInterval;
        _pageSize = options.PageSize;
        _retryDelay = options.RetryDelay;
        _maxRetryDelay = options.MaxRetryDelay;
        _maxRetries = options.MaxRetries;
        _isTransient = isTransient ?? IsTransientByDefault;
        _onFailure = onFailure;
    }

    /// <summary>
    /// The default transient predicate: the exception, or one of its inner exceptions, is a
    /// <see cref="DbException"/> whose provider marks it <see cref="DbException.IsTransient"/>, a
    /// <see cref="TimeoutException"/>, an <see cref="IOException"/> or a <see cref="SocketException"/>: a connection
    /// lost or a server briefly away. A store's own refusals, bugs and cancellations are not transient.
    /// </summary>
    /// <param name="exception">What a read threw.</param>
    /// <returns>Whether waiting and reading again may succeed.</returns>
    public static bool IsTransientByDefault(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException { IsTransient: true } or TimeoutException or IOException or SocketException)
            {
                return true;
            }

            if (e is AggregateException { InnerExceptions: { Count: > 1 } inner })
            {
                foreach (var each in inner)
                {
                    if (IsTransientByDefault(each))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    /// <summary>
    /// The wait before the try that follows <paramref name="attempt"/> failures in a row:
    /// <see cref="FeedFollowerOptions.RetryDelay"/> × 2^(attempt − 1), at most <see cref="FeedFollowerOptions.MaxRetryDelay"/>.
    /// </summary>
    /// <param name="attempt">The failures in a row, 1 or more.</param>
    /// <returns>The delay.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The attempt is below 1.</exception>
    public TimeSpan RetryDelayAfter(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);

        // Double until the cap; past 62 doublings any delay is over the cap.
        var ticks = _retryDelay.Ticks;
        for (var i = 1; i < attempt && ticks < _maxRetryDelay.Ticks; i++)
        {
            ticks *= 2;
        }

        return TimeSpan.FromTicks(Math.Min(ticks, _maxRetryDelay.Ticks));
    }

    /// <summary>
    /// Follows the feed from a position: every change after <paramref name="after"/>, in position order, each once,
    /// then each new change as it becomes visible, until the token is cancelled.
    /// </summary>
    /// <param name="after">The position read up to: 0 to start at the first change, or the position of the last change processed.</param>
    /// <param name="pipelineId">The pipeline to follow, or <see langword="null"/> for every pipeline of the store.</param>
    /// <param name="cancellationToken">Ends the follow: the enumeration throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>The changes; the enumeration ends only by cancellation or a failure the follower rethrows.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The position is negative (thrown when called).</exception>
    public IAsyncEnumerable<FunnelChange> FollowAsync(long after = 0, PipelineId? pipelineId = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        return FollowCoreAsync(after, pipelineId, cancellationToken);
    }

    private async IAsyncEnumerable<FunnelChange> FollowCoreAsync(long after, PipelineId? pipelineId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var position = after;
        var failures = 0;
        var page = new List<FunnelChange>(Math.Min(_pageSize, 1024));
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            page.Clear();
            try
            {
                // The page is read whole before anything is yielded: a failure part way is retried from the same
                // position, and the store's connection is not held while the caller processes the changes.
                var query = new ChangeFeedQuery { After = position, PipelineId = pipelineId, Limit = _pageSize };
                await foreach (var change in _feed.ReadChangesAsync(query, cancellationToken).ConfigureAwait(false))
                {
                    page.Add(change);
                    if (page.Count == _pageSize)
                    {
                        break;
                    }
                }
            }
            catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                failures++;
                var retry = _isTransient(e) && (_maxRetries is not { } max || failures <= max);
                var delay = retry ? RetryDelayAfter(failures) : (TimeSpan?)null;
                _onFailure?.Invoke(new FeedFollowerFailure(e, position, failures, delay));
                if (delay is not { } wait)
                {
                    throw;
                }

                await Task.Delay(wait, _timeProvider, cancellationToken).ConfigureAwait(false);
                continue;
            }

            failures = 0;
            foreach (var change in page)
            {
                if (change.Position <= position)
                {
                    throw new InvalidOperationException(
                        $"The feed returned position {change.Position} after position {position}; a feed reads changes after the position asked, in strictly increasing order. The store breaks the contract of {nameof(IFunnelChangeFeed)}.");
                }

                position = change.Position;
                yield return change;
            }

            if (page.Count < _pageSize)
            {
                await WaitAtHeadAsync(position, pipelineId, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Waits for the notifier's wake-up or the poll interval, whichever comes first.</summary>
    private async Task WaitAtHeadAsync(long position, PipelineId? pipelineId, CancellationToken cancellationToken)
    {
        if (_notifier is null)
        {
            await Task.Delay(_pollInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
            return;
        }

        using var race = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task wake;
        try
        {
            wake = _notifier.WaitForChangeAsync(position, pipelineId, race.Token).AsTask();
        }
#pragma warning disable CA1031 // A notifier that fails leaves the poll: the feed's read reports the store's failures.
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            wake = Task.Delay(Timeout.InfiniteTimeSpan, _timeProvider, race.Token);
        }

        var poll = Task.Delay(_pollInterval, _timeProvider, race.Token);
        if (await Task.WhenAny(wake, poll).ConfigureAwait(false) == wake && wake.IsFaulted)
        {
            // A notifier whose wait failed is no wake-up: wait out the poll instead of reading again at once.
            await poll.ConfigureAwait(false);
        }

        await race.CancelAsync().ConfigureAwait(false);

        // The loser ends cancelled; a notifier that failed is observed here and left to the poll.
        _ = wake.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
