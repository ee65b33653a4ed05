namespace FunnelMetrics;

/// <summary>
/// An event earlier than the client's previous event (<see cref="FunnelRule.EventBeforePreviousEvent"/>) or than
/// the client's creation (<see cref="FunnelRule.EventBeforeClientCreated"/>) was refused: each client's history is
/// ordered in time. Equal instants are allowed and keep the order of recording.
/// </summary>
public sealed class EventOrderException : FunnelRuleException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="rule"><see cref="FunnelRule.EventBeforePreviousEvent"/> or <see cref="FunnelRule.EventBeforeClientCreated"/>.</param>
    /// <param name="clientId">The client.</param>
    /// <param name="occurredAt">The instant of the refused event.</param>
    /// <param name="notBefore">The earliest instant allowed: the previous event's or the client's creation.</param>
    public EventOrderException(FunnelRule rule, ClientId clientId, DateTimeOffset occurredAt, DateTimeOffset notBefore)
        : base(rule, clientId, occurredAt, rule == FunnelRule.EventBeforeClientCreated
            ? $"The event of client '{clientId}' at {occurredAt:O} is earlier than the client's creation at {notBefore:O}. Events cannot precede their client."
            : $"The event of client '{clientId}' at {occurredAt:O} is earlier than the client's previous event at {notBefore:O}. A client's history is recorded in time order; record it at or after {notBefore:O}.")
    {
        NotBefore = notBefore;
    }

    /// <summary>The earliest instant allowed for the event.</summary>
    public DateTimeOffset NotBefore { get; }
}
