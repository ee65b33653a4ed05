using FunnelMetrics.Storage;

namespace FunnelMetrics.Tests.Support;

/// <summary>An event store that lets a test run another writer just before the next append, to force a version race deterministically.</summary>
internal sealed class InterferingEventStore : IFunnelEventStore
{
    public IFunnelEventStore Inner { get; set; } = null!;

    public Func<Task>? BeforeNextAppend { get; set; }

    /// <summary>Interfere before every append, not only the next one.</summary>
    public bool Repeat { get; set; }

    public async Task<long> AppendAsync(ClientId clientId, long expectedVersion, IReadOnlyList<ClientEvent> events, CancellationToken cancellationToken = default)
    {
        if (BeforeNextAppend is { } interfere)
        {
            if (!Repeat)
            {
                BeforeNextAppend = null;
            }

            await interfere();
        }

        return await Inner.AppendAsync(clientId, expectedVersion, events, cancellationToken);
    }

    public IAsyncEnumerable<ClientEvent> ReadClientAsync(ClientId clientId, CancellationToken cancellationToken = default) => Inner.ReadClientAsync(clientId, cancellationToken);

    public ValueTask<ClientEvent?> FindAsync(ClientEventId eventId, CancellationToken cancellationToken = default) => Inner.FindAsync(eventId, cancellationToken);

    public IAsyncEnumerable<ClientEvent> ReadPipelineAsync(PipelineId pipelineId, PipelineEventQuery query, CancellationToken cancellationToken = default) => Inner.ReadPipelineAsync(pipelineId, query, cancellationToken);
}
