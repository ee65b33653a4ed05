using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Model;

/// <summary>The one rule table (status x kind) and the questions <see cref="ClientState"/> answers from it before acting.</summary>
public sealed class RuleTableTests
{
    private static readonly Client C = NewClient("c");
    private static readonly StageId Nowhere = new("nowhere");

    private static StageTransition T(long seq, TransitionKind kind, StageId? from, StageId? to) =>
        new(new ClientEventId($"e{seq}"), C.Id, SalesId, seq, kind, from, to, T0, T0, Anna);

    private static ClientState NotEntered => ClientState.Initial(C);

    private static ClientState OpenAt(StageId stage) => NotEntered.Apply(T(1, TransitionKind.Entered, null, stage));

    private static ClientState Won => OpenAt(Offer).Apply(T(2, TransitionKind.Won, Offer, Contract));

    private static ClientState LostAtMeeting => OpenAt(Meeting).Apply(T(2, TransitionKind.Lost, Meeting, null));

    [Fact]
    public void Table_AllowsExactlyTheDocumentedTransitions_AndNamesTheRuleOfEveryOther()
    {
        // Written out independently of the implementation: the table of docs/recording.md.
        const string open = "Open", won = "Won", lost = "Lost";
        var expected = new Dictionary<ClientStatus, string[]>
        {
            //                           Entered                   Advanced                   Skipped                    Regressed                  Won                        Lost                       Reopened
            [ClientStatus.NotEntered] = [open, nameof(FunnelRule.ClientNotEntered), nameof(FunnelRule.ClientNotEntered), nameof(FunnelRule.ClientNotEntered), nameof(FunnelRule.ClientNotEntered), nameof(FunnelRule.ClientNotEntered), nameof(FunnelRule.ClientNotEntered)],
            [ClientStatus.Open] = [nameof(FunnelRule.AlreadyEntered), open, open, open, won, lost, nameof(FunnelRule.ReopenOfOpenClient)],
            [ClientStatus.Won] = [nameof(FunnelRule.AlreadyEntered), nameof(FunnelRule.ClientClosed), nameof(FunnelRule.ClientClosed), nameof(FunnelRule.ClientClosed), nameof(FunnelRule.ClientClosed), nameof(FunnelRule.ClientClosed), open],
            [ClientStatus.Lost] = [nameof(FunnelRule.AlreadyEntered), nameof(FunnelRule.ClientClosed), nameof(FunnelRule.ClientClosed), nameof(FunnelRule.ClientClosed), nameof(FunnelRule.ClientClosed), nameof(FunnelRule.ClientClosed), open],
        };

        foreach (var status in Enum.GetValues<ClientStatus>())
        {
            foreach (var kind in Enum.GetValues<TransitionKind>())
            {
                var allowed = TransitionRules.Allows(status, kind, out var next, out var broken);
                Assert.True(expected[status][(int)kind] == (allowed ? next.ToString() : broken.ToString()), $"{status} x {kind}: {(allowed ? $"-> {next}" : broken.ToString())}");
            }
        }
    }

    [Theory]
    [InlineData("interest", TransitionKind.Entered)]
    [InlineData("terms", TransitionKind.Entered)]
    public void CanMove_BeforeEntry_AnyOpenStage_IsAnEntry(string stage, TransitionKind kind)
    {
        Assert.True(NotEntered.CanMove(Pipeline, new StageId(stage), out var rule));
        Assert.Equal(default, rule);
        Assert.True(NotEntered.CanMove(Pipeline, new StageId(stage), out var derived, out _));
        Assert.Equal(kind, derived);
    }

    [Fact]
    public void CanMove_BeforeEntry_IntoTheWonStage_BreaksEntryIntoWonStage()
    {
        Assert.False(NotEntered.CanMove(Pipeline, Contract, out var rule));
        Assert.Equal(FunnelRule.EntryIntoWonStage, rule);
    }

    [Theory]
    [InlineData("requirements", TransitionKind.Advanced)]
    [InlineData("terms", TransitionKind.Skipped)]
    [InlineData("decision-maker", TransitionKind.Regressed)]
    [InlineData("interest", TransitionKind.Regressed)]
    [InlineData("contract", TransitionKind.Won)]
    public void CanMove_WhileOpen_AllowsEveryOtherStage_OfTheKindTheStageOrderGives(string stage, TransitionKind kind)
    {
        var state = OpenAt(Meeting);
        Assert.True(state.CanMove(Pipeline, new StageId(stage), out var rule));
        Assert.Equal(default, rule);
        Assert.True(state.CanMove(Pipeline, new StageId(stage), out var derived, out _));
        Assert.Equal(kind, derived);
    }

    [Fact]
    public void CanMove_WhileOpen_ToTheCurrentStage_BreaksSameStage()
    {
        Assert.False(OpenAt(Meeting).CanMove(Pipeline, Meeting, out var rule));
        Assert.Equal(FunnelRule.SameStage, rule);
    }

    [Fact]
    public void CanMove_OfAWonOrLostClient_BreaksClientClosed_EvenToTheStageItWasLostAt()
    {
        Assert.False(Won.CanMove(Pipeline, Meeting, out var rule));
        Assert.Equal(FunnelRule.ClientClosed, rule);
        Assert.False(LostAtMeeting.CanMove(Pipeline, Offer, out rule));
        Assert.Equal(FunnelRule.ClientClosed, rule);
        Assert.False(LostAtMeeting.CanMove(Pipeline, Meeting, out rule));
        Assert.Equal(FunnelRule.ClientClosed, rule);
    }

    [Fact]
    public void CanMove_AndCanReopen_ToAStageThePipelineLacks_BreakUnknownStage_BeforeAnyStatusRule()
    {
        foreach (var state in new[] { NotEntered, OpenAt(Meeting), Won, LostAtMeeting })
        {
            Assert.False(state.CanMove(Pipeline, Nowhere, out var rule));
            Assert.Equal(FunnelRule.UnknownStage, rule);
            Assert.False(state.CanReopen(Pipeline, Nowhere, out rule));
            Assert.Equal(FunnelRule.UnknownStage, rule);
        }
    }

    [Fact]
    public void CanLose_OnlyWhileOpen()
    {
        Assert.False(NotEntered.CanLose(out var rule));
        Assert.Equal(FunnelRule.ClientNotEntered, rule);
        Assert.True(OpenAt(Meeting).CanLose(out rule));
        Assert.Equal(default, rule);
        Assert.False(Won.CanLose(out rule));
        Assert.Equal(FunnelRule.ClientClosed, rule);
        Assert.False(LostAtMeeting.CanLose(out rule));
        Assert.Equal(FunnelRule.ClientClosed, rule);
    }

    [Fact]
    public void CanReopen_OnlyAWonOrLostClient_IntoAnOpenStage()
    {
        Assert.False(NotEntered.CanReopen(Pipeline, Meeting, out var rule));
        Assert.Equal(FunnelRule.ClientNotEntered, rule);
        Assert.False(OpenAt(Meeting).CanReopen(Pipeline, Offer, out rule));
        Assert.Equal(FunnelRule.ReopenOfOpenClient, rule);
        Assert.True(Won.CanReopen(Pipeline, Offer, out rule));
        Assert.Equal(default, rule);
        Assert.True(LostAtMeeting.CanReopen(Pipeline, Meeting, out _), "reopening at the stage it was lost at is allowed");
        Assert.False(LostAtMeeting.CanReopen(Pipeline, Contract, out rule));
        Assert.Equal(FunnelRule.ReopenIntoWonStage, rule);
        Assert.False(Won.CanReopen(Pipeline, Contract, out rule));
        Assert.Equal(FunnelRule.ReopenIntoWonStage, rule);
    }

    [Fact]
    public void CanReassign_InEveryStatus_ToAnyoneButTheCurrentOwner()
    {
        foreach (var state in new[] { NotEntered, OpenAt(Meeting), Won, LostAtMeeting })
        {
            Assert.True(state.CanReassign(Boris, out var rule));
            Assert.Equal(default, rule);
            Assert.False(state.CanReassign(Anna, out rule));
            Assert.Equal(FunnelRule.SameOwner, rule);
        }

        Assert.Throws<ArgumentException>(() => NotEntered.CanReassign(default, out _));
    }

    [Fact]
    public void CanX_RefuseAnotherPipeline_AndUnsetArguments()
    {
        var other = new PipelineDefinition(new PipelineId("other"), "Other", [new StageDefinition(Meeting), new StageDefinition(Contract)]);

        Assert.Equal("pipeline", Assert.Throws<ArgumentException>(() => NotEntered.CanMove(other, Meeting, out _)).ParamName);
        Assert.Equal("pipeline", Assert.Throws<ArgumentException>(() => Won.CanReopen(other, Meeting, out _)).ParamName);
        Assert.Throws<ArgumentNullException>(() => NotEntered.CanMove(null!, Meeting, out _));
        Assert.Equal("stage", Assert.Throws<ArgumentException>(() => NotEntered.CanMove(Pipeline, default, out _)).ParamName);
    }

    [Fact]
    public void ClassifyMove_CountsTheWonStageAsAPosition_AndAnyMoveIntoItIsAWin()
    {
        // a < b < won < d: the won stage named in the middle.
        var p = new PipelineDefinition(new PipelineId("mid"), "Mid", [new StageDefinition(new StageId("a")), new StageDefinition(new StageId("b")), new StageDefinition(new StageId("won")), new StageDefinition(new StageId("d"))], wonStage: new StageId("won"));

        Assert.Equal(TransitionKind.Advanced, p.ClassifyMove(0, 1));
        Assert.Equal(TransitionKind.Won, p.ClassifyMove(1, 2));
        Assert.Equal(TransitionKind.Won, p.ClassifyMove(3, 2));
        Assert.Equal(TransitionKind.Skipped, p.ClassifyMove(1, 3));
        Assert.Equal(TransitionKind.Skipped, p.ClassifyMove(0, 3));
        Assert.Equal(TransitionKind.Regressed, p.ClassifyMove(3, 1));
    }

    [Fact]
    public void Apply_TakesTheStatusAfterFromTheTable()
    {
        Assert.Equal(ClientStatus.Open, OpenAt(Meeting).Status);
        Assert.Equal((ClientStatus.Won, Contract), (Won.Status, Won.Stage!.Value));
        Assert.Equal((ClientStatus.Lost, Meeting), (LostAtMeeting.Status, LostAtMeeting.Stage!.Value));
        var reopened = LostAtMeeting.Apply(T(3, TransitionKind.Reopened, Meeting, Interest));
        Assert.Equal((ClientStatus.Open, Interest), (reopened.Status, reopened.Stage!.Value));
    }
}
