using FunnelMetrics.Metrics;
using FunnelMetrics.Storage;

namespace FunnelMetrics.Analytics;

/// <summary>
/// The fast load of the in-memory store (<see cref="IFunnelLogSource"/>): a pipeline's history put into a builder from the
/// store's journal. <c>AddFunnelMetrics</c> registers one over the default store. (It lives here, not beside the store,
/// because storage does not depend on the metrics.)
/// </summary>
/// <remarks>
/// The pipeline's changes and the feed's head are taken together under the journal's lock, then the changes at or below
/// the head are put into the builder in position order (each client's record before its events, which come in sequence
/// order). The events are the stored objects: nothing is copied or read again. The load returns the head of the whole
/// feed, as <see cref="InMemoryFunnelEventStore.ReadHeadAsync"/> without a pipeline does.
/// </remarks>
/// <param name="events">
/// The event store: that of an <see cref="InMemoryFunnelStore"/>, whose feed carries the client records. A store made on
/// its own feeds its events only: loading a pipeline with events from it throws <see cref="InvalidOperationException"/>.
/// </param>
public sealed class InMemoryFunnelLogSource(InMemoryFunnelEventStore events) : IFunnelLogSource
{
    private readonly InMemoryJournal _journal = (events ?? throw new ArgumentNullException(nameof(events))).Journal;

    /// <inheritdoc/>
    public Task<long> LoadAsync(FunnelLogBuilder builder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.ClientCount != 0)
        {
            throw new ArgumentException($"The builder of pipeline '{builder.Pipeline.Id}' already has {builder.ClientCount} clients; a load goes into an empty builder.", nameof(builder));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var (items, count, head) = _journal.SnapshotWithHead(builder.Pipeline.Id);
        for (var i = 0; i < count; i++)
        {
            if ((i & 4095) == 4095)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var change = items[i];
            if (change.Client is { } client)
            {
                builder.Add(client);
            }
            else if (builder.Contains(change.Event!.ClientId))
            {
                builder.Append(change.Event);
            }
            else
            {
                throw new InvalidOperationException($"Event '{change.Event.Id}' of client '{change.Event.ClientId}' is in the feed without its client record: an event store made on its own feeds its events only; load from the store of an InMemoryFunnelStore.");
            }
        }

        return Task.FromResult(head);
    }
}
