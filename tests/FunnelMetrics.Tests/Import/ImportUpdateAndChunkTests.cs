using FunnelMetrics.Import;
using FunnelMetrics.Storage;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Import;

/// <summary>An export's changed value, expected close date or attributes become client updates; storing goes through the bulk writes in chunks.</summary>
public sealed class ImportUpdateAndChunkTests
{
    private static ImportRecord Reached(string client, StageId stage, double hours, OwnerId owner = default, long position = 0) =>
        new(new ClientId(client), ImportAction.ReachedStage, stage, T0.AddHours(hours), owner) { Position = position };

    private static async Task<(InMemoryFunnelStore Store, FunnelImporter Importer)> CreateAsync(IFunnelEventStore? events = null)
    {
        var store = new InMemoryFunnelStore();
        await store.Pipelines.AddAsync(Pipeline);
        var importer = new FunnelImporter(store.Pipelines, store.Clients, events ?? store.Events, new FakeTimeProvider(T0.AddDays(30)), Options.Create(new FunnelMetrics.Recording.RecordingOptions()));
        return (store, importer);
    }

    private static async Task<Client> AsOfNowAsync(InMemoryFunnelStore store, string id)
    {
        var client = (await store.Clients.GetAsync(new ClientId(id)))!;
        await foreach (var e in store.Events.ReadClientAsync(client.Id))
        {
            if (e is ClientUpdate u)
            {
                client = client.Apply(u);
            }
        }

        return client;
    }

    [Fact]
    public async Task AReimport_WithAChangedValue_AppendsOneUpdate_AndASecondIdenticalReimport_AppendsNothing()
    {
        var (store, importer) = await CreateAsync();
        ImportRecord[] first = [Reached("a", DecisionMaker, 0, Anna, 2) with { Value = 100m }, Reached("a", Interest, 5, position: 3), Reached("b", DecisionMaker, 0, Boris, 4) with { Value = 7m }];
        await importer.ImportAsync(SalesId, first);
        ImportRecord[] changed = [first[0], first[1] with { Value = 150m }, first[2]];

        var update = await importer.ImportAsync(SalesId, changed);
        var again = await importer.ImportAsync(SalesId, changed);

        Assert.True(update.Succeeded);
        Assert.Equal((1, 1, 1, 1L), (update.ClientsExtended, update.ClientsUnchanged, update.ClientsUpdated, update.EventsAppended));
        var change = Assert.Single(update.Updates);
        Assert.Equal((3L, new ClientId("a"), ImportField.Value), (change.Position, change.ClientId, change.Field));
        Assert.Empty(update.Warnings);
        Assert.Equal((0, 2, 0, 0L), (again.ClientsExtended, again.ClientsUnchanged, again.ClientsUpdated, again.EventsAppended));
        Assert.Empty(again.Updates);
        var history = await store.Events.ReadClientAsync(new ClientId("a")).ToListAsync();
        Assert.Equal(3, history.Count);
        var stored = Assert.IsType<ClientUpdate>(history[2]);
        Assert.Equal((true, (decimal?)150m, false, 0, T0.AddHours(5)), (stored.SetsValue, stored.Value, stored.SetsExpectedCloseDate, stored.Attributes.Count, stored.OccurredAt));
        Assert.Equal(150m, (await AsOfNowAsync(store, "a")).Value);
    }

    [Fact]
    public async Task AnExportThatGoesOn_AfterAnUpdate_AppendsItsNewMovesAfterTheStoredUpdate()
    {
        var (store, importer) = await CreateAsync();
        ImportRecord[] first = [Reached("a", DecisionMaker, 0, Anna) with { Value = 100m }];
        await importer.ImportAsync(SalesId, first);
        await importer.ImportAsync(SalesId, [first[0] with { Value = 120m }]);

        var later = await importer.ImportAsync(SalesId, [first[0] with { Value = 120m }, Reached("a", Interest, 3)]);
        var again = await importer.ImportAsync(SalesId, [first[0] with { Value = 120m }, Reached("a", Interest, 3)]);

        Assert.True(later.Succeeded, string.Join("; ", later.Problems));
        Assert.Equal((1, 0, 1L), (later.ClientsExtended, later.ClientsUpdated, later.EventsAppended));
        Assert.Equal((1, 0L), (again.ClientsUnchanged, again.EventsAppended));
        Assert.Equal(["Entered", "update", "Advanced"], (await store.Events.ReadClientAsync(new ClientId("a")).ToListAsync()).Select(e => e is StageTransition t ? t.Kind.ToString() : "update"));
    }

    [Fact]
    public async Task ValidateOnly_ReportsTheUpdates_WithoutWritingThem()
    {
        var (store, importer) = await CreateAsync();
        ImportRecord[] first = [Reached("a", DecisionMaker, 0, Anna, 2) with { Attributes = new Dictionary<string, string> { ["region"] = "north" } }];
        await importer.ImportAsync(SalesId, first);
        var before = store.Events.Count;

        var result = await importer.ImportAsync(SalesId, [first[0] with { ExpectedCloseDate = new DateOnly(2026, 6, 30), Attributes = new Dictionary<string, string> { ["region"] = "north", ["source"] = "web" } }], new ImportOptions { ValidateOnly = true });

        Assert.True(result.Succeeded && result.ValidatedOnly);
        Assert.Equal((1, 1L), (result.ClientsUpdated, result.EventsAppended));
        Assert.Equal([ImportField.Attributes, ImportField.ExpectedCloseDate], result.Updates.Select(u => u.Field).Order());
        Assert.Contains("source", result.Updates.Single(u => u.Field == ImportField.Attributes).Message, StringComparison.Ordinal);
        Assert.Equal(before, store.Events.Count);
        Assert.Null((await AsOfNowAsync(store, "a")).ExpectedCloseDate);
    }

    [Fact]
    public async Task ANewClient_TakesItsExpectedCloseDate_FromItsLastRecordThatHasOne()
    {
        var (store, importer) = await CreateAsync();

        var result = await importer.ImportAsync(SalesId, [Reached("a", DecisionMaker, 0, Anna) with { ExpectedCloseDate = new DateOnly(2026, 5, 1) }, Reached("a", Interest, 1) with { ExpectedCloseDate = new DateOnly(2026, 6, 1) }, Reached("a", Meeting, 2)]);

        Assert.Equal((1, 0), (result.ClientsAdded, result.ClientsUpdated));
        Assert.Equal(new DateOnly(2026, 6, 1), (await store.Clients.GetAsync(new ClientId("a")))!.ExpectedCloseDate);
    }

    [Fact]
    public async Task AChunk_WithOneClientAnotherWriterChanged_StoresTheOthers_AndStopsInterrupted()
    {
        var store = new InMemoryFunnelStore();
        var b = new ClientId("b");
        var racing = new RacingBulkStore(store.Events, async () => await store.Events.AppendAsync(b, 0, [new ClientActivity(new ClientEventId("crm-1"), b, SalesId, 1, T0, T0, Anna)]));
        var (_, importer) = await CreateWithAsync(store, racing);
        ImportRecord[] records = [Reached("a", DecisionMaker, 0, Anna, 2), Reached("b", DecisionMaker, 0, Anna, 3), Reached("c", DecisionMaker, 0, Anna, 4), Reached("d", DecisionMaker, 0, Anna, 5)];

        var result = await importer.ImportAsync(SalesId, records, new ImportOptions { ChunkSize = 3 });

        Assert.True(result.Interrupted);
        var problem = Assert.Single(result.Problems);
        Assert.Equal((3L, b), (problem.Position, problem.ClientId));
        Assert.Contains("2 client(s) are stored", problem.Message, StringComparison.Ordinal);
        Assert.Equal((2, 2L), (result.ClientsAdded, result.EventsAppended));
        Assert.Equal(1, racing.BulkWrites);
        Assert.Single(await store.Events.ReadClientAsync(new ClientId("a")).ToListAsync());
        Assert.Single(await store.Events.ReadClientAsync(new ClientId("c")).ToListAsync());
        Assert.Equal(["crm-1"], (await store.Events.ReadClientAsync(b).ToListAsync()).Select(e => e.Id.Value));
        Assert.Null(await store.Clients.GetAsync(new ClientId("d")));

        var rerun = await importer.ImportAsync(SalesId, [records[0], records[2], records[3]]);
        Assert.Equal((1, 2, 1L), (rerun.ClientsAdded, rerun.ClientsUnchanged, rerun.EventsAppended));
    }

    [Fact]
    public async Task TheSameImport_CommittedByAnotherWriterBetweenTheVersionCheckAndTheInsert_IsRecognised()
    {
        // A database store checks versions, then inserts: a writer committing the very same events in between makes the
        // insert fail on the event ids, not on the version. The importer must read the client again, as after a version
        // conflict, and find its own events stored.
        var store = new InMemoryFunnelStore();
        var racing = new IdRaceBulkStore(store.Events);
        var (_, importer) = await CreateWithAsync(store, racing);
        var records = Enumerable.Range(0, 3).SelectMany(i => new[] { Reached($"c{i}", DecisionMaker, 0, Anna), Reached($"c{i}", Interest, 1) }).ToArray();

        var result = await importer.ImportAsync(SalesId, records);

        Assert.True(result.Succeeded, string.Join("; ", result.Problems));
        Assert.True(racing.Raced);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal([1L, 2L], (await store.Events.ReadClientAsync(new ClientId($"c{i}")).ToListAsync()).Select(e => e.Sequence));
        }
    }

    [Fact]
    public async Task Chunks_StoreEveryClient_AndReportProgressAtTheEnd()
    {
        var (store, importer) = await CreateAsync();
        var records = Enumerable.Range(0, 25).SelectMany(i => new[] { Reached($"c{i:00}", DecisionMaker, 0, Anna), Reached($"c{i:00}", Interest, 1) }).ToArray();
        var reports = new List<ImportProgress>();

        var result = await importer.ImportAsync(SalesId, records, new ImportOptions { ChunkSize = 4 }, new SynchronousProgress(reports.Add));

        Assert.Equal((25, 50L), (result.ClientsAdded, result.EventsAppended));
        Assert.Equal((25, 50), (store.Clients.Count, store.Events.Count));
        Assert.Equal(new ImportProgress(ImportPhase.Storing, 25, 25), reports[^1]);
    }

    [Fact]
    public void ChunkSize_IsFromOneToTheMaximum()
    {
        Assert.Equal(2000, ImportOptions.Default.ChunkSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImportOptions { ChunkSize = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImportOptions { ChunkSize = ImportOptions.MaxChunkSize + 1 });
        Assert.Equal(ImportOptions.MaxChunkSize, new ImportOptions { ChunkSize = ImportOptions.MaxChunkSize }.ChunkSize);
    }

    private static async Task<(InMemoryFunnelStore Store, FunnelImporter Importer)> CreateWithAsync(InMemoryFunnelStore store, IFunnelEventStore events)
    {
        await store.Pipelines.AddAsync(Pipeline);
        return (store, new FunnelImporter(store.Pipelines, store.Clients, events, new FakeTimeProvider(T0.AddDays(30)), Options.Create(new FunnelMetrics.Recording.RecordingOptions())));
    }

    /// <summary>Runs another writer once, just before the first bulk write reaches the store, then writes through the store's own bulk path.</summary>
    private sealed class RacingBulkStore(InMemoryFunnelEventStore inner, Func<Task> interfere) : IFunnelEventStore
    {
        private Func<Task>? _interfere = interfere;

        public int BulkWrites { get; private set; }

        public Task<long> AppendAsync(ClientId clientId, long expectedVersion, IReadOnlyList<ClientEvent> events, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("The importer stores through AppendManyAsync.");

        public async Task<IReadOnlyList<StreamAppendResult>> AppendManyAsync(IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default)
        {
            BulkWrites++;
            if (Interlocked.Exchange(ref _interfere, null) is { } run)
            {
                await run();
            }

            return await inner.AppendManyAsync(appends, cancellationToken);
        }

        public IAsyncEnumerable<ClientEvent> ReadClientAsync(ClientId clientId, CancellationToken cancellationToken = default) => inner.ReadClientAsync(clientId, cancellationToken);

        public ValueTask<ClientEvent?> FindAsync(ClientEventId eventId, CancellationToken cancellationToken = default) => inner.FindAsync(eventId, cancellationToken);

        public IAsyncEnumerable<ClientEvent> ReadPipelineAsync(PipelineId pipelineId, PipelineEventQuery query, CancellationToken cancellationToken = default) => inner.ReadPipelineAsync(pipelineId, query, cancellationToken);
    }

    /// <summary>
    /// At the first bulk write, another writer stores exactly the same parts first, and the write reports each part
    /// refused on its first event id, as a database store does when that writer commits after its version check.
    /// </summary>
    private sealed class IdRaceBulkStore(InMemoryFunnelEventStore inner) : IFunnelEventStore
    {
        public bool Raced { get; private set; }

        public Task<long> AppendAsync(ClientId clientId, long expectedVersion, IReadOnlyList<ClientEvent> events, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("The importer stores through AppendManyAsync.");

        public async Task<IReadOnlyList<StreamAppendResult>> AppendManyAsync(IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default)
        {
            if (Raced)
            {
                return await inner.AppendManyAsync(appends, cancellationToken);
            }

            Raced = true;
            await inner.AppendManyAsync(appends, cancellationToken);
            return appends.Select(a => StreamAppendResult.Refused(a, new EventIdConflictException(a.Events[0].Id, a.ClientId, a.Events[0]))).ToList();
        }

        public IAsyncEnumerable<ClientEvent> ReadClientAsync(ClientId clientId, CancellationToken cancellationToken = default) => inner.ReadClientAsync(clientId, cancellationToken);

        public ValueTask<ClientEvent?> FindAsync(ClientEventId eventId, CancellationToken cancellationToken = default) => inner.FindAsync(eventId, cancellationToken);

        public IAsyncEnumerable<ClientEvent> ReadPipelineAsync(PipelineId pipelineId, PipelineEventQuery query, CancellationToken cancellationToken = default) => inner.ReadPipelineAsync(pipelineId, query, cancellationToken);
    }

    private sealed class SynchronousProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}
