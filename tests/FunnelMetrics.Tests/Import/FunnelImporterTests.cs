using FsCheck;
using FsCheck.Fluent;
using FunnelMetrics.Benchmarks;
using FunnelMetrics.Import;
using FunnelMetrics.Storage;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Import;

public sealed class FunnelImporterTests
{
    private static readonly OwnerId Carl = new("carl");

    private static ImportRecord Reached(string client, StageId stage, double hours, OwnerId owner = default, long position = 0) =>
        new(new ClientId(client), ImportAction.ReachedStage, stage, T0.AddHours(hours), owner) { Position = position };

    private static ImportRecord Lost(string client, double hours, string? reason = null, long position = 0) =>
        new(new ClientId(client), ImportAction.Lost, null, T0.AddHours(hours)) { LostReason = reason, Position = position };

    private static ImportRecord Touch(string client, double hours, OwnerId owner = default, long position = 0) =>
        new(new ClientId(client), ImportAction.Activity, null, T0.AddHours(hours), owner) { Position = position };

    private static async Task<(InMemoryFunnelStore Store, FunnelImporter Importer)> CreateAsync(DateTimeOffset? now = null)
    {
        var store = new InMemoryFunnelStore();
        await store.Pipelines.AddAsync(Pipeline);
        var importer = new FunnelImporter(store.Pipelines, store.Clients, store.Events, new FakeTimeProvider(now ?? T0.AddDays(30)), Options.Create(new FunnelMetrics.Recording.RecordingOptions()));
        return (store, importer);
    }

    private static async Task<List<string>> HistoryAsync(InMemoryFunnelStore store, string client) =>
        await store.Events.ReadClientAsync(new ClientId(client)).Select(e => e switch
        {
            StageTransition t => $"{t.Sequence} {t.Kind} {t.FromStage?.Value ?? "-"}>{t.ToStage?.Value ?? "-"} {(t.OccurredAt - T0).TotalHours}h {t.Owner}{(t.LostReason is null ? "" : " " + t.LostReason)}",
            OwnerReassignment r => $"{r.Sequence} Reassigned {r.PreviousOwner}>{r.Owner} {(r.OccurredAt - T0).TotalHours}h",
            _ => $"{e.Sequence} Activity {(e.OccurredAt - T0).TotalHours}h {e.Owner}",
        }).ToListAsync();

    [Fact]
    public void ImportRecords_WithEqualFields_AreEqual_TheirAttributesComparedByPairs()
    {
        var record = Reached("a", Meeting, 1, Anna, 2) with { Value = 100m, Attributes = new Dictionary<string, string> { ["region"] = "north", ["source"] = "web" } };
        var same = Reached("a", Meeting, 1, Anna, 2) with { Value = 100m, Attributes = new SortedDictionary<string, string> { ["source"] = "web", ["region"] = "north" } };

        Assert.Equal(record, same);
        Assert.Equal(record.GetHashCode(), same.GetHashCode());
        Assert.NotEqual(record, same with { Attributes = new Dictionary<string, string> { ["region"] = "south", ["source"] = "web" } });
        Assert.NotEqual(record, same with { Attributes = null });
        Assert.NotEqual(record, same with { Note = "call" });
        Assert.NotEqual(record, same with { Position = 3 });
    }

    [Fact]
    public async Task Records_InAnyOrder_BecomeEachClientsHistoryClassifiedAsTheRecorderWould()
    {
        var (store, importer) = await CreateAsync();
        ImportRecord[] records =
        [
            Reached("b", Interest, 5, Boris),
            Reached("a", Meeting, 2),
            Lost("b", 30, "price"),
            Reached("a", DecisionMaker, 0, Anna),
            Touch("a", 1),
            Reached("a", Offer, 3, Carl),
            Reached("b", Meeting, 40),
            Reached("a", Interest, 4),
            Reached("a", Contract, 9) with { Value = 5000m, Attributes = new Dictionary<string, string> { ["region"] = "north" } },
        ];

        var result = await importer.ImportAsync(SalesId, records);

        Assert.True(result.Succeeded);
        Assert.Equal((9L, 2, 2, 0, 0, 10L), (result.Records, result.Clients, result.ClientsAdded, result.ClientsExtended, result.ClientsUnchanged, result.EventsAppended));
        Assert.Equal(
            [
                "1 Entered ->decision-maker 0h anna",
                "2 Activity 1h anna",
                "3 Skipped decision-maker>meeting 2h anna",
                "4 Reassigned anna>carl 3h",
                "5 Skipped meeting>offer 3h carl",
                "6 Regressed offer>interest 4h carl",
                "7 Won interest>contract 9h carl",
            ],
            await HistoryAsync(store, "a"));
        Assert.Equal(["1 Entered ->interest 5h boris", "2 Lost interest>- 30h boris price", "3 Reopened interest>meeting 40h boris"], await HistoryAsync(store, "b"));
        var a = await store.Clients.GetAsync(new ClientId("a"));
        Assert.Equal((Anna, T0, (decimal?)5000m, "north"), (a!.Owner, a.CreatedAt, a.Value, a.Attributes["region"]));
        Assert.Equal(new ClientEventId("import:a#7"), (await store.Events.ReadClientAsync(new ClientId("a")).LastAsync()).Id);
    }

    [Fact]
    public async Task Records_AtTheSameInstant_KeepTheOrderGiven()
    {
        var (store, importer) = await CreateAsync();

        var result = await importer.ImportAsync(SalesId, [Reached("a", DecisionMaker, 0, Anna), Reached("a", Interest, 1), Reached("a", Meeting, 1), Reached("a", Interest, 1)]);

        Assert.True(result.Succeeded);
        Assert.Equal(["Entered", "Advanced", "Advanced", "Regressed"], (await HistoryAsync(store, "a")).Select(l => l.Split(' ')[1]));
    }

    [Fact]
    public async Task BadRecords_AreAllReportedWithTheirPositions_AndNothingIsStored()
    {
        var (store, importer) = await CreateAsync();
        ImportRecord[] records =
        [
            Reached("ok", DecisionMaker, 0, Anna, position: 2),
            Reached("ok", Interest, 1, position: 3),
            Reached("won-entry", Contract, 0, Anna, position: 4),
            Reached("unknown", new StageId("negotiation"), 0, Anna, position: 5),
            Reached("future", DecisionMaker, 24 * 400, Anna, position: 6),
            Lost("never-entered", 0, position: 7) with { Owner = Anna },
            Reached("same", DecisionMaker, 0, Anna, position: 8),
            Reached("same", DecisionMaker, 1, position: 9),
            Reached("same", Interest, 2, position: 10),
            Reached("no-owner", DecisionMaker, 0, position: 11),
            Lost("closed", 1, position: 13),
            Reached("closed", DecisionMaker, 0, Anna, position: 12),
            Lost("closed", 2, position: 14),
        ];

        var result = await importer.ImportAsync(SalesId, records);

        Assert.False(result.Succeeded);
        Assert.Equal(
            [
                (4L, "won-entry", ImportField.Stage, (FunnelRule?)FunnelRule.EntryIntoWonStage),
                (5, "unknown", ImportField.Stage, null),
                (6, "future", ImportField.OccurredAt, FunnelRule.EventInFuture),
                (7, "never-entered", ImportField.Stage, FunnelRule.ClientNotEntered),
                (9, "same", ImportField.Stage, FunnelRule.SameStage),
                (11, "no-owner", ImportField.Owner, null),
                (14, "closed", ImportField.Stage, FunnelRule.ClientClosed),
            ],
            result.Problems.Select(p => (p.Position, p.ClientId!.Value.Value, p.Field, p.Rule)));
        Assert.Contains("negotiation", result.Problems[1].Message, StringComparison.Ordinal);
        Assert.Contains("same", result.Problems[4].Message, StringComparison.Ordinal);
        Assert.Equal((0, 0L), (store.Clients.Count, store.Events.Count));
        Assert.Equal((0, 0L), (result.ClientsAdded, result.EventsAppended));
    }

    [Fact]
    public async Task Problems_BeyondTheLimit_AreCountedAsTruncated()
    {
        var (_, importer) = await CreateAsync();
        var records = Enumerable.Range(0, 10).Select(i => Reached($"c{i}", new StageId("nowhere"), 0, Anna));

        var result = await importer.ImportAsync(SalesId, records, new ImportOptions { MaxProblems = 3 });

        Assert.Equal([1L, 2, 3], result.Problems.Select(p => p.Position));
        Assert.True(result.ProblemsTruncated);
    }

    [Fact]
    public async Task ValidateOnly_ReportsWhatWouldBeStored_AndStoresNothing()
    {
        var (store, importer) = await CreateAsync();

        var result = await importer.ImportAsync(SalesId, [Reached("a", DecisionMaker, 0, Anna), Reached("a", Interest, 1)], new ImportOptions { ValidateOnly = true });

        Assert.True(result.Succeeded);
        Assert.True(result.ValidatedOnly);
        Assert.Equal((1, 2L), (result.ClientsAdded, result.EventsAppended));
        Assert.Equal((0, 0L), (store.Clients.Count, store.Events.Count));
    }

    [Fact]
    public async Task TheSameImport_RunAgain_ChangesNothing_AndALongerOne_AddsTheRest()
    {
        var (store, importer) = await CreateAsync();
        ImportRecord[] start = [Reached("a", DecisionMaker, 0, Anna), Reached("a", Interest, 1), Reached("b", Meeting, 0, Boris)];
        await importer.ImportAsync(SalesId, start);
        var before = store.Events.Count;

        var again = await importer.ImportAsync(SalesId, start);
        var longer = await importer.ImportAsync(SalesId, [.. start, Reached("a", Offer, 5), Reached("c", DecisionMaker, 0, Carl)]);

        Assert.Equal((0, 0, 2, 0L), (again.ClientsAdded, again.ClientsExtended, again.ClientsUnchanged, again.EventsAppended));
        Assert.Equal(3, before);
        Assert.Equal((1, 1, 1, 2L), (longer.ClientsAdded, longer.ClientsExtended, longer.ClientsUnchanged, longer.EventsAppended));
        Assert.Equal(5, store.Events.Count);
        Assert.Equal(["1 Entered ->decision-maker 0h anna", "2 Advanced decision-maker>interest 1h anna", "3 Skipped interest>offer 5h anna"], await HistoryAsync(store, "a"));
    }

    [Fact]
    public async Task AClientStored_WithAnotherHistory_IsAProblem_AndNothingElseIsStored()
    {
        var (store, importer) = await CreateAsync();
        await importer.ImportAsync(SalesId, [Reached("a", DecisionMaker, 0, Anna), Reached("a", Interest, 1)]);

        var result = await importer.ImportAsync(SalesId, [Reached("a", DecisionMaker, 0, Anna), Reached("a", Meeting, 1), Reached("z", DecisionMaker, 0, Anna)]);

        var problem = Assert.Single(result.Problems);
        Assert.Equal((new ClientId("a"), ImportField.Record), (problem.ClientId, problem.Field));
        Assert.Contains("#2", problem.Message, StringComparison.Ordinal);
        Assert.Null(await store.Clients.GetAsync(new ClientId("z")));
    }

    [Fact]
    public void Options_RefuseAPrefixNoEventIdCouldStartWith_AndTooFewProblems()
    {
        Assert.Throws<ArgumentException>(() => new ImportOptions { EventIdPrefix = " crm:" });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImportOptions { EventIdPrefix = new string('x', 41) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImportOptions { MaxProblems = 0 });
        Assert.Equal("crm:", new ImportOptions { EventIdPrefix = "crm:" }.EventIdPrefix);
    }

    [Fact]
    public async Task AnUnknownPipeline_Throws()
    {
        var (_, importer) = await CreateAsync();

        await Assert.ThrowsAsync<UnknownPipelineException>(() => importer.ImportAsync(new PipelineId("nope"), [Reached("a", DecisionMaker, 0, Anna)]));
    }

    [Fact]
    public async Task Progress_IsReportedForBothPhases_EndingAtTheTotal()
    {
        var (_, importer) = await CreateAsync();
        var reports = new List<ImportProgress>();
        var progress = new SynchronousProgress(reports.Add);

        await importer.ImportAsync(SalesId, [Reached("a", DecisionMaker, 0, Anna), Reached("b", DecisionMaker, 0, Anna)], progress: progress);

        Assert.Equal([new ImportProgress(ImportPhase.Checking, 2, 2), new ImportProgress(ImportPhase.Storing, 2, 2)], reports);
    }

    /// <summary>
    /// Law: importing the stage transitions of a generated history, shuffled in any order, reproduces each client's
    /// transitions exactly (kinds, stages, instants), and running it again adds nothing.
    /// </summary>
    [FsCheck.Xunit.Property(MaxTest = 8)]
    public Property ImportingAGeneratedHistory_ReproducesItsTransitions_InAnyOrder(PositiveInt seed, int shuffleSeed)
    {
        var (_, events) = HistoryGenerator.Generate(600, seed.Get, owners: 5);
        var records = events.Where(e => e is not OwnerReassignment).Select(e => e switch
        {
            StageTransition { Kind: TransitionKind.Lost } t => new ImportRecord(t.ClientId, ImportAction.Lost, null, t.OccurredAt, t.Owner) { LostReason = t.LostReason },
            StageTransition t => new ImportRecord(t.ClientId, ImportAction.ReachedStage, t.ToStage, t.OccurredAt, t.Owner),
            _ => new ImportRecord(e.ClientId, ImportAction.Activity, null, e.OccurredAt, e.Owner),
        }).ToArray();
        var order = Enumerable.Range(0, records.Length).ToArray();
        new Random(shuffleSeed).Shuffle(order);

        // Shuffle, but keep each client's records at one instant in their original order: ties keep the order given.
        var shuffled = new ImportRecord[records.Length];
        foreach (var tie in order.Select((index, slot) => (index, slot)).GroupBy(x => (records[x.index].ClientId, records[x.index].OccurredAt.UtcTicks)))
        {
            foreach (var (slot, index) in tie.Select(x => x.slot).Order().Zip(tie.Select(x => x.index).Order()))
            {
                shuffled[slot] = records[index];
            }
        }

        var (store, importer) = CreateAsync(HistoryGenerator.End.AddDays(1)).GetAwaiter().GetResult();
        var result = importer.ImportAsync(HistoryGenerator.Pipeline.Id, shuffled).GetAwaiter().GetResult();
        var again = importer.ImportAsync(HistoryGenerator.Pipeline.Id, records).GetAwaiter().GetResult();

        static string Transitions(IEnumerable<ClientEvent> history) =>
            string.Join(";", history.OfType<StageTransition>().Select(t => $"{t.Kind}:{t.FromStage?.Value}>{t.ToStage?.Value}@{t.OccurredAt.UtcTicks}"));
        var expected = events.GroupBy(e => e.ClientId).ToDictionary(g => g.Key, g => Transitions(g));
        var actual = expected.Keys.ToDictionary(c => c, c => Transitions(store.Events.ReadClientAsync(c).ToListAsync().AsTask().GetAwaiter().GetResult()));
        return (result.Succeeded && again.Succeeded && again.EventsAppended == 0 && expected.All(kv => actual[kv.Key] == kv.Value))
            .Label($"problems: {string.Join("; ", result.Problems.Take(3))}");
    }

    private sealed class SynchronousProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}
