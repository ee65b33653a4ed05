using System.Runtime.CompilerServices;
using FunnelMetrics.Analytics;
using FunnelMetrics.Import;
using FunnelMetrics.Storage;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Analytics;

public sealed class LoadUnderConcurrentWritesTests
{
    [Fact]
    public async Task Load_WhileAClientIsAddedAndABackdatedEventLandsBetweenPages_BuildsCompleteHistories()
    {
        var store = new InMemoryFunnelStore();
        await store.Pipelines.AddAsync(Pipeline);
        var clock = new FakeTimeProvider(T0.AddDays(60));
        var options = Options.Create(new FunnelMetricsOptions());
        var importer = new FunnelImporter(store.Pipelines, store.Clients, store.Events, clock, Options.Create(options.Value.Recording));
        var records = Enumerable.Range(0, 3400).SelectMany(i =>
        {
            var id = new ClientId($"c{i:D4}");
            return new[]
            {
                new ImportRecord(id, ImportAction.ReachedStage, DecisionMaker, T0.AddMinutes(i), Anna),
                new ImportRecord(id, ImportAction.ReachedStage, Interest, T0.AddDays(1).AddMinutes(i)),
                new ImportRecord(id, ImportAction.Activity, null, T0.AddDays(2).AddMinutes(i)),
            };
        });
        Assert.True((await importer.ImportAsync(SalesId, records)).Succeeded);

        // After the first page of 10,000 events: c0000 gets an event the paging has already passed (a hole, since its
        // next event is read in the second page), and a client the client listing did not see gets its first event.
        var events = new AfterFirstPage(store.Events, async () =>
        {
            var c0 = new ClientId("c0000");
            await store.Events.AppendAsync(c0, 3, [
                new ClientActivity(new ClientEventId("late-1"), c0, SalesId, 4, T0.AddHours(50), T0.AddDays(60), Anna),
                new ClientActivity(new ClientEventId("late-2"), c0, SalesId, 5, T0.AddHours(200), T0.AddDays(60), Anna),
            ]);
            var late = new ClientId("late");
            await store.Clients.AddAsync(new Client(late, SalesId, Boris, T0.AddHours(300)));
            await store.Events.AppendAsync(late, 0, [new StageTransition(new ClientEventId("late-3"), late, SalesId, 1, TransitionKind.Entered, null, Meeting, T0.AddHours(300), T0.AddDays(60), Boris)]);
        });
        var analytics = new FunnelAnalytics(store.Pipelines, store.Clients, events, clock, options);

        var log = await analytics.LoadAsync(SalesId);

        Assert.Equal(3401, log.Clients.Count);
        Assert.Equal((3400 * 3) + 3, log.EventCount);
        Assert.True(events.Pages >= 2, "the history must span pages for the writes to land between them");
    }

    private sealed class AfterFirstPage(IFunnelEventStore inner, Func<Task> interfere) : IFunnelEventStore
    {
        public int Pages { get; private set; }

        public Task<long> AppendAsync(ClientId clientId, long expectedVersion, IReadOnlyList<ClientEvent> events, CancellationToken cancellationToken = default) => inner.AppendAsync(clientId, expectedVersion, events, cancellationToken);

        public IAsyncEnumerable<ClientEvent> ReadClientAsync(ClientId clientId, CancellationToken cancellationToken = default) => inner.ReadClientAsync(clientId, cancellationToken);

        public ValueTask<ClientEvent?> FindAsync(ClientEventId eventId, CancellationToken cancellationToken = default) => inner.FindAsync(eventId, cancellationToken);

        public async IAsyncEnumerable<ClientEvent> ReadPipelineAsync(PipelineId pipelineId, PipelineEventQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var e in inner.ReadPipelineAsync(pipelineId, query, cancellationToken))
            {
                yield return e;
            }

            if (++Pages == 1)
            {
                await interfere();
            }
        }
    }
}
