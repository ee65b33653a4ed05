namespace FunnelMetrics.Storage;

/// <summary>
/// The default storage: pipelines, clients and events in process memory, thread-safe. Nothing survives the process;
/// use a database adapter to keep history. <c>AddFunnelMetrics</c> registers one instance as a singleton when no
/// other storage is registered.
/// </summary>
public sealed class InMemoryFunnelStore
{
    /// <summary>The pipeline definitions.</summary>
    public InMemoryPipelineRepository Pipelines { get; } = new();

    /// <summary>The clients.</summary>
    public InMemoryClientRepository Clients { get; } = new();

    /// <summary>The client events.</summary>
    public InMemoryFunnelEventStore Events { get; } = new();
}
