using FunnelMetrics.Metrics;

namespace FunnelMetrics.Analytics;

/// <summary>
/// A store that loads a pipeline's whole history straight into a <see cref="FunnelLogBuilder"/>, faster than reading its
/// clients and events as objects: the fast load path a warm model starts from. The EF Core store implements it by reading
/// columns from a data reader (binary <c>COPY ... TO STDOUT</c> on PostgreSQL).
/// </summary>
/// <remarks>
/// The load is consistent with one feed position (<see cref="Storage.IFunnelChangeFeed"/>): it puts into the builder
/// exactly the pipeline's changes at or below the position it returns, each client before its events and each client's
/// events in sequence order, so a follower that then reads the feed after that position misses nothing and sees nothing twice.
/// </remarks>
public interface IFunnelLogSource
{
    /// <summary>Loads a pipeline's clients and events, as of one feed position, into an empty builder of that pipeline.</summary>
    /// <param name="builder">The builder: of the pipeline to load, with nothing added yet.</param>
    /// <param name="cancellationToken">Cancels the load; the builder is then to be discarded.</param>
    /// <returns>The feed position the load reflects: every change of the pipeline at or below it, none above it.</returns>
    /// <exception cref="FunnelHistoryException">A stored history breaks a rule (the builder's check); names the client, the event and the rule.</exception>
    Task<long> LoadAsync(FunnelLogBuilder builder, CancellationToken cancellationToken = default);
}
