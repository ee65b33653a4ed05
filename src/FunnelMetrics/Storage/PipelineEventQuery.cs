namespace FunnelMetrics.Storage;

/// <summary>
/// Which of a pipeline's events to read: a half-open time range [<see cref="From"/>, <see cref="To"/>) on
/// <see cref="ClientEvent.OccurredAt"/>, a keyset position to continue after, and a page size. When
/// <see cref="To"/> is at or before <see cref="From"/> the range is empty.
/// </summary>
public sealed record PipelineEventQuery
{
    private readonly int? _limit;

    /// <summary>Every event of the pipeline, in one page.</summary>
    public static PipelineEventQuery All { get; } = new();

    /// <summary>Only events that occurred at or after this instant (inclusive); <see langword="null"/> for no lower bound.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Only events that occurred strictly before this instant (exclusive); <see langword="null"/> for no upper bound.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Only events strictly after this position; pass <see cref="EventCursor.Of"/> of the last event of the previous page.</summary>
    public EventCursor? After { get; init; }

    /// <summary>The most events to return, 1 or more; <see langword="null"/> for no limit.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int? Limit
    {
        get => _limit;
        init => _limit = value is null or >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Limit), value, "A page holds at least one event.");
    }

    /// <summary>Whether an event at <paramref name="cursor"/> falls inside the time range and after <see cref="After"/>.</summary>
    /// <param name="cursor">The event's position.</param>
    /// <returns><see langword="true"/> when the query selects it, page size aside.</returns>
    public bool Matches(EventCursor cursor) =>
        (From is not { } from || cursor.OccurredAt >= from)
        && (To is not { } to || cursor.OccurredAt < to)
        && (After is not { } after || cursor > after);
}
