namespace FunnelMetrics;

/// <summary>
/// A client's stored history is broken: one of its events cannot follow the ones before it. Thrown by
/// <see cref="ClientState.Apply"/>, <c>FunnelEventLog.Build</c> and <c>FunnelLiveView.Apply</c>, which refuse to fold
/// or count a history the recorder would never have written (a gap or duplicate sequence, an instant out of order, an
/// unknown stage, a transition the client's state or the stage order does not allow, a reassignment from someone other
/// than the owner). The <see cref="Rule"/> says which rule; the ids say where.
/// </summary>
/// <remarks>
/// It derives from <see cref="ArgumentException"/> because the history was passed in as an argument: code that
/// catches <see cref="ArgumentException"/> keeps working. The recorder refuses new events with
/// <see cref="FunnelRuleException"/> instead.
/// </remarks>
public sealed class FunnelHistoryException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="rule">The rule the event breaks.</param>
    /// <param name="clientId">The client whose history is broken.</param>
    /// <param name="eventId">The event that cannot follow.</param>
    /// <param name="sequence">The event's sequence, as stored.</param>
    /// <param name="occurredAt">The event's instant.</param>
    /// <param name="message">What is wrong, naming the client, the event and its stages.</param>
    /// <param name="paramName">The parameter that held the event, or <see langword="null"/>.</param>
    public FunnelHistoryException(FunnelRule rule, ClientId clientId, ClientEventId eventId, long sequence, DateTimeOffset occurredAt, string message, string? paramName = null)
        : base(message, paramName)
    {
        Rule = rule;
        ClientId = clientId;
        EventId = eventId;
        Sequence = sequence;
        OccurredAt = occurredAt;
    }

    /// <summary>The rule the event breaks.</summary>
    public FunnelRule Rule { get; }

    /// <summary>The client whose history is broken.</summary>
    public ClientId ClientId { get; }

    /// <summary>The event that cannot follow the ones before it.</summary>
    public ClientEventId EventId { get; }

    /// <summary>The event's sequence, as stored (the one expected is in the message).</summary>
    public long Sequence { get; }

    /// <summary>The event's instant.</summary>
    public DateTimeOffset OccurredAt { get; }
}
