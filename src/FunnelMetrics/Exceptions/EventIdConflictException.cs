namespace FunnelMetrics;

/// <summary>
/// An event id was recorded before with different content. Recording the same id with the same content is a
/// no-op that returns the original event; reusing it for something else is refused and writes nothing.
/// </summary>
public sealed class EventIdConflictException : FunnelMetricsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="eventId">The id already in use.</param>
    /// <param name="clientId">The client of the refused event.</param>
    /// <param name="existing">The event already stored under the id, when known.</param>
    public EventIdConflictException(ClientEventId eventId, ClientId clientId, ClientEvent? existing)
        : base(existing is null
            ? $"Event id '{eventId}' of client '{clientId}' is already used by another event. Use a fresh id for a new event."
            : $"Event id '{eventId}' of client '{clientId}' was already recorded with different content ({existing}). Retries must repeat the original request exactly; use a fresh id for a new event.")
    {
        EventId = eventId;
        ClientId = clientId;
        Existing = existing;
    }

    /// <summary>The id already in use.</summary>
    public ClientEventId EventId { get; }

    /// <summary>The client of the refused event.</summary>
    public ClientId ClientId { get; }

    /// <summary>The event already stored under the id, when known.</summary>
    public ClientEvent? Existing { get; }
}
