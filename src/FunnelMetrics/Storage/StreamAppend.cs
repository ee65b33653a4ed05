namespace FunnelMetrics.Storage;

/// <summary>
/// One client's part of a bulk write (<see cref="IFunnelEventStore.AppendManyAsync"/>): events to append to its
/// stream if, and only if, it is still at <see cref="ExpectedVersion"/>. Immutable.
/// </summary>
public sealed class StreamAppend
{
    /// <summary>Creates the part; the events are checked as <see cref="IFunnelEventStore.AppendAsync"/> checks them.</summary>
    /// <param name="clientId">The client.</param>
    /// <param name="expectedVersion">The version the caller read: 0 for a client without events.</param>
    /// <param name="events">One or more events of the client, numbered from <paramref name="expectedVersion"/> + 1, in time order, with distinct ids.</param>
    /// <exception cref="ArgumentException">The batch is empty, belongs to another client or is not numbered from <paramref name="expectedVersion"/> + 1.</exception>
    public StreamAppend(ClientId clientId, long expectedVersion, IReadOnlyList<ClientEvent> events)
    {
        // Copy first: the caller's list could change after validation.
        ClientEvent[] batch = events is null ? null! : [.. events];
        PipelineId = AppendValidation.Check(clientId, expectedVersion, batch);
        ClientId = clientId;
        ExpectedVersion = expectedVersion;
        Events = batch;
    }

    /// <summary>The client.</summary>
    public ClientId ClientId { get; }

    /// <summary>The client's pipeline, that of every event.</summary>
    public PipelineId PipelineId { get; }

    /// <summary>The version the stream must be at.</summary>
    public long ExpectedVersion { get; }

    /// <summary>The events, in sequence order.</summary>
    public IReadOnlyList<ClientEvent> Events { get; }

    /// <summary>The client, version and number of events.</summary>
    /// <returns>A short description for logs.</returns>
    public override string ToString() => $"{Events.Count} event(s) onto {ClientId} at v{ExpectedVersion}";
}
