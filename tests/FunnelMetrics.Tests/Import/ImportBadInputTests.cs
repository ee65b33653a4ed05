using FunnelMetrics.Import;
using FunnelMetrics.Storage;
using FunnelMetrics.Tests.Support;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Import;

/// <summary>Every invalid record becomes an <see cref="ImportProblem"/>; nothing the records hold makes the importer throw.</summary>
public sealed class ImportBadInputTests
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

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t")]
    [InlineData("\u00A0")]
    public async Task ANoteOrLostReason_ThatIsEmptyOrWhiteSpace_MeansNone(string blank)
    {
        var (store, importer) = await CreateAsync();
        ImportRecord[] records =
        [
            Reached("a", DecisionMaker, 0, Anna) with { Note = blank },
            new(new ClientId("a"), ImportAction.Activity, null, T0.AddHours(1)) { Note = blank },
            new(new ClientId("a"), ImportAction.Lost, null, T0.AddHours(2)) { Note = blank, LostReason = blank },
        ];

        var result = await importer.ImportAsync(SalesId, records);

        Assert.True(result.Succeeded, string.Join("; ", result.Problems));
        var events = await store.Events.ReadClientAsync(new ClientId("a")).ToListAsync();
        Assert.All(events, e => Assert.Null(e.Note));
        Assert.Null(((StageTransition)events[^1]).LostReason);
    }

    [Fact]
    public async Task AnUnsetInstant_OnANewOrAStoredClient_IsAProblemOfOccurredAt()
    {
        var (_, importer) = await CreateAsync();
        Assert.True((await importer.ImportAsync(SalesId, [Reached("stored", DecisionMaker, 0, Anna)])).Succeeded);
        ImportRecord[] records =
        [
            new(new ClientId("stored"), ImportAction.ReachedStage, Interest, default) { Position = 7 },
            new(new ClientId("new"), ImportAction.ReachedStage, Interest, default, Anna) { Position = 8 },
        ];

        var result = await importer.ImportAsync(SalesId, records);

        Assert.Equal([(7L, ImportField.OccurredAt), (8L, ImportField.OccurredAt)], result.Problems.Select(p => (p.Position, p.Field)));
        Assert.All(result.Problems, p => Assert.Contains("0001-01-01", p.Message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("a\0b", ImportField.Note, "NUL")]
    [InlineData("<D800>", ImportField.Note, "surrogate")]
    public async Task ANote_ThatCannotBeStored_IsAProblemOfTheNote(string encoded, ImportField field, string rule)
    {
        var note = Model.BadTextTests.Decode(encoded);
        var (store, importer) = await CreateAsync();

        var result = await importer.ImportAsync(SalesId, [Reached("a", DecisionMaker, 0, Anna, position: 3) with { Note = note }]);

        var problem = Assert.Single(result.Problems);
        Assert.Equal((3L, field), (problem.Position, problem.Field));
        Assert.Contains(rule, problem.Message, StringComparison.Ordinal);
        Assert.Null(await store.Clients.GetAsync(new ClientId("a")));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1000000000000000001")]
    public async Task AValue_OutsideZeroToTenToTheEighteenth_IsAProblemOfTheValue(string value)
    {
        var (_, importer) = await CreateAsync();

        var result = await importer.ImportAsync(SalesId, [Reached("a", DecisionMaker, 0, Anna, position: 2) with { Value = decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture) }]);

        Assert.Equal((2L, ImportField.Value), (result.Problems[0].Position, result.Problems[0].Field));
    }

    [Fact]
    public async Task AReimport_ThatChangesAStoredClientsValueAttributesNoteOrReason_SucceedsWithAnUpdateForTheClient_AndAWarningForEachNoteOrReason()
    {
        var (store, importer) = await CreateAsync();
        ImportRecord[] first =
        [
            Reached("a", DecisionMaker, 0, Anna, 2) with { Value = 100m, Attributes = new Dictionary<string, string> { ["region"] = "north" }, Note = "first call" },
            new(new ClientId("a"), ImportAction.Lost, null, T0.AddHours(1)) { LostReason = "price", Position = 3 },
        ];
        Assert.True((await importer.ImportAsync(SalesId, first)).Succeeded);
        ImportRecord[] again =
        [
            first[0] with { Value = 120m, Attributes = new Dictionary<string, string> { ["region"] = "south", ["source"] = "web" }, Note = "second call" },
            first[1] with { LostReason = "timing" },
        ];

        var result = await importer.ImportAsync(SalesId, again);

        Assert.True(result.Succeeded);
        Assert.Equal((0, 1, 1, 1L), (result.ClientsUnchanged, result.ClientsExtended, result.ClientsUpdated, result.EventsAppended));
        Assert.Equal([ImportField.Note, ImportField.LostReason], result.Warnings.OrderBy(w => w.Position).ThenBy(w => w.Field).Select(w => w.Field));
        Assert.Equal(
            [(2L, ImportField.Value), (2L, ImportField.Attributes), (2L, ImportField.Attributes)],
            result.Updates.OrderBy(w => w.Position).ThenBy(w => w.Field).Select(w => (w.Position, w.Field)));
        Assert.Contains(result.Updates, w => w.Message.Contains("100", StringComparison.Ordinal) && w.Message.Contains("120", StringComparison.Ordinal));
        var stored = await store.Clients.GetAsync(new ClientId("a"));
        Assert.Equal((100m, "north"), (stored!.Value, stored.Attributes["region"]));
        var history = await store.Events.ReadClientAsync(new ClientId("a")).ToListAsync();
        Assert.Equal("first call", history[0].Note);
        var update = Assert.IsType<ClientUpdate>(history[^1]);
        Assert.Equal((3L, T0.AddHours(1), new ClientEventId("import:a#3")), (update.Sequence, update.OccurredAt, update.Id));
        var asOfNow = stored.Apply(update);
        Assert.Equal((120m, "south", "web"), (asOfNow.Value, asOfNow.Attributes["region"], asOfNow.Attributes["source"]));
    }

    [Fact]
    public async Task AttributesTheModelRefuses_AreAProblemOfAttributes_WithTheRuleAsTheMessage()
    {
        var (_, importer) = await CreateAsync();
        var attributes = Enumerable.Range(0, 70).ToDictionary(i => $"a{i}", _ => "x");

        var result = await importer.ImportAsync(SalesId, [Reached("a", DecisionMaker, 0, Anna, 2) with { Attributes = attributes }]);

        var problem = Assert.Single(result.Problems);
        Assert.Equal((2L, ImportField.Attributes), (problem.Position, problem.Field));
        Assert.Equal("Client 'a' has 70 attributes; at most 64 are allowed.", problem.Message);
    }

    [Fact]
    public async Task AReimport_OfTheSameRecords_HasNoWarning()
    {
        var (_, importer) = await CreateAsync();
        ImportRecord[] records = [Reached("a", DecisionMaker, 0, Anna) with { Value = 100m, Note = "call", Attributes = new Dictionary<string, string> { ["region"] = "north" } }];
        await importer.ImportAsync(SalesId, records);

        var result = await importer.ImportAsync(SalesId, records);

        Assert.Equal((1, 0), (result.ClientsUnchanged, result.Warnings.Count));
    }

    [Fact]
    public async Task ADerivedId_ThatTheRecorderAlreadyStored_IsAProblemFoundBeforeAnythingIsStored()
    {
        var (store, importer) = await CreateAsync();
        var other = NewClient("other");
        await store.Clients.AddAsync(other);
        await store.Events.AppendAsync(other.Id, 0, [new StageTransition(new ClientEventId("import:b#1"), other.Id, SalesId, 1, TransitionKind.Entered, null, DecisionMaker, T0, T0, Anna)]);
        ImportRecord[] records = [Reached("a", DecisionMaker, 0, Anna, 2), Reached("b", DecisionMaker, 0, Anna, 3)];

        var result = await importer.ImportAsync(SalesId, records);
        var validated = await importer.ImportAsync(SalesId, records, new ImportOptions { ValidateOnly = true });

        var problem = Assert.Single(result.Problems);
        Assert.Equal((3L, new ClientId("b")), (problem.Position, problem.ClientId));
        Assert.Contains("import:b#1", problem.Message, StringComparison.Ordinal);
        Assert.Contains("'other'", problem.Message, StringComparison.Ordinal);
        Assert.Null(await store.Clients.GetAsync(new ClientId("a")));
        Assert.Single(validated.Problems);
        Assert.True((await importer.ImportAsync(SalesId, records, new ImportOptions { EventIdPrefix = "crm:" })).Succeeded);
    }

    [Fact]
    public async Task TwoClients_ThatDeriveTheSameEventId_AreAProblemFoundBeforeAnythingIsStored()
    {
        var (store, importer) = await CreateAsync();
        var longId = new string('x', 195);
        // An over-long id is stood in for by its SHA-256 in hex: a client whose id is that very hex derives the same ids.
        var hex = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(longId)));

        var result = await importer.ImportAsync(SalesId, [Reached(longId, DecisionMaker, 0, Anna, 2), Reached(hex, DecisionMaker, 0, Anna, 3)]);

        var problem = Assert.Single(result.Problems);
        Assert.Equal(ImportField.ClientId, problem.Field);
        Assert.Contains($"import:{hex}#1", problem.Message, StringComparison.Ordinal);
        Assert.Null(await store.Clients.GetAsync(new ClientId(longId)));
    }

    [Theory]
    [InlineData("crm\u001B:")]
    [InlineData("crm\u202E:")]
    public void AnEventIdPrefix_WithWhatAnIdMayNotHold_IsRefusedWhenSet(string prefix)
    {
        var ex = Assert.Throws<ArgumentException>(() => new ImportOptions { EventIdPrefix = System.Text.RegularExpressions.Regex.Unescape(prefix) });
        Assert.Contains("event id prefix", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoImports_OfTheSameRecordsAtOnce_BothSucceed_AndStoreEachEventOnce()
    {
        var (store, importer) = await CreateAsync();
        var records = Enumerable.Range(0, 300).SelectMany(i => new[] { Reached($"c{i:000}", DecisionMaker, 0, Anna), Reached($"c{i:000}", Interest, 1) }).ToArray();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => importer.ImportAsync(SalesId, records))));

        Assert.All(results, r => Assert.True(r.Succeeded, string.Join("; ", r.Problems)));
        for (var i = 0; i < 300; i++)
        {
            Assert.Equal(2, await store.Events.ReadClientAsync(new ClientId($"c{i:000}")).CountAsync());
        }
    }

    [Fact]
    public async Task AnImport_RacingAWriterThatStoredSomethingElse_StopsWithAnInterruptedResult_NotAnException()
    {
        var interfering = new InterferingEventStore();
        var (store, importer) = await CreateAsync(interfering);
        interfering.Inner = store.Events;
        var b = new ClientId("b");
        var appends = 0;
        interfering.Repeat = true;
        interfering.BeforeNextAppend = async () =>
        {
            // Just before the import appends client b's history, another writer records something else for b.
            if (++appends == 2)
            {
                await store.Events.AppendAsync(b, 0, [new ClientActivity(new ClientEventId("crm-1"), b, SalesId, 1, T0, T0, Anna)]);
            }
        };
        ImportRecord[] records = [Reached("a", DecisionMaker, 0, Anna, 2), Reached("b", DecisionMaker, 0, Anna, 3)];

        var result = await importer.ImportAsync(SalesId, records);

        Assert.True(result.Interrupted);
        Assert.False(result.Succeeded);
        var problem = Assert.Single(result.Problems);
        Assert.Equal((3L, b), (problem.Position, problem.ClientId));
        Assert.Contains("Run the same import again", problem.Message, StringComparison.Ordinal);
        Assert.Equal((1, 1L), (result.ClientsAdded, result.EventsAppended));
        Assert.Equal(1, await store.Events.ReadClientAsync(new ClientId("a")).CountAsync());
    }
}
