namespace FunnelMetrics.Storage;

/// <summary>
/// The default storage: pipelines, clients and events in process memory, thread-safe. Nothing survives the process;
/// use a database adapter to keep history. <c>AddFunnelMetrics</c> registers one instance as a singleton when no
/// other storage is registered.
/// </summary>
public sealed class InMemoryFunnelStore
{
    /// <summary>Creates an empty store.</summary>
    public InMemoryFunnelStore()
    {
        var journal = new InMemoryJournal();
        Clients = new InMemoryClientRepository(journal);
        Events = new InMemoryFunnelEventStore(journal);
    }

    /// <summary>The pipeline definitions.</summary>
    public InMemoryPipelineRepository Pipelines { get; } = new();

    /// <summary>The clients; each one added is published to the change feed of <see cref="Events"/>.</summary>
    public InMemoryClientRepository Clients { get; }

    /// <summary>The client events, and the change feed (<see cref="IFunnelChangeFeed"/>) of client records and events.</summary>
    public InMemoryFunnelEventStore Events { get; }

    /// <summary>The change feed of client records and events: <see cref="Events"/>.</summary>
    public IFunnelChangeFeed Feed => Events;
}
