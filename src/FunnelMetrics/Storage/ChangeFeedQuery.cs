namespace FunnelMetrics.Storage;

/// <summary>Which changes <see cref="IFunnelChangeFeed.ReadChangesAsync"/> reads: those after a position, optionally of one pipeline, optionally paged.</summary>
public sealed record ChangeFeedQuery
{
    private readonly long _after;
    private readonly int? _limit;

    /// <summary>Every change of the store, from the first.</summary>
    public static ChangeFeedQuery All { get; } = new();

    /// <summary>The position read up to: only changes at higher positions are read. 0 (the default) reads from the first change.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The position is negative.</exception>
    public long After
    {
        get => _after;
        init => _after = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(After), value, "A feed position is 0 (before the first change) or more.");
    }

    /// <summary>The pipeline whose changes are read, or <see langword="null"/> (the default) for every pipeline.</summary>
    public PipelineId? PipelineId { get; init; }

    /// <summary>At most this many changes, 1 or more; <see langword="null"/> (the default) for all up to the head.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The limit is below 1.</exception>
    public int? Limit
    {
        get => _limit;
        init => _limit = value is null or >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Limit), value, "A page of the feed holds at least one change.");
    }
}
