using FunnelMetrics.Analytics;
using FunnelMetrics.Storage;

namespace FunnelMetrics.Testing;

/// <summary>The repositories an implementation provides, under test. They must share one empty store.</summary>
/// <param name="Pipelines">The pipeline repository.</param>
/// <param name="Clients">The client repository.</param>
/// <param name="Events">The event store.</param>
/// <param name="Feed">
/// The store's change feed, carrying the client records of <paramref name="Clients"/> and the events of
/// <paramref name="Events"/>; <see langword="null"/> (the default) for <paramref name="Events"/> itself when it implements
/// <see cref="IFunnelChangeFeed"/>. When there is none, the feed's contract tests are skipped, saying why.
/// </param>
public sealed record RepositorySet(IPipelineRepository Pipelines, IClientRepository Clients, IFunnelEventStore Events, IFunnelChangeFeed? Feed = null)
{
    /// <summary>The repositories of a store whose feed, if any, is <paramref name="Events"/> itself (the 0.1 shape, kept for binary compatibility).</summary>
    /// <param name="Pipelines">The pipeline repository.</param>
    /// <param name="Clients">The client repository.</param>
    /// <param name="Events">The event store, also the feed when it implements <see cref="IFunnelChangeFeed"/>.</param>
    public RepositorySet(IPipelineRepository Pipelines, IClientRepository Clients, IFunnelEventStore Events)
        : this(Pipelines, Clients, Events, null)
    {
    }

    /// <summary>The store's change feed, or <see langword="null"/> when the store offers none.</summary>
    public IFunnelChangeFeed? Feed { get; init; } = Feed ?? Events as IFunnelChangeFeed;

    /// <summary>
    /// The store's fast load (<see cref="IFunnelLogSource"/>), loading what <see cref="Clients"/> and <see cref="Events"/>
    /// hold; by default <see cref="Events"/> itself when it implements the interface, otherwise none, and the fast load's
    /// contract tests are skipped, saying why.
    /// </summary>
    public IFunnelLogSource? LogSource { get; init; } = Events as IFunnelLogSource;

    /// <summary>The three repositories (the 0.1 shape, kept for binary compatibility).</summary>
    /// <param name="Pipelines">The pipeline repository.</param>
    /// <param name="Clients">The client repository.</param>
    /// <param name="Events">The event store.</param>
    public void Deconstruct(out IPipelineRepository Pipelines, out IClientRepository Clients, out IFunnelEventStore Events)
    {
        Pipelines = this.Pipelines;
        Clients = this.Clients;
        Events = this.Events;
    }
}
