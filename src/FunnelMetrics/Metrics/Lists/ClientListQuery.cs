namespace FunnelMetrics.Metrics;

/// <summary>
/// Which rows a <see cref="ClientList"/> holds: the count they stand behind (<see cref="Measure"/>), its stage, its
/// instant or window, the filter, and the page.
/// </summary>
public sealed record ClientListQuery
{
    /// <summary>The most rows one page holds: 1,000.</summary>
    public const int MaxLimit = 1000;

    private readonly int _offset;
    private readonly int _limit = 50;

    /// <summary>The count whose rows are listed.</summary>
    public ClientListMeasure Measure { get; init; }

    /// <summary>The stage: required for <see cref="ClientListMeasure.InStage"/>; for the others an optional condition (see each measure); <see cref="ClientListMeasure.Won"/> takes none.</summary>
    public StageId? Stage { get; init; }

    /// <summary>The instant of a state measure (<see cref="ClientListMeasure.InStage"/>, <see cref="ClientListMeasure.InWork"/>, <see cref="ClientListMeasure.ClosedLost"/>, <see cref="ClientListMeasure.Stalled"/>, <see cref="ClientListMeasure.Slipped"/>): its last event at or before it decides a client's state.</summary>
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>
    /// The IANA time zone whose days <see cref="ClientListMeasure.Slipped"/> reads expected close dates in, such as
    /// <c>Europe/Sofia</c>: required for it (<c>FunnelAnalytics.ListClientsAsync</c> fills in the configured zone when unset), ignored by the others.
    /// </summary>
    public string? TimeZone { get; init; }

    /// <summary>The window of an event measure, <c>[start, end)</c>: a day of the flow ledger is <see cref="TimeZoneDays.Day"/>.</summary>
    public TimeWindow? Window { get; init; }

    /// <summary>
    /// Which clients and owners, read as the count's calculator reads it: the owner condition applies to the owner each
    /// row is counted for (after a move in, before a move out or a loss); the attribute condition to the clients as of
    /// the instant, or as of the window's last tick.
    /// </summary>
    public FunnelFilter? Filter { get; init; }

    /// <summary>How many rows to skip (the page's start).</summary>
    /// <value>Default: 0. Not negative.</value>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public int Offset
    {
        get => _offset;
        init => _offset = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Offset), value, "Offset is the number of rows to skip; it cannot be negative.");
    }

    /// <summary>The most rows to return.</summary>
    /// <value>Default: 50. From 1 to <see cref="MaxLimit"/>.</value>
    /// <exception cref="ArgumentOutOfRangeException">Out of range.</exception>
    public int Limit
    {
        get => _limit;
        init => _limit = value is >= 1 and <= MaxLimit ? value : throw new ArgumentOutOfRangeException(nameof(Limit), value, $"Limit is the most rows a page holds; it must be from 1 to {MaxLimit}.");
    }

    /// <summary>Whether the measure is a state as of an instant (else events in a window).</summary>
    public bool IsState => Measure is ClientListMeasure.InStage or ClientListMeasure.InWork or ClientListMeasure.ClosedLost or ClientListMeasure.Stalled or ClientListMeasure.Slipped;
}
