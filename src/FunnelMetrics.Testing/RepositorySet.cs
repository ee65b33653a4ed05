using FunnelMetrics.Storage;

namespace FunnelMetrics.Testing;

/// <summary>The three repositories an implementation provides, under test. They must share one empty store.</summary>
/// <param name="Pipelines">The pipeline repository.</param>
/// <param name="Clients">The client repository.</param>
/// <param name="Events">The event store.</param>
public sealed record RepositorySet(IPipelineRepository Pipelines, IClientRepository Clients, IFunnelEventStore Events);
