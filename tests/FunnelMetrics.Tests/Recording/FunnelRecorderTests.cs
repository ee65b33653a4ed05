using FunnelMetrics.Recording;
using FunnelMetrics.Tests.Support;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Recording;

public sealed class FunnelRecorderTests
{
    [Fact]
    public async Task Move_ThroughTheSeedStages_DerivesEveryKind()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");

        var entered = await h.Recorder.MoveAsync(c, DecisionMaker, T0, "cold call reached the director");
        var advanced = await h.Recorder.MoveAsync(c, Interest, T0.AddDays(1));
        var skipped = await h.Recorder.MoveAsync(c, Requirements, T0.AddDays(2));
        var regressed = await h.Recorder.MoveAsync(c, Meeting, T0.AddDays(3));
        var won = await h.Recorder.MoveAsync(c, Contract, T0.AddDays(4));
        var reopened = await h.Recorder.ReopenAsync(c, Terms, T0.AddDays(5));
        var lost = await h.Recorder.MarkLostAsync(c, "budget cut", T0.AddDays(6));
        var reopenedAfterLoss = await h.Recorder.ReopenAsync(c, Offer, T0.AddDays(7));

        Assert.Equal(
            [TransitionKind.Entered, TransitionKind.Advanced, TransitionKind.Skipped, TransitionKind.Regressed, TransitionKind.Won, TransitionKind.Reopened, TransitionKind.Lost, TransitionKind.Reopened],
            new[] { entered, advanced, skipped, regressed, won, reopened, lost, reopenedAfterLoss }.Select(t => t.Kind));
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7, 8], new[] { entered, advanced, skipped, regressed, won, reopened, lost, reopenedAfterLoss }.Select(t => t.Sequence));
        Assert.Null(entered.FromStage);
        Assert.Equal(DecisionMaker, entered.ToStage);
        Assert.Equal("cold call reached the director", entered.Note);
        Assert.Equal(Interest, skipped.FromStage);
        Assert.Equal(Contract, reopened.FromStage);
        Assert.Equal(Terms, lost.FromStage);
        Assert.Null(lost.ToStage);
        Assert.Equal("budget cut", lost.LostReason);
        Assert.Equal(Terms, reopenedAfterLoss.FromStage);
        Assert.Equal(h.Clock.GetUtcNow(), won.RecordedAt);

        var state = await h.Recorder.GetStateAsync(c);
        Assert.Equal(ClientStatus.Open, state.Status);
        Assert.Equal(Offer, state.Stage);
        Assert.Equal(T0.AddDays(7), state.StageEnteredAt);
        Assert.Equal(8, state.Version);
    }

    [Fact]
    public async Task Move_IntoWonStageNamedBeforeTheLast_IsWonFromEitherSide()
    {
        var pipeline = new PipelineDefinition(new PipelineId("p"), "P", [new StageDefinition(new StageId("a")), new StageDefinition(new StageId("won")), new StageDefinition(new StageId("after"))], wonStage: new StageId("won"));
        var h = new RecorderHarness();
        await h.Store.Pipelines.AddAsync(pipeline);
        var c = (await h.Recorder.AddClientAsync(new Client(new ClientId("c"), pipeline.Id, Anna, T0))).Id;

        await h.Recorder.MoveAsync(c, new StageId("a"), T0);
        var skippedPastWon = await h.Recorder.MoveAsync(c, new StageId("after"), T0.AddHours(1));
        var wonFromAfter = await h.Recorder.MoveAsync(c, new StageId("won"), T0.AddHours(2));

        Assert.Equal(TransitionKind.Skipped, skippedPastWon.Kind);
        Assert.Equal(TransitionKind.Won, wonFromAfter.Kind);
        Assert.Equal(ClientStatus.Won, (await h.Recorder.GetStateAsync(c)).Status);
    }

    [Fact]
    public async Task Move_AtEqualInstants_KeepsSequenceOrder()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");

        await h.Recorder.MoveAsync(c, DecisionMaker, T0);
        await h.Recorder.MoveAsync(c, Interest, T0);
        await h.Recorder.RecordActivityAsync(c, "call", T0);

        var events = await h.EventsOfAsync(c);
        Assert.Equal([1L, 2, 3], events.Select(e => e.Sequence));
        Assert.All(events, e => Assert.Equal(T0, e.OccurredAt));
        Assert.Equal(Interest, (await h.Recorder.GetStateAsync(c)).Stage);
    }

    [Fact]
    public async Task Move_WithoutInstant_HappensNowFromTheTimeProvider()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");

        var t = await h.Recorder.MoveAsync(c, DecisionMaker);

        Assert.Equal(h.Clock.GetUtcNow(), t.OccurredAt);
        Assert.Equal(h.Clock.GetUtcNow(), t.RecordedAt);
    }

    [Fact]
    public async Task Move_WithOffsetInstant_IsStoredInUtc()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        var sofia = new DateTimeOffset(2026, 3, 2, 12, 0, 0, TimeSpan.FromHours(2));

        var t = await h.Recorder.MoveAsync(c, DecisionMaker, sofia);

        Assert.Equal(TimeSpan.Zero, t.OccurredAt.Offset);
        Assert.Equal(sofia, t.OccurredAt);
    }

    [Fact]
    public async Task Activity_DoesNotChangeStage_ButTouchesTheClient()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        await h.Recorder.MoveAsync(c, DecisionMaker, T0);

        var activity = await h.Recorder.RecordActivityAsync(c, "follow-up call", T0.AddDays(2));

        var state = await h.Recorder.GetStateAsync(c);
        Assert.Equal(DecisionMaker, state.Stage);
        Assert.Equal(T0, state.StageEnteredAt);
        Assert.Equal(T0.AddDays(2), state.LastTouchedAt);
        Assert.Equal(Anna, activity.Owner);
    }

    [Fact]
    public async Task Reassign_ChangesTheOwnerOfLaterEvents_ButNotTheLastTouch()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        await h.Recorder.MoveAsync(c, DecisionMaker, T0);

        var reassignment = await h.Recorder.ReassignAsync(c, Boris, T0.AddDays(1), "Anna on leave");
        var move = await h.Recorder.MoveAsync(c, Interest, T0.AddDays(2));

        Assert.Equal(Anna, reassignment.PreviousOwner);
        Assert.Equal(Boris, reassignment.Owner);
        Assert.Equal(Boris, move.Owner);
        var state = await h.Recorder.GetStateAsync(c);
        Assert.Equal(Boris, state.Owner);
        Assert.Equal(T0.AddDays(2), state.LastTouchedAt);
    }

    [Fact]
    public async Task AddClient_Twice_WithSameContent_IsANoOp()
    {
        var h = await RecorderHarness.WithSeedAsync();

        await h.Recorder.AddClientAsync(NewClient("c1"));
        await h.Recorder.AddClientAsync(NewClient("c1"));

        Assert.Equal(1, h.Store.Clients.Count);
    }

    [Fact]
    public async Task AddClient_WithSameIdAndOtherContent_ThrowsAndKeepsTheFirst()
    {
        var h = await RecorderHarness.WithSeedAsync();
        await h.Recorder.AddClientAsync(NewClient("c1"));

        var ex = await Assert.ThrowsAsync<ClientConflictException>(() => h.Recorder.AddClientAsync(NewClient("c1", owner: Boris)));

        Assert.Equal(Anna, ex.Existing.Owner);
        Assert.Equal(Anna, (await h.Store.Clients.GetAsync(new ClientId("c1")))!.Owner);
    }

    [Fact]
    public async Task AddClient_ToUnknownPipeline_ThrowsAndStoresNothing()
    {
        var h = new RecorderHarness();

        var ex = await Assert.ThrowsAsync<UnknownPipelineException>(() => h.Recorder.AddClientAsync(NewClient("c1")));

        Assert.Equal(SalesId, ex.PipelineId);
        Assert.Equal(0, h.Store.Clients.Count);
    }

    [Fact]
    public async Task AddClient_CreatedInTheFuture_ThrowsAndStoresNothing()
    {
        var h = await RecorderHarness.WithSeedAsync();

        var ex = await Assert.ThrowsAsync<FutureEventException>(() => h.Recorder.AddClientAsync(NewClient("c1", createdAt: h.Clock.GetUtcNow().AddHours(1))));

        Assert.Equal(FunnelRule.EventInFuture, ex.Rule);
        Assert.Equal(0, h.Store.Clients.Count);
    }

    [Fact]
    public async Task Move_OfUnknownClient_Throws()
    {
        var h = await RecorderHarness.WithSeedAsync();

        var ex = await Assert.ThrowsAsync<UnknownClientException>(() => h.Recorder.MoveAsync(new ClientId("ghost"), DecisionMaker, T0));

        Assert.Equal("ghost", ex.ClientId.Value);
        Assert.Contains("ghost", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, h.Store.Events.Count);
    }

    [Fact]
    public async Task Move_ToUnknownStage_ThrowsNamingClientStageAndPipeline()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        await h.Recorder.MoveAsync(c, DecisionMaker, T0);
        var before = await h.SnapshotAsync();

        var ex = await Assert.ThrowsAsync<UnknownStageException>(() => h.Recorder.MoveAsync(c, new StageId("negotiation"), T0.AddDays(1)));

        Assert.Equal(new StageId("negotiation"), ex.Stage);
        Assert.Equal(c, ex.ClientId);
        Assert.Contains("'negotiation'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'sales'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'c1'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, await h.SnapshotAsync());
    }

    [Fact]
    public async Task Move_ToTheStageTheClientIsIn_Throws()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        await h.Recorder.MoveAsync(c, Meeting, T0);
        var before = await h.SnapshotAsync();

        var ex = await Assert.ThrowsAsync<SameStageException>(() => h.Recorder.MoveAsync(c, Meeting, T0.AddDays(1)));

        Assert.Equal(FunnelRule.SameStage, ex.Rule);
        Assert.Equal(Meeting, ex.Stage);
        Assert.Equal(T0.AddDays(1), ex.OccurredAt);
        Assert.Contains("'c1'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'meeting'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, await h.SnapshotAsync());
    }

    [Theory]
    [InlineData(true, "interest")]
    [InlineData(false, "interest")]
    [InlineData(true, null)]
    [InlineData(false, null)]
    public async Task MoveOrLoss_OfClosedClient_Throws(bool won, string? target)
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        await h.Recorder.MoveAsync(c, Offer, T0);
        if (won)
        {
            await h.Recorder.MoveAsync(c, Contract, T0.AddDays(1));
        }
        else
        {
            await h.Recorder.MarkLostAsync(c, "price", T0.AddDays(1));
        }

        var before = await h.SnapshotAsync();

        var ex = await Assert.ThrowsAsync<ClosedClientException>(() => target is null
            ? h.Recorder.MarkLostAsync(c, occurredAt: T0.AddDays(2))
            : h.Recorder.MoveAsync(c, new StageId(target), T0.AddDays(2)));

        Assert.Equal(FunnelRule.ClientClosed, ex.Rule);
        Assert.Equal(won ? ClientStatus.Won : ClientStatus.Lost, ex.Status);
        Assert.Equal(won ? Contract : Offer, ex.Stage);
        Assert.Contains("Reopen", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, await h.SnapshotAsync());
    }

    [Fact]
    public async Task Reopen_OfOpenClient_Throws()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        await h.Recorder.MoveAsync(c, Offer, T0);
        var before = await h.SnapshotAsync();

        var ex = await Assert.ThrowsAsync<FunnelRuleException>(() => h.Recorder.ReopenAsync(c, Interest, T0.AddDays(1)));

        Assert.Equal(FunnelRule.ReopenOfOpenClient, ex.Rule);
        Assert.Equal(before, await h.SnapshotAsync());
    }

    [Fact]
    public async Task Reopen_IntoTheWonStage_Throws()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        await h.Recorder.MoveAsync(c, Offer, T0);
        await h.Recorder.MarkLostAsync(c, occurredAt: T0.AddDays(1));
        var before = await h.SnapshotAsync();

        var ex = await Assert.ThrowsAsync<FunnelRuleException>(() => h.Recorder.ReopenAsync(c, Contract, T0.AddDays(2)));

        Assert.Equal(FunnelRule.ReopenIntoWonStage, ex.Rule);
        Assert.Equal(before, await h.SnapshotAsync());
    }

    [Fact]
    public async Task LossOrReopen_BeforeEntry_Throws()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        var before = await h.SnapshotAsync();

        var lost = await Assert.ThrowsAsync<FunnelRuleException>(() => h.Recorder.MarkLostAsync(c, occurredAt: T0));
        var reopened = await Assert.ThrowsAsync<FunnelRuleException>(() => h.Recorder.ReopenAsync(c, Interest, T0));

        Assert.Equal(FunnelRule.ClientNotEntered, lost.Rule);
        Assert.Equal(FunnelRule.ClientNotEntered, reopened.Rule);
        Assert.Equal(before, await h.SnapshotAsync());
    }

    [Fact]
    public async Task Entry_StraightIntoTheWonStage_Throws()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");

        var ex = await Assert.ThrowsAsync<FunnelRuleException>(() => h.Recorder.MoveAsync(c, Contract, T0));

        Assert.Equal(FunnelRule.EntryIntoWonStage, ex.Rule);
        Assert.Equal(0, h.Store.Events.Count);
    }

    [Fact]
    public async Task Entry_AtALaterOpenStage_IsAllowed()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");

        var t = await h.Recorder.MoveAsync(c, Meeting, T0);

        Assert.Equal(TransitionKind.Entered, t.Kind);
    }

    [Fact]
    public async Task Event_EarlierThanThePreviousEvent_ThrowsNamingBothInstants()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        await h.Recorder.MoveAsync(c, DecisionMaker, T0.AddDays(2));
        var before = await h.SnapshotAsync();

        var ex = await Assert.ThrowsAsync<EventOrderException>(() => h.Recorder.RecordActivityAsync(c, "call", T0.AddDays(1)));

        Assert.Equal(FunnelRule.EventBeforePreviousEvent, ex.Rule);
        Assert.Equal(T0.AddDays(2), ex.NotBefore);
        Assert.Contains("2026-03-04T09:00:00", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2026-03-03T09:00:00", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, await h.SnapshotAsync());
    }

    [Fact]
    public async Task Event_EarlierThanTheClientsCreation_Throws()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1", createdAt: T0);

        var ex = await Assert.ThrowsAsync<EventOrderException>(() => h.Recorder.MoveAsync(c, DecisionMaker, T0.AddSeconds(-1)));

        Assert.Equal(FunnelRule.EventBeforeClientCreated, ex.Rule);
        Assert.Equal(T0, ex.NotBefore);
        Assert.Equal(0, h.Store.Events.Count);
    }

    [Fact]
    public async Task Event_BeyondTheFutureTolerance_Throws_AndWithinItIsAccepted()
    {
        var h = await RecorderHarness.WithSeedAsync(new RecordingOptions { FutureTolerance = TimeSpan.FromMinutes(10) });
        var c = await h.AddClientAsync("c1");
        var now = h.Clock.GetUtcNow();

        var ex = await Assert.ThrowsAsync<FutureEventException>(() => h.Recorder.MoveAsync(c, DecisionMaker, now.AddMinutes(10).AddTicks(1)));
        Assert.Equal(0, h.Store.Events.Count);
        Assert.Equal(now, ex.Now);
        Assert.Equal(TimeSpan.FromMinutes(10), ex.Tolerance);

        var atTheBound = await h.Recorder.MoveAsync(c, DecisionMaker, now.AddMinutes(10));
        Assert.Equal(now.AddMinutes(10), atTheBound.OccurredAt);
    }

    [Fact]
    public async Task Reassign_ToTheCurrentOwner_Throws()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");

        var ex = await Assert.ThrowsAsync<FunnelRuleException>(() => h.Recorder.ReassignAsync(c, Anna, T0));

        Assert.Equal(FunnelRule.SameOwner, ex.Rule);
        Assert.Equal(0, h.Store.Events.Count);
    }

    [Fact]
    public async Task Move_WithTooLongNote_ThrowsArgumentExceptionAndStoresNothing()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");

        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => h.Recorder.MoveAsync(c, DecisionMaker, T0, new string('x', 1001)));

        Assert.Equal("note", ex.ParamName);
        Assert.Equal(0, h.Store.Events.Count);
    }

    [Fact]
    public async Task Move_RetriedWithTheSameEventIdAndRequest_ReturnsTheOriginal()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        var id = new ClientEventId("crm-move-1");

        var first = await h.Recorder.MoveAsync(c, DecisionMaker, T0, "call", id);
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        var retry = await h.Recorder.MoveAsync(c, DecisionMaker, T0, "call", id);

        Assert.Same(first, retry);
        Assert.Equal(1, h.Store.Events.Count);
    }

    [Fact]
    public async Task Retry_OfADefaultedInstant_MatchesWhateverInstantWasStored()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        var id = new ClientEventId("crm-activity-1");

        var first = await h.Recorder.RecordActivityAsync(c, "call", eventId: id);
        h.Clock.Advance(TimeSpan.FromMinutes(3));
        var retry = await h.Recorder.RecordActivityAsync(c, "call", eventId: id);

        Assert.Same(first, retry);
        Assert.Equal(1, h.Store.Events.Count);
    }

    [Fact]
    public async Task Retry_AfterTheStateMovedOn_StillReturnsTheOriginal()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        var id = new ClientEventId("crm-move-1");
        var first = await h.Recorder.MoveAsync(c, DecisionMaker, T0, eventId: id);
        await h.Recorder.MoveAsync(c, Interest, T0.AddDays(1));

        var retry = await h.Recorder.MoveAsync(c, DecisionMaker, T0, eventId: id);

        Assert.Same(first, retry);
        Assert.Equal(2, h.Store.Events.Count);
    }

    [Theory]
    [InlineData("stage")]
    [InlineData("time")]
    [InlineData("note")]
    [InlineData("kind")]
    [InlineData("client")]
    public async Task EventId_ReusedWithDifferentContent_Throws(string difference)
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        var other = await h.AddClientAsync("c2");
        var id = new ClientEventId("crm-move-1");
        await h.Recorder.MoveAsync(c, DecisionMaker, T0, "call", id);
        var before = await h.SnapshotAsync();

        Task act() => difference switch
        {
            "stage" => h.Recorder.MoveAsync(c, Interest, T0, "call", id),
            "time" => h.Recorder.MoveAsync(c, DecisionMaker, T0.AddMinutes(1), "call", id),
            "note" => h.Recorder.MoveAsync(c, DecisionMaker, T0, "visit", id),
            "kind" => h.Recorder.RecordActivityAsync(c, "call", T0, id),
            _ => h.Recorder.MoveAsync(other, DecisionMaker, T0, "call", id),
        };

        var ex = await Assert.ThrowsAsync<EventIdConflictException>(act);

        Assert.Equal(id, ex.EventId);
        Assert.NotNull(ex.Existing);
        Assert.Equal(before, await h.SnapshotAsync());
    }

    [Fact]
    public async Task ConcurrentWriter_AppendingFirst_MakesTheLoserThrowAndWriteNothing()
    {
        var events = new InterferingEventStore();
        var h = await RecorderHarness.WithSeedAsync(events: events);
        events.Inner = h.Store.Events;
        var c = await h.AddClientAsync("c1");
        await h.Recorder.MoveAsync(c, DecisionMaker, T0);
        events.BeforeNextAppend = async () =>
        {
            var other = new ClientActivity(new ClientEventId("other-writer"), c, SalesId, 2, T0.AddHours(1), T0.AddHours(1), Anna, "other writer");
            await h.Store.Events.AppendAsync(c, 1, [other]);
        };

        var ex = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => h.Recorder.MoveAsync(c, Interest, T0.AddHours(2)));

        Assert.Equal(1, ex.ExpectedVersion);
        Assert.Equal(2, ex.ActualVersion);
        var stored = await h.EventsOfAsync(c);
        Assert.Equal(["other-writer"], stored.Skip(1).Select(e => e.Id.Value));
    }

    [Fact]
    public async Task ConcurrentWriter_WithRetriesAllowed_IsRetriedAgainstTheNewState()
    {
        var events = new InterferingEventStore();
        var h = await RecorderHarness.WithSeedAsync(new RecordingOptions { ConcurrencyRetries = 1 }, events);
        events.Inner = h.Store.Events;
        var c = await h.AddClientAsync("c1");
        await h.Recorder.MoveAsync(c, DecisionMaker, T0);
        events.BeforeNextAppend = async () =>
        {
            var other = new StageTransition(new ClientEventId("other-writer"), c, SalesId, 2, TransitionKind.Advanced, DecisionMaker, Interest, T0.AddHours(1), T0.AddHours(1), Anna);
            await h.Store.Events.AppendAsync(c, 1, [other]);
        };

        var move = await h.Recorder.MoveAsync(c, Meeting, T0.AddHours(2));

        Assert.Equal(3, move.Sequence);
        Assert.Equal(Interest, move.FromStage);
        Assert.Equal(TransitionKind.Advanced, move.Kind);
    }

    [Fact]
    public async Task ConcurrentRetry_OfTheSameEventId_ReturnsTheWinnersEvent()
    {
        var events = new InterferingEventStore();
        var h = await RecorderHarness.WithSeedAsync(events: events);
        events.Inner = h.Store.Events;
        var c = await h.AddClientAsync("c1");
        var id = new ClientEventId("same-request");
        StageTransition? winner = null;
        events.BeforeNextAppend = async () => winner = await new FunnelRecorder(h.Store.Pipelines, h.Store.Clients, h.Store.Events, h.Clock, Microsoft.Extensions.Options.Options.Create(new RecordingOptions()))
            .MoveAsync(c, DecisionMaker, T0, eventId: id);

        var loser = await h.Recorder.MoveAsync(c, DecisionMaker, T0, eventId: id);

        Assert.NotNull(winner);
        Assert.Same(winner, loser);
        Assert.Equal(1, h.Store.Events.Count);
    }

    [Fact]
    public async Task GetState_OfUnknownClient_Throws()
    {
        var h = await RecorderHarness.WithSeedAsync();

        await Assert.ThrowsAsync<UnknownClientException>(() => h.Recorder.GetStateAsync(new ClientId("ghost")));
    }

    [Fact]
    public async Task Recorder_WithInvalidOptions_ThrowsNamingTheSetting()
    {
        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new RecorderHarness(new RecordingOptions { FutureTolerance = TimeSpan.FromDays(2) }));

        Assert.Contains("FutureTolerance", ex.Message, StringComparison.Ordinal);
    }
}

public sealed class FunnelRecorderRaceTests
{
    [Fact]
    public async Task Retries_UsedUp_ThrowTheConflictAndWriteNothingOfTheirOwn()
    {
        var events = new InterferingEventStore { Repeat = true };
        var h = await RecorderHarness.WithSeedAsync(new RecordingOptions { ConcurrencyRetries = 2 }, events);
        events.Inner = h.Store.Events;
        var c = await h.AddClientAsync("c1");
        var n = 0;
        events.BeforeNextAppend = async () =>
        {
            n++;
            var version = (await h.EventsOfAsync(c)).Count;
            await h.Store.Events.AppendAsync(c, version, [new ClientActivity(new ClientEventId($"other-{n}"), c, SalesId, version + 1, T0, T0, Anna)]);
        };

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => h.Recorder.MoveAsync(c, Meeting, T0));

        Assert.Equal(3, n);
        Assert.Equal(["other-1", "other-2", "other-3"], (await h.EventsOfAsync(c)).Select(e => e.Id.Value));
    }

    [Fact]
    public async Task CallWithAnEventId_LosingToADifferentEvent_ThrowsTheConflict()
    {
        var events = new InterferingEventStore();
        var h = await RecorderHarness.WithSeedAsync(events: events);
        events.Inner = h.Store.Events;
        var c = await h.AddClientAsync("c1");
        events.BeforeNextAppend = () => h.Store.Events.AppendAsync(c, 0, [new ClientActivity(new ClientEventId("other"), c, SalesId, 1, T0, T0, Anna)]);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => h.Recorder.MoveAsync(c, Meeting, T0, eventId: new ClientEventId("mine")));

        Assert.Null(await h.Store.Events.FindAsync(new ClientEventId("mine")));
    }

    [Fact]
    public async Task CallWithAnEventId_WhoseIdIsTakenMeanwhileByAnotherClient_ThrowsTheIdConflict()
    {
        var events = new InterferingEventStore();
        var h = await RecorderHarness.WithSeedAsync(events: events);
        events.Inner = h.Store.Events;
        var c1 = await h.AddClientAsync("c1");
        var c2 = await h.AddClientAsync("c2");
        events.BeforeNextAppend = () => h.Store.Events.AppendAsync(c2, 0, [new ClientActivity(new ClientEventId("shared"), c2, SalesId, 1, T0, T0, Anna)]);

        var ex = await Assert.ThrowsAsync<EventIdConflictException>(() => h.Recorder.MoveAsync(c1, Meeting, T0, eventId: new ClientEventId("shared")));

        Assert.Equal(c2, ex.Existing!.ClientId);
        Assert.Empty(await h.EventsOfAsync(c1));
    }

    [Fact]
    public async Task Recording_ForAClientWhosePipelineIsGone_ThrowsUnknownPipeline()
    {
        var h = new RecorderHarness();
        await h.Store.Clients.AddAsync(NewClient("c1"));

        var ex = await Assert.ThrowsAsync<UnknownPipelineException>(() => h.Recorder.MoveAsync(new ClientId("c1"), Meeting, T0));

        Assert.Equal(SalesId, ex.PipelineId);
        Assert.Equal(0, h.Store.Events.Count);
    }

    [Theory]
    [InlineData("lose")]
    [InlineData("reopen")]
    [InlineData("reassign")]
    public async Task TimeRules_ApplyToEveryKindOfCall(string call)
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        await h.Recorder.MoveAsync(c, Offer, T0.AddDays(1));
        if (call == "reopen")
        {
            await h.Recorder.MarkLostAsync(c, occurredAt: T0.AddDays(1));
        }

        var before = await h.SnapshotAsync();
        Task At(DateTimeOffset at) => call switch
        {
            "lose" => h.Recorder.MarkLostAsync(c, occurredAt: at),
            "reopen" => h.Recorder.ReopenAsync(c, Interest, at),
            _ => h.Recorder.ReassignAsync(c, Boris, at),
        };

        Assert.Equal(FunnelRule.EventBeforePreviousEvent, (await Assert.ThrowsAsync<EventOrderException>(() => At(T0.AddDays(1).AddTicks(-1)))).Rule);
        Assert.Equal(FunnelRule.EventInFuture, (await Assert.ThrowsAsync<FutureEventException>(() => At(h.Clock.GetUtcNow().AddHours(1)))).Rule);
        Assert.Equal(before, await h.SnapshotAsync());
        await At(T0.AddDays(1));
    }

    [Fact]
    public async Task OmittedInstant_AfterAnEventSlightlyAheadOfTheClock_TakesThatEventsInstant()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        var ahead = h.Clock.GetUtcNow().AddMinutes(3);
        await h.Recorder.MoveAsync(c, Meeting, ahead);

        var activity = await h.Recorder.RecordActivityAsync(c, "call");

        Assert.Equal(ahead, activity.OccurredAt);
    }
}
