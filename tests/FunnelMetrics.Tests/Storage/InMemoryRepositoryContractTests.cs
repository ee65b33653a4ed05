using FunnelMetrics.Analytics;
using FunnelMetrics.Storage;

namespace FunnelMetrics.Tests.Storage;

/// <summary>The conformance kit run against the in-memory store.</summary>
public sealed class InMemoryRepositoryContractTests : RepositoryContractTests
{
    protected override Task<RepositorySet> CreateRepositoriesAsync()
    {
        var store = new InMemoryFunnelStore();
        return Task.FromResult(new RepositorySet(store.Pipelines, store.Clients, store.Events) { LogSource = new InMemoryFunnelLogSource(store.Events) });
    }
}
