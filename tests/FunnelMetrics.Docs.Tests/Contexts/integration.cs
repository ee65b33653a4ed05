// The prelude of docs/integration.md's fragments (<!-- snippet: context=integration -->, with `web` for the
// ASP.NET Core ones): an application's builder and app, a service collection, a CRM's own event store.
// Nothing here runs: the snippets are only compiled.
global using System.Text.Json;
global using FunnelMetrics;
global using FunnelMetrics.Analytics;
global using FunnelMetrics.AspNetCore;
global using FunnelMetrics.EntityFrameworkCore;
global using FunnelMetrics.Hosting;
global using FunnelMetrics.Metrics;
global using Microsoft.AspNetCore.Diagnostics.HealthChecks;
global using Microsoft.EntityFrameworkCore;
global using FunnelMetrics.Serialization;
global using FunnelMetrics.Storage;
global using Microsoft.Extensions.DependencyInjection;
global using Microsoft.Extensions.Time.Testing;

abstract class SnippetContext
{
    protected Microsoft.AspNetCore.Builder.WebApplicationBuilder builder = null!;
    protected Microsoft.AspNetCore.Builder.WebApplication app = null!;
    protected IServiceCollection services = null!;
    protected DateTimeOffset start;
    protected ClientEvent clientEvent = null!;
    protected IReadOnlyList<ClientEvent> events = [];
}

sealed class CrmEventStore : IFunnelEventStore
{
    public Task<long> AppendAsync(ClientId clientId, long expectedVersion, IReadOnlyList<ClientEvent> events, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public IAsyncEnumerable<ClientEvent> ReadClientAsync(ClientId clientId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public ValueTask<ClientEvent?> FindAsync(ClientEventId eventId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public IAsyncEnumerable<ClientEvent> ReadPipelineAsync(PipelineId pipelineId, PipelineEventQuery query, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
