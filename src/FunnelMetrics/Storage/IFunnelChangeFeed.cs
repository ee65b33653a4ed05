namespace FunnelMetrics.Storage;

/// <summary>
/// The store's change feed: every client record added and every event appended, each with a store-assigned
/// <see cref="FunnelChange.Position"/>, readable from any position on, also by other processes. The ground a follower
/// (such as a warm read model or another service) stands on to see everything that is stored, once, without re-reading
/// the whole history.
/// </summary>
/// <remarks>
/// <para>
/// <b>The guarantee.</b> Positions are 64-bit numbers, 1 or more, strictly increasing in the order the store makes
/// changes visible. A reader that has read up to position P never later sees a change at or below P appear. So a
/// follower that remembers the last position it read and reads after it skips nothing and sees nothing twice, whatever
/// the changes' instants: a backdated event, the events of a new client and the client record itself all come after
/// everything already read. Positions may have gaps (a failed or cancelled write may consume positions); a gap never
/// fills in later.
/// </para>
/// <para>
/// Positions are shared by all pipelines of a store: a read restricted to one pipeline sees increasing positions with
/// gaps where other pipelines' changes are.
/// </para>
/// <para>Implementations must be safe for concurrent use and must keep the guarantee across processes.</para>
/// </remarks>
public interface IFunnelChangeFeed
{
    /// <summary>Reads the position of the last visible change, of one pipeline or of the whole store.</summary>
    /// <param name="pipelineId">The pipeline, or <see langword="null"/> for the whole store.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The head position, 0 when nothing is stored.</returns>
    ValueTask<long> ReadHeadAsync(PipelineId? pipelineId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the changes after a position, in position order, restricted and paged by <paramref name="query"/>.
    /// Each change is read once per enumeration; a page ends early at the visible head.
    /// </summary>
    /// <param name="query">The position to read after, the pipeline and the page size.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The changes, each with its position; none when the reader is at the head.</returns>
    IAsyncEnumerable<FunnelChange> ReadChangesAsync(ChangeFeedQuery query, CancellationToken cancellationToken = default);
}
