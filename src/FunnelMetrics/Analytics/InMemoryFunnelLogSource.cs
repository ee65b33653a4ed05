using FunnelMetrics.Metrics;
using FunnelMetrics.Storage;

namespace FunnelMetrics.Analytics;

/// <summary>
/// The fast load of an <see cref="InMemoryFunnelStore"/>: a pipeline's clients and events straight from the store's
/// journal into a builder, as of one feed position. <c>AddFunnelMetrics</c> registers it as the in-memory store's
/// <see cref="IFunnelLogSource"/>.
/// </summary>
/// <param name="store">The store.</param>
public sealed class InMemoryFunnelLogSource(InMemoryFunnelStore store) : IFunnelLogSource
{
    private readonly InMemoryFunnelStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <inheritdoc/>
    /// <remarks>
    /// From the journal: the pipeline's changes and the feed's head taken together under its lock, then the changes at
    /// or below it put into the builder in position order (each client's record before its events, which come in
    /// sequence order). The events are the stored objects: nothing is copied or read again. Returns the head of the whole
    /// feed, as <see cref="IFunnelChangeFeed.ReadHeadAsync"/> without a pipeline does.
    /// </remarks>
    public Task<long> LoadAsync(FunnelLogBuilder builder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.ClientCount != 0)
        {
            throw new ArgumentException($"The builder of pipeline '{builder.Pipeline.Id}' already has {builder.ClientCount} clients; a load goes into an empty builder.", nameof(builder));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var (items, count, head) = _store.Events.SnapshotWithHead(builder.Pipeline.Id);
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
            else
            {
                builder.Append(change.Event!);
            }
        }

        return Task.FromResult(head);
    }
}
