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

    /// <summary>
    /// The checks of a batch against the stream it continues, in the order every store makes them, and the state the
    /// stream reaches: the version (<see cref="ConcurrencyConflictException"/>), the pipeline and the time order
    /// (<see cref="ArgumentException"/>), then the funnel's rules by folding the batch with <see cref="ClientState.Apply"/>
    /// (<see cref="FunnelHistoryException"/>). Call it with the stream's latest state, read in the append's transaction,
    /// after <see cref="Check"/> and before writing anything.
    /// </summary>
    /// <param name="state">The stream's latest state, or <see langword="null"/> for a stream without events.</param>
    /// <param name="clientId">The client.</param>
    /// <param name="expectedVersion">The version the caller expects the stream at.</param>
    /// <param name="pipelineId">The batch's pipeline, as <see cref="Check"/> returned it.</param>
    /// <param name="events">The batch, checked by <see cref="Check"/>.</param>
    /// <returns>The state after the batch, to keep beside the stream.</returns>
    /// <exception cref="ConcurrencyConflictException">The stream is at another version.</exception>
    /// <exception cref="ArgumentException">The stream's events are in another pipeline, or the batch starts before the stream's last event.</exception>
    /// <exception cref="FunnelHistoryException">The batch does not follow the stream by the funnel's rules.</exception>
    public static ClientState Continue(ClientState? state, ClientId clientId, long expectedVersion, PipelineId pipelineId, IReadOnlyList<ClientEvent> events) =>
        TryContinue(state, clientId, expectedVersion, pipelineId, events, out var next) is { } error ? throw error : next!;

    /// <summary>
    /// <see cref="Continue"/> without throwing, for a bulk write that refuses one part and goes on with the others:
    /// the exception <see cref="Continue"/> would throw, or <see langword="null"/> and the state after the batch.
    /// </summary>
    /// <param name="state">The stream's latest state, or <see langword="null"/> for a stream without events.</param>
    /// <param name="clientId">The client.</param>
    /// <param name="expectedVersion">The version the caller expects the stream at.</param>
    /// <param name="pipelineId">The batch's pipeline.</param>
    /// <param name="events">The batch.</param>
    /// <param name="next">The state after the batch, when it may be stored.</param>
    /// <returns>The reason the batch is refused, or <see langword="null"/>.</returns>
    public static Exception? TryContinue(ClientState? state, ClientId clientId, long expectedVersion, PipelineId pipelineId, IReadOnlyList<ClientEvent> events, out ClientState? next)
    {
        ArgumentNullException.ThrowIfNull(events);
        next = null;
        var actual = state?.Version ?? 0;
        if (actual != expectedVersion)
        {
            return new ConcurrencyConflictException(clientId, expectedVersion, actual);
        }

        if (state is not null && state.PipelineId != pipelineId)
        {
            return new ArgumentException($"Client '{clientId}' has its events in pipeline '{state.PipelineId}'; the batch is for pipeline '{pipelineId}'.", nameof(events));
        }

        if (state?.LastEventAt is { } last && events[0].OccurredAt < last)
        {
            return new ArgumentException($"Event '{events[0].Id}' of client '{clientId}' occurred at {events[0].OccurredAt:O}, before the stream's last event at {last:O}; a client's events are in time order.", nameof(events));
        }

        try
        {
            var folded = state ?? ClientState.Before(events[0]);
            foreach (var e in events)
            {
                folded = folded.Apply(e);
            }

            next = folded;
            return null;
        }
        catch (FunnelHistoryException broken)
        {
            return broken;
        }
    }
}
