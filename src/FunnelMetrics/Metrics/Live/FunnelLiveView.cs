namespace FunnelMetrics.Metrics;

/// <summary>
/// A live view of one pipeline for dashboards that update on every move: a thin view over a <see cref="FunnelLogBuilder"/>.
/// Each new event is applied in amortised O(1); each answer is the batch calculator's
/// (<see cref="StageCountsCalculator"/>, <see cref="StallCalculator"/>) over the builder's current snapshot, so the view
/// and the batch agree by construction, the stall thresholds included: they are the calculator's as of the instant asked,
/// from the history applied so far, not fixed when the view was made.
/// </summary>
/// <remarks>
/// Not thread-safe: apply events from one thread, or guard the view with a lock (the hosted read model of
/// <c>FunnelMetrics.Hosting</c> is the thread-safe, storage-fed form of the same thing). Each event must be its client's
/// next one (sequence and time order) and allowed by the client's state and the stage order (the model's one rule table,
/// as <see cref="FunnelEventLog.Build"/> checks it); an event that is not is refused with a
/// <see cref="FunnelHistoryException"/> naming the rule, and the view is unchanged. A <see cref="ClientUpdate"/> changes
/// the client's details (<see cref="FindClient"/> gives them as of now) and neither counts nor stalls: it is no move, no
/// hand-over and no touch.
/// </remarks>
public sealed class FunnelLiveView
{
    private readonly FunnelLogBuilder _builder;
    private readonly StallOptions _stalls;
    private readonly WorkingCalendar? _calendar;

    private FunnelLiveView(FunnelLogBuilder builder, StallOptions stalls, WorkingCalendar? calendar, DateTimeOffset? lastEventAt)
    {
        _builder = builder;
        _stalls = stalls;
        _calendar = calendar;
        LastEventAt = lastEventAt;
    }

    /// <summary>The stall thresholds now: <see cref="StallCalculator.Thresholds"/> over the history applied so far, as of its latest event.</summary>
    public IReadOnlyList<StallThreshold> Thresholds => StallCalculator.Thresholds(_builder.ToLog(), LastEventAt ?? DateTimeOffset.MinValue, _stalls, _calendar);

    /// <summary>The number of events applied, over all clients.</summary>
    public long EventsApplied => _builder.EventCount;

    /// <summary>The instant of the latest event applied, or <see langword="null"/> before the first.</summary>
    public DateTimeOffset? LastEventAt { get; private set; }

    /// <summary>The history applied so far, as an immutable log any calculator reads (cheap: see <see cref="FunnelLogBuilder.ToLog"/>).</summary>
    public FunnelEventLog Log => _builder.ToLog();

    /// <summary>Creates a view from a history, as of an instant: every event of the log up to it applied, the later ones not.</summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="asOf">The instant, inclusive: later events of the log are not applied.</param>
    /// <param name="options">The stall clock and threshold sources (the options graph's <c>Stalls</c> section); <see langword="null"/> for the defaults.</param>
    /// <param name="calendar">The working calendar idle times and the statistical thresholds are measured in (working time only: docs/metrics.md, "Working-hours clocks"); <see langword="null"/> for elapsed time, the default.</param>
    /// <returns>The view; apply newer events with <see cref="Apply"/>.</returns>
    /// <exception cref="ArgumentException">An option is out of range; the message names it, such as <c>Stalls.Percentile</c>.</exception>
    public static FunnelLiveView Create(FunnelEventLog log, DateTimeOffset asOf, StallOptions? options = null, WorkingCalendar? calendar = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        var settings = StallOptions.Check(options, nameof(options));
        var upTo = log.Until(asOf.UtcTicks);
        return new FunnelLiveView(new FunnelLogBuilder(upTo), settings, calendar, upTo.LastEventAt);
    }

    /// <summary>Registers a client without events; its first event must then have sequence 1. Adding an equal client again is a no-op.</summary>
    /// <param name="client">The client.</param>
    /// <exception cref="ArgumentException">The client belongs to another pipeline, or a different client with the id was added.</exception>
    public void Add(Client client) => _builder.Add(client);

    /// <summary>Applies a client's next event, after checking it against the model's rule table as the log's build does.</summary>
    /// <param name="clientEvent">The event: of a client added before, with sequence one more than the last applied, not earlier than it, and allowed by the client's state.</param>
    /// <exception cref="FunnelHistoryException">
    /// The event is not its client's next event, names a stage the pipeline does not have, or cannot follow the client's
    /// state (the table's rule, the stage order, the owner); <see cref="FunnelHistoryException.Rule"/> names the rule.
    /// The view is unchanged.
    /// </exception>
    /// <exception cref="ArgumentException">The event's client is not in the view.</exception>
    public void Apply(ClientEvent clientEvent)
    {
        _builder.Append(clientEvent);
        if (LastEventAt is not { } last || clientEvent.OccurredAt > last)
        {
            LastEventAt = clientEvent.OccurredAt.ToOffset(TimeSpan.Zero);
        }
    }

    /// <summary>A client of the view as of now: its record with every update applied so far.</summary>
    /// <param name="clientId">The client.</param>
    /// <returns>The client, or <see langword="null"/> when the view does not have it.</returns>
    public Client? FindClient(ClientId clientId) => _builder.FindClient(clientId);

    /// <summary>The clients per stage as of <paramref name="asOf"/>, over the events applied: <see cref="StageCountsCalculator.Compute"/> on the view's log.</summary>
    /// <param name="asOf">The instant, inclusive; after the latest event applied, the counts now.</param>
    /// <returns>The counts.</returns>
    public StageCounts Counts(DateTimeOffset asOf) => StageCountsCalculator.Compute(_builder.ToLog(), asOf);

    /// <summary>The stalled clients as of <paramref name="asOf"/>, over the events applied: <see cref="StallCalculator.Compute"/> on the view's log, with the thresholds as of that instant.</summary>
    /// <param name="asOf">The instant.</param>
    /// <returns>The stalled clients and the per-stage and per-owner summaries.</returns>
    public StalledClients Stalled(DateTimeOffset asOf) => StallCalculator.Compute(_builder.ToLog(), asOf, _stalls, calendar: _calendar);
}
