// The prelude of docs/storage.md's fragments (<!-- snippet: context=storage -->): a service collection, an event
// store to page through, and the pieces a CRM's own PostgreSQL store (Npgsql) and repositories would have. The
// page's store methods become members of a class derived from SnippetContext. Nothing here runs: the snippets are
// only compiled.
global using System.Runtime.CompilerServices;
global using System.Text;
global using FunnelMetrics;
global using FunnelMetrics.EntityFrameworkCore;
global using FunnelMetrics.Recording;
global using FunnelMetrics.Storage;
global using FunnelMetrics.Testing;
global using Microsoft.EntityFrameworkCore;
global using Microsoft.Extensions.DependencyInjection;
global using Microsoft.Extensions.Options;
global using Npgsql;
global using Xunit;

abstract class SnippetContext
{
    protected IServiceCollection services = null!;
    protected string connectionString = "Host=localhost;Database=crm";
    protected IFunnelEventStore events = null!;
    protected PipelineId pipelineId;
    protected DateTimeOffset? from, to;
    protected CancellationToken ct;
    protected NpgsqlDataSource _dataSource = null!;

    protected void Process(IReadOnlyList<ClientEvent> page) { }

    // The feed follower's example: a store's feed and the checkpoint of what was built from it.
    protected IFunnelChangeFeed feed = null!;
    protected Task<long> LoadCheckpointAsync() => Task.FromResult(0L);
    protected Task ApplyAsync(FunnelChange change, CancellationToken ct) => Task.CompletedTask;
    protected Task SaveCheckpointAsync(long position) => Task.CompletedTask;

    // The row mapping the AppendAsync and ReadPipelineAsync sketches leave out.
    protected record struct StreamHead(long Version, PipelineId Pipeline, DateTimeOffset OccurredAt);
    protected Task<StreamHead> ReadHeadAsync(NpgsqlConnection conn, NpgsqlTransaction tx, ClientId clientId, CancellationToken ct) => throw new NotSupportedException();
    protected Task InsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, ClientEvent e, CancellationToken ct) => throw new NotSupportedException();
    protected Task<long> ReadVersionAsync(NpgsqlConnection conn, ClientId clientId, CancellationToken ct) => throw new NotSupportedException();
    protected Task<ClientEvent?> FindAnyAsync(NpgsqlConnection conn, IEnumerable<ClientEventId> ids, CancellationToken ct) => throw new NotSupportedException();
    protected ClientEvent ReadEvent(NpgsqlDataReader reader) => throw new NotSupportedException();
}

public sealed class Invoice
{
    public int Id { get; set; }
}

sealed class CrmTestDatabase
{
    public static Task<CrmTestDatabase> CreateEmptyAsync() => throw new NotSupportedException();
    public static Task DropAllAsync() => throw new NotSupportedException();
}

sealed class CrmPipelineRepository(CrmTestDatabase db) : IPipelineRepository
{
    public ValueTask<PipelineDefinition?> GetAsync(PipelineId pipelineId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<bool> AddAsync(PipelineDefinition pipeline, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public IAsyncEnumerable<PipelineDefinition> ListAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
}

sealed class CrmClientRepository(CrmTestDatabase db) : IClientRepository
{
    public ValueTask<Client?> GetAsync(ClientId clientId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<bool> AddAsync(Client client, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public IAsyncEnumerable<Client> ListAsync(PipelineId pipelineId, ClientId? after = null, int? limit = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}

sealed class CrmEventStore(CrmTestDatabase db) : IFunnelEventStore
{
    public Task<long> AppendAsync(ClientId clientId, long expectedVersion, IReadOnlyList<ClientEvent> events, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public IAsyncEnumerable<ClientEvent> ReadClientAsync(ClientId clientId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public ValueTask<ClientEvent?> FindAsync(ClientEventId eventId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public IAsyncEnumerable<ClientEvent> ReadPipelineAsync(PipelineId pipelineId, PipelineEventQuery query, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
