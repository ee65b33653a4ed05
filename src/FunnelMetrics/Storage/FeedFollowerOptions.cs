using System.ComponentModel.DataAnnotations;

namespace FunnelMetrics.Storage;

/// <summary>
/// How <see cref="FunnelFeedFollower"/> reads a change feed: the page size, how often it polls at the head and how it
/// backs off when the store fails. Validated by the follower; an invalid value throws naming the setting, such as
/// <c>FeedFollower.PollInterval</c>. The follower copies the values when it is created.
/// </summary>
public sealed class FeedFollowerOptions : IValidatableObject
{
    /// <summary>The default of <see cref="PollInterval"/>: 250 milliseconds.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The default of <see cref="PageSize"/>: 500.</summary>
    public const int DefaultPageSize = 500;

    /// <summary>The default of <see cref="RetryDelay"/>: 200 milliseconds.</summary>
    public static readonly TimeSpan DefaultRetryDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>The default of <see cref="MaxRetryDelay"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultMaxRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the follower waits at the head before it reads again, when the feed offers no push wake-up
    /// (<see cref="IFunnelChangeNotifier"/>) or the wake-up does not come. From 1 millisecond to 1 hour, both inclusive.
    /// </summary>
    /// <remarks>
    /// The default keeps a follower within a second of the store, with room for the read itself, at four small reads a
    /// second per follower while nothing happens (an indexed range read of the position at the head: nothing for a
    /// database). A follower that must react faster wants a notifier, not a shorter poll.
    /// </remarks>
    /// <value>Default: <see cref="DefaultPollInterval"/> (250 milliseconds).</value>
    [TimeSpanRange("00:00:00.001", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = DefaultPollInterval;

    /// <summary>
    /// How many changes one read of the feed asks for. A full page is followed by the next read at once; a short one
    /// means the follower is at the head. From 1 to 100,000, both inclusive.
    /// </summary>
    /// <remarks>The default is large enough that a follower far behind catches up at the store's read speed, and small enough that one page holds little memory and one query stays short.</remarks>
    /// <value>Default: <see cref="DefaultPageSize"/> (500).</value>
    [Range(1, 100_000)]
    public int PageSize { get; set; } = DefaultPageSize;

    /// <summary>
    /// How long the follower waits after the first transient failure of a read; each further failure in a row doubles
    /// the wait, up to <see cref="MaxRetryDelay"/>, and a successful read starts again from this. From 1 millisecond to 1
    /// minute, both inclusive.
    /// </summary>
    /// <remarks>The default rides out a dropped connection or a failover's first second without flooding a database that is starting again: 0.2, 0.4, 0.8, 1.6... seconds.</remarks>
    /// <value>Default: <see cref="DefaultRetryDelay"/> (200 milliseconds).</value>
    [TimeSpanRange("00:00:00.001", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = DefaultRetryDelay;

    /// <summary>
    /// The longest wait between two tries, however many failures in a row: at least <see cref="RetryDelay"/>, at most 1
    /// hour.
    /// </summary>
    /// <remarks>The default bounds how long a follower stays behind once the store is back (half a minute) while costing an unreachable database two reads a minute.</remarks>
    /// <value>Default: <see cref="DefaultMaxRetryDelay"/> (30 seconds).</value>
    [TimeSpanRange("00:00:00.001", "01:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = DefaultMaxRetryDelay;

    /// <summary>
    /// How many transient failures in a row the follower rides out before it gives up and rethrows the last one;
    /// <see langword="null"/> to retry for as long as the follow runs (a background follower's usual wish: a store that
    /// is down for an hour is followed again when it is back). From 0 (rethrow the first) to 1,000,000, both inclusive.
    /// </summary>
    /// <value>Default: <see langword="null"/> (no limit).</value>
    [Range(0, 1_000_000)]
    public int? MaxRetries { get; set; }

    /// <summary>The options with every default, used when the follower is given none; never changed.</summary>
    internal static FeedFollowerOptions Defaults { get; } = new();

    /// <summary>The rules between settings: <see cref="MaxRetryDelay"/> is at least <see cref="RetryDelay"/>.</summary>
    /// <param name="validationContext">The validation context.</param>
    /// <returns>The broken rules.</returns>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxRetryDelay < RetryDelay)
        {
            yield return new ValidationResult(
                $"FeedFollower.{nameof(MaxRetryDelay)} must be at least FeedFollower.{nameof(RetryDelay)} ({Milliseconds(RetryDelay)}); got {Milliseconds(MaxRetryDelay)}.",
                [nameof(MaxRetryDelay)]);
        }
    }

    private static string Milliseconds(TimeSpan span) => $"{span.TotalMilliseconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} ms";
}
