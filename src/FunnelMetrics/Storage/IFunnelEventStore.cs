namespace FunnelMetrics.Storage;

/// <summary>
/// The append-only store of client events (stage transitions, activities, reassignments, client updates). Each client
/// has one stream numbered 1, 2, 3... by <see cref="ClientEvent.Sequence"/>; the stream's version is its last sequence.
/// Implementations must be safe for concurrent use and must guarantee, also across processes:
/// an append succeeds only if the stream is still at the expected version; a batch is stored whole or not at all;
/// an event id is stored at most once; the latest state read by <see cref="ReadStateAsync"/> is always the fold of the
/// stored stream. A store that also offers a change feed implements <see cref="IFunnelChangeFeed"/>.
/// </summary>
public interface IFunnelEventStore
{
    /// <summary>
    /// Appends events to a client's stream if, and only if, its version is still <paramref name="expectedVersion"/>.
    /// All events are stored or none.
    /// </summary>
    /// <param name="clientId">The client.</param>
    /// <param name="expectedVersion">The version the caller read: 0 for a client without events.</param>
    /// <param name="events">
    /// One or more events of <paramref name="clientId"/>, with sequences <paramref name="expectedVersion"/> + 1,
    /// + 2... and distinct ids, all of the client's pipeline.
    /// </param>
    /// <param name="cancellationToken">Cancels the append; a cancelled append stores nothing.</param>
    /// <returns>The stream's new version: the sequence of the last event appended.</returns>
    /// <exception cref="ArgumentException">The batch is empty, belongs to another client or is not numbered from <paramref name="expectedVersion"/> + 1.</exception>
    /// <exception cref="ConcurrencyConflictException">The stream is at another version.</exception>
    /// <exception cref="EventIdConflictException">An event id is already stored.</exception>
    /// <exception cref="FunnelHistoryException">The events do not follow the stream by the funnel's rules (<see cref="ClientState.Apply"/>), such as a move from a stage the client is not in; nothing is stored.</exception>
    Task<long> AppendAsync(ClientId clientId, long expectedVersion, IReadOnlyList<ClientEvent> events, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads a client's events in sequence order, as a snapshot taken when the enumeration starts: events appended
    /// while enumerating are not seen.
    /// </summary>
    /// <param name="clientId">The client.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The events, none for an unknown client.</returns>
    IAsyncEnumerable<ClientEvent> ReadClientAsync(ClientId clientId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads a client's latest state: the fold (<see cref="ClientState.Apply"/>) of its whole stream from
    /// <see cref="ClientState.Before"/> its first event. A store keeps it beside the stream, updated in the same
    /// transaction as each append, so the read costs the same whatever the stream's length; the default implementation
    /// folds <see cref="ReadClientAsync"/>, for stores that do not keep it.
    /// </summary>
    /// <param name="clientId">The client.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The state after the stream's last event, or <see langword="null"/> when the client has no events.</returns>
    async ValueTask<ClientState?> ReadStateAsync(ClientId clientId, CancellationToken cancellationToken = default)
    {
        TextRules.NotDefault(clientId, "The client id", nameof(clientId));
        ClientState? state = null;
        await foreach (var e in ReadClientAsync(clientId, cancellationToken).ConfigureAwait(false))
        {
            state = (state ?? ClientState.Before(e)).Apply(e);
        }

        return state;
    }

    /// <summary>
    /// Appends to many streams at once, such as an import's, each part as <see cref="AppendAsync"/> would: a part is
    /// stored whole if, and only if, its stream is still at the part's expected version and none of its ids is stored;
    /// otherwise it is refused whole and reported, and the other parts go on. The default implementation calls
    /// <see cref="AppendAsync"/> once per part; a database store writes them in a few round trips.
    /// </summary>
    /// <param name="appends">The parts, at most one per client.</param>
    /// <param name="cancellationToken">
    /// Cancels the write. Each part is stored whole or not at all; a write cancelled part way may have stored some
    /// parts, which a repeated call then reports as refused (the stream moved on) and the caller reads back.
    /// </param>
    /// <returns>One result per part, in the order given.</returns>
    /// <exception cref="ArgumentException">A part is null, two parts are for one client or two parts hold one event id; nothing is stored.</exception>
    async Task<IReadOnlyList<StreamAppendResult>> AppendManyAsync(IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default)
    {
        var batch = BulkValidation.Appends(appends);
        var results = new StreamAppendResult[batch.Length];
        for (var i = 0; i < batch.Length; i++)
        {
            try
            {
                await AppendAsync(batch[i].ClientId, batch[i].ExpectedVersion, batch[i].Events, cancellationToken).ConfigureAwait(false);
                results[i] = StreamAppendResult.Stored(batch[i]);
            }
            catch (Exception e) when (e is ConcurrencyConflictException or EventIdConflictException or FunnelHistoryException)
            {
                results[i] = StreamAppendResult.Refused(batch[i], e);
            }
        }

        return results;
    }

    /// <summary>Finds an event by id, for idempotent retries.</summary>
    /// <param name="eventId">The event id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The event, or <see langword="null"/>.</returns>
    ValueTask<ClientEvent?> FindAsync(ClientEventId eventId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finds which of many event ids are stored, such as the ids an import is about to append. The default
    /// implementation calls <see cref="FindAsync"/> once per id; a database store answers in a few round trips.
    /// </summary>
    /// <param name="eventIds">The ids, in any order; duplicates are looked up once.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The stored events among them, in no particular order; none when no id is stored.</returns>
    async IAsyncEnumerable<ClientEvent> FindManyAsync(IReadOnlyCollection<ClientEventId> eventIds, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        foreach (var id in eventIds.Distinct())
        {
            if (await FindAsync(id, cancellationToken).ConfigureAwait(false) is { } found)
            {
                yield return found;
            }
        }
    }

    /// <summary>
    /// Reads a pipeline's events in the order of <see cref="EventCursor"/> (occurred-at, then client id ordinal,
    /// then sequence), restricted and paged by <paramref name="query"/>. A snapshot is taken when the enumeration starts.
    /// </summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="query">The time range, the keyset position to continue after, and the page size.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The events.</returns>
    IAsyncEnumerable<ClientEvent> ReadPipelineAsync(PipelineId pipelineId, PipelineEventQuery query, CancellationToken cancellationToken = default);
}
