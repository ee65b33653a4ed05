namespace FunnelMetrics;

/// <summary>
/// An event (or a client's creation) later than now plus the configured tolerance was refused
/// (<see cref="FunnelRule.EventInFuture"/>). "Now" is read from the recorder's <see cref="TimeProvider"/>.
/// </summary>
public sealed class FutureEventException : FunnelRuleException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="clientId">The client.</param>
    /// <param name="occurredAt">The instant of the refused event.</param>
    /// <param name="now">The current instant when it was refused.</param>
    /// <param name="tolerance">How far ahead of now an event may be (<c>RecordingOptions.FutureTolerance</c>).</param>
    public FutureEventException(ClientId clientId, DateTimeOffset occurredAt, DateTimeOffset now, TimeSpan tolerance)
        : base(FunnelRule.EventInFuture, clientId, occurredAt, $"The event of client '{clientId}' at {occurredAt:O} is in the future: now is {now:O} and events may be at most {tolerance} ahead. Check the clock or the time zone of the caller.")
    {
        Now = now;
        Tolerance = tolerance;
    }

    /// <summary>The current instant when the event was refused.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>How far ahead of now an event may be.</summary>
    public TimeSpan Tolerance { get; }
}
