using FunnelMetrics.Metrics;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Metrics;

/// <summary>
/// Every way a stored history can be broken is refused by the log's build and by the live view with the same
/// <see cref="FunnelHistoryException"/>: the rule, the client, the event id, its sequence and instant; and by
/// <see cref="ClientState.Apply"/> too when the rule needs no stage order.
/// </summary>
public sealed class BrokenHistoryTests
{
    private static readonly Client C = NewClient("c1");
    private static readonly StageId Nowhere = new("nowhere");

    private static StageTransition T(long seq, TransitionKind kind, StageId? from, StageId? to, int minutes = 0, string? id = null) =>
        new(new ClientEventId(id ?? $"e{seq}"), C.Id, SalesId, seq, kind, from, to, T0.AddMinutes(minutes), T0.AddMinutes(minutes), Anna);

    private static ClientActivity A(long seq, int minutes, string? id = null) =>
        new(new ClientEventId(id ?? $"a{seq}"), C.Id, SalesId, seq, T0.AddMinutes(minutes), T0.AddMinutes(minutes), Anna);

    private static StageTransition Enter(StageId stage) => T(1, TransitionKind.Entered, null, stage);

    /// <summary>The history, the index of the event that breaks it, the rule, and the rule <see cref="ClientState"/> names (null: it cannot tell without the stage order).</summary>
    private static readonly Dictionary<string, (ClientEvent[] Events, int Bad, FunnelRule Rule, FunnelRule? StateRule)> Cases = new()
    {
        ["gap"] = ([Enter(Meeting), T(3, TransitionKind.Advanced, Meeting, Requirements)], 1, FunnelRule.SequenceNotNext, FunnelRule.SequenceNotNext),
        ["duplicate"] = ([Enter(Meeting), A(2, 1), A(2, 2, "dup")], 2, FunnelRule.SequenceNotNext, FunnelRule.SequenceNotNext),
        ["before creation"] = ([T(1, TransitionKind.Entered, null, Meeting, minutes: -1)], 0, FunnelRule.EventBeforeClientCreated, null),
        ["before previous"] = ([T(1, TransitionKind.Entered, null, Meeting, minutes: 60), A(2, 59)], 1, FunnelRule.EventBeforePreviousEvent, FunnelRule.EventBeforePreviousEvent),
        ["unknown target"] = ([Enter(Nowhere)], 0, FunnelRule.UnknownStage, null),
        ["unknown source"] = ([Enter(Meeting), T(2, TransitionKind.Advanced, Nowhere, Requirements)], 1, FunnelRule.FromStageMismatch, FunnelRule.FromStageMismatch),
        ["second entry into an unknown stage"] = ([Enter(Meeting), T(2, TransitionKind.Entered, null, Nowhere)], 1, FunnelRule.AlreadyEntered, FunnelRule.AlreadyEntered),
        ["unknown reopen target"] = ([Enter(Meeting), T(2, TransitionKind.Lost, Meeting, null), T(3, TransitionKind.Reopened, Meeting, Nowhere)], 2, FunnelRule.UnknownStage, null),
        ["move before entry"] = ([A(1, 0), T(2, TransitionKind.Advanced, Meeting, Requirements)], 1, FunnelRule.ClientNotEntered, FunnelRule.ClientNotEntered),
        ["loss before entry"] = ([T(1, TransitionKind.Lost, Meeting, null)], 0, FunnelRule.ClientNotEntered, FunnelRule.ClientNotEntered),
        ["second entry"] = ([Enter(Meeting), T(2, TransitionKind.Entered, null, Interest)], 1, FunnelRule.AlreadyEntered, FunnelRule.AlreadyEntered),
        ["move after win"] = ([Enter(Offer), T(2, TransitionKind.Won, Offer, Contract), T(3, TransitionKind.Regressed, Contract, Meeting)], 2, FunnelRule.ClientClosed, FunnelRule.ClientClosed),
        ["loss after loss"] = ([Enter(Offer), T(2, TransitionKind.Lost, Offer, null), T(3, TransitionKind.Lost, Offer, null)], 2, FunnelRule.ClientClosed, FunnelRule.ClientClosed),
        ["reopen of open"] = ([Enter(Meeting), T(2, TransitionKind.Reopened, Meeting, Offer)], 1, FunnelRule.ReopenOfOpenClient, FunnelRule.ReopenOfOpenClient),
        ["entry into won"] = ([Enter(Contract)], 0, FunnelRule.EntryIntoWonStage, null),
        ["reopen into won"] = ([Enter(Meeting), T(2, TransitionKind.Lost, Meeting, null), T(3, TransitionKind.Reopened, Meeting, Contract)], 2, FunnelRule.ReopenIntoWonStage, null),
        ["from another stage"] = ([Enter(Meeting), T(2, TransitionKind.Advanced, Interest, Meeting)], 1, FunnelRule.FromStageMismatch, FunnelRule.FromStageMismatch),
        ["skip that is an advance"] = ([Enter(DecisionMaker), T(2, TransitionKind.Skipped, DecisionMaker, Interest)], 1, FunnelRule.KindContradictsStageOrder, null),
        ["advance into won"] = ([Enter(Terms), T(2, TransitionKind.Advanced, Terms, Contract)], 1, FunnelRule.KindContradictsStageOrder, null),
        ["win into an open stage"] = ([Enter(Meeting), T(2, TransitionKind.Won, Meeting, Offer)], 1, FunnelRule.KindContradictsStageOrder, null),
        ["regress forward"] = ([Enter(Meeting), T(2, TransitionKind.Regressed, Meeting, Offer)], 1, FunnelRule.KindContradictsStageOrder, null),
        ["hand-over from another owner"] = ([Enter(Meeting), new OwnerReassignment(new ClientEventId("r2"), C.Id, SalesId, 2, T0, T0, new OwnerId("carl"), Boris)], 1, FunnelRule.ReassignmentFromOtherOwner, FunnelRule.ReassignmentFromOtherOwner),
    };

    public static TheoryData<string> Names => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Build_RefusesTheBrokenHistory_WithTheRuleAndTheEvent(string name)
    {
        var (events, bad, rule, _) = Cases[name];
        var e = events[bad];

        var ex = Assert.Throws<FunnelHistoryException>(() => FunnelEventLog.Build(Pipeline, [C], events));

        AssertNames(ex, e, rule);
        Assert.Null(ex.ParamName);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void LiveView_RefusesTheEventItsStateDoesNotAllow_WithTheSameRule_AndStaysUnchanged(string name)
    {
        var (events, bad, rule, _) = Cases[name];
        var view = FunnelLiveView.Create(FunnelEventLog.Build(Pipeline, [C], []), T0);
        for (var i = 0; i < bad; i++)
        {
            view.Apply(events[i]);
        }

        var before = (view.EventsApplied, view.LastEventAt, Counts(view));
        var ex = Assert.Throws<FunnelHistoryException>(() => view.Apply(events[bad]));

        AssertNames(ex, events[bad], rule);
        Assert.Equal("clientEvent", ex.ParamName);
        Assert.Equal(before, (view.EventsApplied, view.LastEventAt, Counts(view)));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ClientStateApply_RefusesWhatNeedsNoStageOrder_WithTheSameRule(string name)
    {
        var (events, bad, _, stateRule) = Cases[name];
        var state = ClientState.Initial(C);
        for (var i = 0; i < bad; i++)
        {
            state = state.Apply(events[i]);
        }

        if (stateRule is { } rule)
        {
            AssertNames(Assert.Throws<FunnelHistoryException>(() => state.Apply(events[bad])), events[bad], rule);
        }
        else
        {
            // The stage order (or the client's creation) is not the state's to know: the log and the view check it.
            Assert.Equal(bad + 1, state.Apply(events[bad]).Version);
        }
    }

    [Fact]
    public void Build_StillThrowsPlainArgumentExceptions_ForInputsThatAreNoClientsHistory()
    {
        var other = Assert.Throws<ArgumentException>(() => FunnelEventLog.Build(Pipeline, [], [Enter(Meeting)]));
        Assert.IsNotType<FunnelHistoryException>(other);
        Assert.Contains("'c1'", other.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LiveView_AcceptsWhatTheRecorderRecords_AfterRefusingABrokenEvent()
    {
        var view = FunnelLiveView.Create(FunnelEventLog.Build(Pipeline, [C], []), T0);
        view.Apply(Enter(Meeting));

        Assert.Throws<FunnelHistoryException>(() => view.Apply(T(2, TransitionKind.Skipped, Meeting, Requirements)));
        view.Apply(T(2, TransitionKind.Advanced, Meeting, Requirements));

        Assert.Equal(1, view.Counts(T0).Stages[3].Clients);
        Assert.Equal(2, view.EventsApplied);
    }

    private static void AssertNames(FunnelHistoryException ex, ClientEvent e, FunnelRule rule)
    {
        Assert.Equal((rule, C.Id, e.Id, e.Sequence, e.OccurredAt), (ex.Rule, ex.ClientId, ex.EventId, ex.Sequence, ex.OccurredAt));
        Assert.Contains($"'{C.Id}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{e.Id}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"#{e.Sequence}", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"{e.OccurredAt:O}", ex.Message, StringComparison.Ordinal);
        Assert.Contains(rule.ToString(), ex.Message, StringComparison.Ordinal);
        if (rule == FunnelRule.UnknownStage)
        {
            Assert.Contains($"'{Nowhere}'", ex.Message, StringComparison.Ordinal);
        }
        else if (e is StageTransition { ToStage: { } to } && rule is not (FunnelRule.SequenceNotNext or FunnelRule.EventBeforeClientCreated or FunnelRule.EventBeforePreviousEvent or FunnelRule.FromStageMismatch or FunnelRule.ClientNotEntered))
        {
            Assert.Contains($"'{to}'", ex.Message, StringComparison.Ordinal);
        }

        if (e is StageTransition { FromStage: { } from } && rule is FunnelRule.FromStageMismatch or FunnelRule.ClientNotEntered or FunnelRule.ClientClosed)
        {
            Assert.Contains($"'{from}'", ex.Message, StringComparison.Ordinal);
        }
    }

    private static string Counts(FunnelLiveView view) =>
        System.Text.Json.JsonSerializer.Serialize(view.Counts(T0), FunnelMetrics.Serialization.FunnelMetricsJsonContext.Default.StageCounts);
}
