namespace FunnelMetrics.Storage;

/// <summary>
/// A position in a pipeline's event order, for keyset paging: events are ordered by <see cref="OccurredAt"/>,
/// then <see cref="ClientId"/> (ordinal), then <see cref="Sequence"/>. The order is total, since a client's
/// sequence numbers are unique, and stable under appends of later events.
/// </summary>
/// <param name="OccurredAt">The event's instant, in UTC.</param>
/// <param name="ClientId">The event's client.</param>
/// <param name="Sequence">The event's sequence within its client's stream.</param>
public readonly record struct EventCursor(DateTimeOffset OccurredAt, ClientId ClientId, long Sequence) : IComparable<EventCursor>
{
    /// <summary>The position of an event: pass the last event of a page to continue after it.</summary>
    /// <param name="clientEvent">The event.</param>
    /// <returns>Its position.</returns>
    public static EventCursor Of(ClientEvent clientEvent)
    {
        ArgumentNullException.ThrowIfNull(clientEvent);
        return new EventCursor(clientEvent.OccurredAt, clientEvent.ClientId, clientEvent.Sequence);
    }

    /// <summary>Compares positions in the pipeline's event order.</summary>
    /// <param name="other">The other position.</param>
    /// <returns>Negative, zero or positive as this comes before, at or after <paramref name="other"/>.</returns>
    public int CompareTo(EventCursor other)
    {
        var byTime = OccurredAt.UtcTicks.CompareTo(other.OccurredAt.UtcTicks);
        if (byTime != 0)
        {
            return byTime;
        }

        var byClient = ClientId.CompareTo(other.ClientId);
        return byClient != 0 ? byClient : Sequence.CompareTo(other.Sequence);
    }

    /// <summary>Whether <paramref name="left"/> comes before <paramref name="right"/>.</summary>
    /// <param name="left">The first position.</param>
    /// <param name="right">The second position.</param>
    /// <returns>The result of the comparison.</returns>
    public static bool operator <(EventCursor left, EventCursor right) => left.CompareTo(right) < 0;

    /// <summary>Whether <paramref name="left"/> comes after <paramref name="right"/>.</summary>
    /// <param name="left">The first position.</param>
    /// <param name="right">The second position.</param>
    /// <returns>The result of the comparison.</returns>
    public static bool operator >(EventCursor left, EventCursor right) => left.CompareTo(right) > 0;

    /// <summary>Whether <paramref name="left"/> comes before or at <paramref name="right"/>.</summary>
    /// <param name="left">The first position.</param>
    /// <param name="right">The second position.</param>
    /// <returns>The result of the comparison.</returns>
    public static bool operator <=(EventCursor left, EventCursor right) => left.CompareTo(right) <= 0;

    /// <summary>Whether <paramref name="left"/> comes after or at <paramref name="right"/>.</summary>
    /// <param name="left">The first position.</param>
    /// <param name="right">The second position.</param>
    /// <returns>The result of the comparison.</returns>
    public static bool operator >=(EventCursor left, EventCursor right) => left.CompareTo(right) >= 0;
}
