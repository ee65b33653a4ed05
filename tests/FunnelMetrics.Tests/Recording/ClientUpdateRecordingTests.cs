using FunnelMetrics.Recording;
using FunnelMetrics.Storage;
using FunnelMetrics.Tests.Support;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Recording;

/// <summary><see cref="FunnelRecorder.UpdateClientAsync"/>, <see cref="ClientChanges"/> and <see cref="FunnelRecorder.GetClientAsync"/>.</summary>
public sealed class ClientUpdateRecordingTests
{
    [Fact]
    public async Task Update_RecordsWhatChanged_AsTheNextEventOfTheStream()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        await h.Recorder.MoveAsync(c, DecisionMaker, T0.AddHours(1));

        var changes = ClientChanges.None.WithValue(2500m).WithExpectedCloseDate(new DateOnly(2026, 4, 30)).WithAttribute("region", "north").WithoutAttribute("campaign");
        var update = await h.Recorder.UpdateClientAsync(c, changes, T0.AddHours(2), "after the call", new ClientEventId("u1"));

        Assert.Equal(2, update.Sequence);
        Assert.Equal(T0.AddHours(2), update.OccurredAt);
        Assert.Equal(h.Clock.GetUtcNow(), update.RecordedAt);
        Assert.Equal(Anna, update.Owner);
        Assert.True(update.SetsValue);
        Assert.Equal(2500m, update.Value);
        Assert.True(update.SetsExpectedCloseDate);
        Assert.Equal(new DateOnly(2026, 4, 30), update.ExpectedCloseDate);
        Assert.Equal(new Dictionary<string, string?> { ["region"] = "north", ["campaign"] = null }, update.Attributes);
        Assert.Equal("after the call", update.Note);
        Assert.Equal(update, (await h.EventsOfAsync(c))[^1]);
    }

    [Fact]
    public async Task Update_IsAllowedInEveryStatus_AndChangesNeitherStatusNorOwnerNorLastTouch()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var notEntered = await h.AddClientAsync("not-entered");
        var open = await h.AddClientAsync("open");
        var won = await h.AddClientAsync("won");
        var lost = await h.AddClientAsync("lost");
        await h.Recorder.MoveAsync(open, Meeting, T0.AddHours(1));
        await h.Recorder.MoveAsync(won, Terms, T0.AddHours(1));
        await h.Recorder.MoveAsync(won, Contract, T0.AddHours(2));
        await h.Recorder.MoveAsync(lost, Offer, T0.AddHours(1));
        await h.Recorder.MarkLostAsync(lost, "price", T0.AddHours(2));

        foreach (var c in new[] { notEntered, open, won, lost })
        {
            var before = await h.Recorder.GetStateAsync(c);
            var update = await h.Recorder.UpdateClientAsync(c, ClientChanges.None.WithValue(10m), T0.AddDays(1));
            var after = await h.Recorder.GetStateAsync(c);

            Assert.Equal(before.Version + 1, update.Sequence);
            Assert.Equal(new ClientState(c, SalesId, before.Owner, before.Status, before.Stage, before.StageEnteredAt, T0.AddDays(1), before.LastTouchedAt, before.Version + 1), after);
        }
    }

    [Fact]
    public async Task Update_WithTheSameIdAndChanges_ReturnsTheOriginal_InAnyAttributeOrder()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        var id = new ClientEventId("u1");
        var first = await h.Recorder.UpdateClientAsync(c, ClientChanges.None.WithAttribute("a", "1").WithAttribute("b", "2"), T0.AddHours(1), eventId: id);
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        var snapshot = await h.SnapshotAsync();

        var retried = await h.Recorder.UpdateClientAsync(c, ClientChanges.None.WithAttribute("b", "2").WithAttribute("a", "1"), T0.AddHours(1), eventId: id);
        var retriedWithoutInstant = await h.Recorder.UpdateClientAsync(c, ClientChanges.None.WithAttribute("b", "2").WithAttribute("a", "1"), eventId: id);

        Assert.Same(first, retried);
        Assert.Equal(first, retriedWithoutInstant);
        Assert.Equal(snapshot, await h.SnapshotAsync());
    }

    public static TheoryData<string> OtherRequests() => ["value", "close date", "attribute", "removal", "note", "instant", "move"];

    [Theory]
    [MemberData(nameof(OtherRequests))]
    public async Task Update_WithTheSameIdAndAnotherRequest_IsAConflict(string difference)
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        var id = new ClientEventId("u1");
        var changes = ClientChanges.None.WithValue(5m).WithAttribute("region", "north");
        await h.Recorder.UpdateClientAsync(c, changes, T0.AddHours(1), "n", id);
        var snapshot = await h.SnapshotAsync();

        Task Other() => difference switch
        {
            "value" => h.Recorder.UpdateClientAsync(c, changes.WithValue(6m), T0.AddHours(1), "n", id),
            "close date" => h.Recorder.UpdateClientAsync(c, changes.WithExpectedCloseDate(null), T0.AddHours(1), "n", id),
            "attribute" => h.Recorder.UpdateClientAsync(c, changes.WithAttribute("region", "south"), T0.AddHours(1), "n", id),
            "removal" => h.Recorder.UpdateClientAsync(c, changes.WithoutAttribute("region"), T0.AddHours(1), "n", id),
            "note" => h.Recorder.UpdateClientAsync(c, changes, T0.AddHours(1), "other", id),
            "instant" => h.Recorder.UpdateClientAsync(c, changes, T0.AddHours(2), "n", id),
            _ => h.Recorder.MoveAsync(c, Meeting, T0.AddHours(1), "n", id),
        };

        var ex = await Assert.ThrowsAsync<EventIdConflictException>(Other);
        Assert.Equal(id, ex.EventId);
        Assert.Equal(snapshot, await h.SnapshotAsync());
    }

    [Fact]
    public async Task Update_WithTheIdOfAnActivity_IsAConflict()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        await h.Recorder.RecordActivityAsync(c, "call", T0.AddHours(1), new ClientEventId("e1"));

        await Assert.ThrowsAsync<EventIdConflictException>(() => h.Recorder.UpdateClientAsync(c, ClientChanges.None.WithValue(1m), T0.AddHours(1), "call", new ClientEventId("e1")));
    }

    [Fact]
    public async Task Update_BreakingTimeOrder_IsRefused_AndWritesNothing()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        var late = await h.AddClientAsync("c2", T0.AddDays(3));
        await h.Recorder.MoveAsync(c, DecisionMaker, T0.AddDays(2));
        var snapshot = await h.SnapshotAsync();

        var early = await Assert.ThrowsAsync<EventOrderException>(() => h.Recorder.UpdateClientAsync(c, ClientChanges.None.WithValue(1m), T0.AddDays(1)));
        var future = await Assert.ThrowsAsync<FutureEventException>(() => h.Recorder.UpdateClientAsync(c, ClientChanges.None.WithValue(1m), h.Clock.GetUtcNow().AddDays(1)));
        var beforeCreation = await Assert.ThrowsAsync<EventOrderException>(() => h.Recorder.UpdateClientAsync(late, ClientChanges.None.WithValue(1m), T0.AddDays(2)));

        Assert.Equal(FunnelRule.EventBeforePreviousEvent, early.Rule);
        Assert.Equal(FunnelRule.EventInFuture, future.Rule);
        Assert.Equal(FunnelRule.EventBeforeClientCreated, beforeCreation.Rule);
        Assert.Equal(snapshot, await h.SnapshotAsync());
    }

    [Fact]
    public async Task Update_ThatChangesNothing_OrOfAnUnknownClient_IsRefused()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");

        var empty = await Assert.ThrowsAsync<ArgumentException>(() => h.Recorder.UpdateClientAsync(c, ClientChanges.None));
        await Assert.ThrowsAsync<ArgumentNullException>(() => h.Recorder.UpdateClientAsync(c, null!));
        await Assert.ThrowsAsync<UnknownClientException>(() => h.Recorder.UpdateClientAsync(new ClientId("nobody"), ClientChanges.None.WithValue(1m)));

        Assert.Contains("'c1' changes nothing", empty.Message, StringComparison.Ordinal);
        Assert.Empty(await h.EventsOfAsync(c));
    }

    [Fact]
    public async Task Update_ReadsTheStateOnly_NeverTheStream()
    {
        var store = new InMemoryFunnelStore();
        var events = new StreamRefusingStore(store.Events);
        var h = new RecorderHarness(events: events);
        await h.Store.Pipelines.AddAsync(Pipeline);
        var c = await h.AddClientAsync("c1");
        await h.Recorder.MoveAsync(c, DecisionMaker, T0.AddHours(1));

        // The harness's own store holds the clients; the events go to the refusing wrapper's store.
        var update = await h.Recorder.UpdateClientAsync(c, ClientChanges.None.WithValue(3m), T0.AddHours(2), eventId: new ClientEventId("u1"));
        var retried = await h.Recorder.UpdateClientAsync(c, ClientChanges.None.WithValue(3m), T0.AddHours(2), eventId: new ClientEventId("u1"));

        Assert.Equal(2, update.Sequence);
        Assert.Equal(update, retried);
        Assert.Equal(0, events.StreamReads);
    }

    [Fact]
    public async Task GetClient_FoldsTheUpdatesUpToTheInstant()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var record = await h.Recorder.AddClientAsync(new Client(new ClientId("c1"), SalesId, Anna, T0, 100m, new Dictionary<string, string> { ["region"] = "north", ["source"] = "web" }));
        await h.Recorder.UpdateClientAsync(record.Id, ClientChanges.None.WithValue(200m).WithAttribute("region", "south"), T0.AddDays(1));
        await h.Recorder.MoveAsync(record.Id, DecisionMaker, T0.AddDays(2));
        await h.Recorder.UpdateClientAsync(record.Id, ClientChanges.None.WithValue(null).WithExpectedCloseDate(new DateOnly(2026, 6, 1)).WithoutAttribute("source"), T0.AddDays(3));

        Assert.Equal(record, await h.Recorder.GetClientAsync(record.Id, T0.AddHours(23)));
        Assert.Equal(new Client(record.Id, SalesId, Anna, T0, 200m, new Dictionary<string, string> { ["region"] = "south", ["source"] = "web" }), await h.Recorder.GetClientAsync(record.Id, T0.AddDays(1)));
        var now = new Client(record.Id, SalesId, Anna, T0, null, new Dictionary<string, string> { ["region"] = "south" }, new DateOnly(2026, 6, 1));
        Assert.Equal(now, await h.Recorder.GetClientAsync(record.Id, T0.AddDays(3)));
        Assert.Equal(now, await h.Recorder.GetClientAsync(record.Id));
        await Assert.ThrowsAsync<UnknownClientException>(() => h.Recorder.GetClientAsync(new ClientId("nobody")));
    }

    [Fact]
    public async Task Updates_AddingKeysBeyondSixtyFour_AreRecorded_AndTheLogStillBuilds()
    {
        // Each update carries at most 64 changes, but two may add 100 keys: the recorder cannot see the first from the
        // second without reading the stream, so the fold must not refuse what it recorded.
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        await h.Recorder.UpdateClientAsync(c, Enumerable.Range(0, 50).Aggregate(ClientChanges.None, (ch, i) => ch.WithAttribute($"a{i}", "v")), T0.AddHours(1));
        await h.Recorder.UpdateClientAsync(c, Enumerable.Range(0, 50).Aggregate(ClientChanges.None, (ch, i) => ch.WithAttribute($"b{i}", "v")), T0.AddHours(2));

        var log = await h.LogAsync();

        var own = NewClient("c1").Attributes.Count;
        Assert.Equal(own + 100, log.ClientAsOf(c, T0.AddHours(2)).Attributes.Count);
        Assert.Equal(own + 100, (await h.Recorder.GetClientAsync(c)).Attributes.Count);
    }

    [Fact]
    public void Changes_AreValidated_AndALaterChangeOfTheSameDetailWins()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ClientChanges.None.WithValue(-1m));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClientChanges.None.WithValue(Client.MaxValue + 1));
        Assert.Throws<ArgumentException>(() => ClientChanges.None.WithAttribute("", "x"));
        Assert.Throws<ArgumentException>(() => ClientChanges.None.WithAttribute(" padded", "x"));
        Assert.Throws<ArgumentException>(() => ClientChanges.None.WithAttribute("k", new string('x', 1001)));
        Assert.Throws<ArgumentException>(() => ClientChanges.None.WithAttribute("k", "a\0b"));
        Assert.Throws<ArgumentException>(() => ClientChanges.None.WithoutAttribute("bad\u202Ekey"));
        var many = Enumerable.Range(0, 64).Aggregate(ClientChanges.None, (ch, i) => ch.WithAttribute($"k{i}", "v"));
        var tooMany = Assert.Throws<ArgumentException>(() => many.WithoutAttribute("k64"));
        Assert.Contains("64", tooMany.Message, StringComparison.Ordinal);
        Assert.Equal(64, many.WithAttribute("k0", "w").Attributes.Count);

        var removed = ClientChanges.None.WithAttribute("region", "north").WithoutAttribute("region");
        Assert.Equal(new Dictionary<string, string?> { ["region"] = null }, removed.Attributes);
        var unknown = ClientChanges.None.WithValue(5m).WithValue(null);
        Assert.True(unknown.SetsValue);
        Assert.Null(unknown.Value);
        Assert.False(unknown.IsEmpty);
        Assert.True(ClientChanges.None.IsEmpty);
        Assert.False(ClientChanges.None.SetsExpectedCloseDate);
        Assert.Equal(ClientChanges.None.WithAttribute("a", "1").WithAttribute("b", "2"), ClientChanges.None.WithAttribute("b", "2").WithAttribute("a", "1"));
        Assert.NotEqual(ClientChanges.None.WithValue(null), ClientChanges.None);
        Assert.Equal("value 5, expected close 2026-04-30, a=1, -b", ClientChanges.None.WithValue(5m).WithExpectedCloseDate(new DateOnly(2026, 4, 30)).WithoutAttribute("b").WithAttribute("a", "1").ToString());
        Assert.Equal("no change", ClientChanges.None.ToString());
    }

    /// <summary>An event store that counts stream and pipeline reads: the recorder must need neither to record.</summary>
    private sealed class StreamRefusingStore(IFunnelEventStore inner) : IFunnelEventStore
    {
        public int StreamReads { get; private set; }

        public Task<long> AppendAsync(ClientId clientId, long expectedVersion, IReadOnlyList<ClientEvent> events, CancellationToken cancellationToken = default) =>
            inner.AppendAsync(clientId, expectedVersion, events, cancellationToken);

        public IAsyncEnumerable<ClientEvent> ReadClientAsync(ClientId clientId, CancellationToken cancellationToken = default)
        {
            StreamReads++;
            return inner.ReadClientAsync(clientId, cancellationToken);
        }

        public ValueTask<ClientState?> ReadStateAsync(ClientId clientId, CancellationToken cancellationToken = default) => inner.ReadStateAsync(clientId, cancellationToken);

        public ValueTask<ClientEvent?> FindAsync(ClientEventId eventId, CancellationToken cancellationToken = default) => inner.FindAsync(eventId, cancellationToken);

        public IAsyncEnumerable<ClientEvent> ReadPipelineAsync(PipelineId pipelineId, PipelineEventQuery query, CancellationToken cancellationToken = default)
        {
            StreamReads++;
            return inner.ReadPipelineAsync(pipelineId, query, cancellationToken);
        }
    }
}
