namespace FunnelMetrics.Storage;

/// <summary>
/// The shape checks every <see cref="IFunnelEventStore.AppendAsync"/> implementation makes before touching storage.
/// Public so that adapters over other databases reject the same batches with the same messages.
/// </summary>
public static class AppendValidation
{
    /// <summary>
    /// Checks a batch: at least one event, all of <paramref name="clientId"/> and of one pipeline, distinct ids,
    /// sequences <paramref name="expectedVersion"/> + 1, + 2..., instants that never decrease. The stream's actual
    /// version, and that the first event is not earlier than the stream's last, are the store's to check.
    /// </summary>
    /// <param name="clientId">The client appended to.</param>
    /// <param name="expectedVersion">The version the caller expects, 0 or more.</param>
    /// <param name="events">The batch.</param>
    /// <returns>The batch's pipeline.</returns>
    /// <exception cref="ArgumentException">The batch breaks the rule named in the message.</exception>
    public static PipelineId Check(ClientId clientId, long expectedVersion, IReadOnlyList<ClientEvent> events)
    {
        TextRules.NotDefault(clientId, "The client id", nameof(clientId));
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            throw new ArgumentException($"The batch for client '{clientId}' is empty; append at least one event.", nameof(events));
        }

        var pipelineId = events[0]?.PipelineId ?? default;
        var ids = new HashSet<ClientEventId>(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i] ?? throw new ArgumentException($"Event {i} of the batch for client '{clientId}' is null.", nameof(events));
            if (e.ClientId != clientId)
            {
                throw new ArgumentException($"Event '{e.Id}' belongs to client '{e.ClientId}', not to client '{clientId}' whose stream is appended to.", nameof(events));
            }

            if (e.PipelineId != pipelineId)
            {
                throw new ArgumentException($"The batch for client '{clientId}' mixes pipelines '{pipelineId}' and '{e.PipelineId}'.", nameof(events));
            }

            if (e.Sequence != expectedVersion + 1 + i)
            {
                throw new ArgumentException($"Event '{e.Id}' of client '{clientId}' has sequence {e.Sequence}; appended at version {expectedVersion} as event {i} of the batch it must be {expectedVersion + 1 + i}.", nameof(events));
            }

            if (i > 0 && e.OccurredAt < events[i - 1].OccurredAt)
            {
                throw new ArgumentException($"Event '{e.Id}' of client '{clientId}' occurred at {e.OccurredAt:O}, before the batch's previous event at {events[i - 1].OccurredAt:O}; a client's events are in time order.", nameof(events));
            }

            if (!ids.Add(e.Id))
            {
                throw new ArgumentException($"The batch for client '{clientId}' holds event id '{e.Id}' twice.", nameof(events));
            }
        }

        return pipelineId;
    }
}
