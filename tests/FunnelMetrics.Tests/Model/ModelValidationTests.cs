using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Model;

public sealed class ModelValidationTests
{
    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(" padded")]
    [InlineData("padded ")]
    public void Identifier_WithBadText_ThrowsNamingTheType(string value)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new ClientId(value));

        Assert.Contains(nameof(ClientId), ex.Message, StringComparison.Ordinal);
        Assert.False(ClientId.TryParse(value, out _));
    }

    [Fact]
    public void Identifier_LongerThan200Characters_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StageId(new string('s', 201)));
        Assert.Equal(200, new StageId(new string('s', 200)).Value.Length);
    }

    [Fact]
    public void Identifier_ComparesOrdinally_AndDefaultIsUnset()
    {
        Assert.True(new ClientId("B") < new ClientId("a"));
        Assert.Equal(new OwnerId("x"), OwnerId.Parse("x"));
        Assert.True(default(ClientId).IsDefault);
        Assert.Equal(string.Empty, default(ClientId).ToString());
        Assert.True(ClientEventId.TryParse("e-1", out var id));
        Assert.Equal(new ClientEventId("e-1"), id);
        Assert.False(ClientEventId.TryParse(null, out var none));
        Assert.True(none.IsDefault);
        Assert.NotEqual(ClientEventId.New(), ClientEventId.New());
    }

    [Fact]
    public void Stage_WithNonPositiveThresholdOrProbabilityOutsideUnitRange_Throws()
    {
        Assert.Equal("stallThreshold", Assert.Throws<ArgumentOutOfRangeException>(() => new StageDefinition(Meeting, stallThreshold: TimeSpan.Zero)).ParamName);
        Assert.Equal("winProbability", Assert.Throws<ArgumentOutOfRangeException>(() => new StageDefinition(Meeting, winProbability: 1.01)).ParamName);
        Assert.Equal("winProbability", Assert.Throws<ArgumentOutOfRangeException>(() => new StageDefinition(Meeting, winProbability: double.NaN)).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentException>(() => new StageDefinition(default)).ParamName);
        Assert.Equal("meeting", new StageDefinition(Meeting).DisplayName);
    }

    [Fact]
    public void Pipeline_WithFewerThanTwoStages_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new PipelineDefinition(SalesId, "Sales", [new StageDefinition(Meeting)]));

        Assert.Equal("stages", ex.ParamName);
        Assert.Contains("at least two", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pipeline_WithADuplicateKey_ThrowsNamingItAndItsPositions()
    {
        var ex = Assert.Throws<ArgumentException>(() => new PipelineDefinition(SalesId, "Sales", [new StageDefinition(Meeting), new StageDefinition(Offer), new StageDefinition(Meeting)]));

        Assert.Contains("'meeting'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("positions 0 and 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pipeline_WonStage_DefaultsToTheLast_OrIsTheOneNamed()
    {
        Assert.Equal(Contract, Pipeline.WonStage);
        Assert.Equal(6, Pipeline.WonStageIndex);

        var named = new PipelineDefinition(SalesId, "Sales", [new StageDefinition(Meeting), new StageDefinition(Contract), new StageDefinition(Offer)], wonStage: Contract);
        Assert.Equal(1, named.WonStageIndex);
        Assert.Throws<ArgumentException>(() => new PipelineDefinition(SalesId, "Sales", [new StageDefinition(Meeting), new StageDefinition(Offer)], wonStage: Contract));
    }

    [Theory]
    [InlineData("eur")]
    [InlineData("EURO")]
    [InlineData("E1R")]
    public void Pipeline_WithAMalformedCurrency_Throws(string currency)
    {
        Assert.Equal("currencyCode", Assert.Throws<ArgumentException>(() => new PipelineDefinition(SalesId, "Sales", [.. Pipeline.Stages], currencyCode: currency)).ParamName);
    }

    [Fact]
    public void Pipeline_Lookups_FindStagesByKey()
    {
        Assert.Equal(2, Pipeline.IndexOf(Meeting));
        Assert.Equal(-1, Pipeline.IndexOf(new StageId("nope")));
        Assert.True(Pipeline.Contains(Offer));
        Assert.Equal(0.4, Pipeline.GetStage(Offer).WinProbability);
        Assert.False(Pipeline.TryGetStage(new StageId("nope"), out _));
        Assert.Equal(new StageId("nope"), Assert.Throws<UnknownStageException>(() => Pipeline.GetStage(new StageId("nope"))).Stage);
    }

    [Fact]
    public void Pipeline_IsACopy_OfTheStagesGiven()
    {
        var stages = new List<StageDefinition> { new(Meeting), new(Offer) };
        var pipeline = new PipelineDefinition(SalesId, "Sales", stages);

        stages.Add(new StageDefinition(Contract));

        Assert.Equal(2, pipeline.Stages.Count);
        Assert.Equal(Offer, pipeline.WonStage);
    }

    [Fact]
    public void Client_NormalisesItsCreationToUtc_AndCopiesItsAttributes()
    {
        var attributes = new Dictionary<string, string> { ["source"] = "fair" };
        var client = new Client(new ClientId("c"), SalesId, Anna, new DateTimeOffset(2026, 3, 2, 11, 0, 0, TimeSpan.FromHours(2)), 10m, attributes);

        attributes["source"] = "changed";

        Assert.Equal(TimeSpan.Zero, client.CreatedAt.Offset);
        Assert.Equal(T0, client.CreatedAt);
        Assert.Equal("fair", client.Attributes["source"]);
    }

    [Fact]
    public void Client_WithNegativeValueOrBadAttributes_Throws()
    {
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => new Client(new ClientId("c"), SalesId, Anna, T0, -1m)).ParamName);
        Assert.Throws<ArgumentException>(() => new Client(new ClientId("c"), SalesId, Anna, T0, attributes: new Dictionary<string, string> { [" "] = "x" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Client(new ClientId("c"), SalesId, Anna, T0, attributes: Enumerable.Range(0, 65).ToDictionary(i => $"k{i}", i => "v")));
        Assert.Throws<ArgumentException>(() => new Client(new ClientId("c"), default, Anna, T0));
    }

    [Fact]
    public void Client_Equality_ComparesAttributesByContent()
    {
        Assert.Equal(NewClient("c"), NewClient("c"));
        Assert.NotEqual(NewClient("c"), new Client(new ClientId("c"), SalesId, Anna, T0, 1000m, new Dictionary<string, string> { ["source"] = "fair" }));
    }

    [Fact]
    public void Transition_WhoseShapeContradictsItsKind_Throws()
    {
        var id = new ClientEventId("e");
        var c = new ClientId("c");

        Assert.Throws<ArgumentException>(() => new StageTransition(id, c, SalesId, 1, TransitionKind.Entered, Meeting, Offer, T0, T0, Anna));
        Assert.Throws<ArgumentException>(() => new StageTransition(id, c, SalesId, 2, TransitionKind.Advanced, null, Offer, T0, T0, Anna));
        Assert.Throws<ArgumentException>(() => new StageTransition(id, c, SalesId, 2, TransitionKind.Lost, Meeting, Offer, T0, T0, Anna));
        Assert.Throws<ArgumentException>(() => new StageTransition(id, c, SalesId, 2, TransitionKind.Advanced, Offer, Offer, T0, T0, Anna));
        Assert.Throws<ArgumentException>(() => new StageTransition(id, c, SalesId, 2, TransitionKind.Advanced, Meeting, Offer, T0, T0, Anna, lostReason: "no"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StageTransition(id, c, SalesId, 0, TransitionKind.Entered, null, Offer, T0, T0, Anna));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StageTransition(id, c, SalesId, 1, (TransitionKind)42, null, Offer, T0, T0, Anna));
        Assert.Throws<ArgumentException>(() => new OwnerReassignment(id, c, SalesId, 1, T0, T0, Anna, Anna));
    }

    [Fact]
    public void ClientState_Apply_RefusesATransitionThatCannotFollowTheState()
    {
        var client = NewClient("c");
        var c = client.Id;
        var entered = ClientState.Initial(client).Apply(new StageTransition(new ClientEventId("e1"), c, SalesId, 1, TransitionKind.Entered, null, Meeting, T0, T0, Anna));

        Assert.Equal(FunnelRule.AlreadyEntered, Assert.Throws<FunnelHistoryException>(() => entered.Apply(new StageTransition(new ClientEventId("e2"), c, SalesId, 2, TransitionKind.Entered, null, Offer, T0, T0, Anna))).Rule);
        Assert.Equal(FunnelRule.ReopenOfOpenClient, Assert.Throws<FunnelHistoryException>(() => entered.Apply(new StageTransition(new ClientEventId("e2"), c, SalesId, 2, TransitionKind.Reopened, Meeting, Offer, T0, T0, Anna))).Rule);
        Assert.Equal(FunnelRule.FromStageMismatch, Assert.Throws<FunnelHistoryException>(() => entered.Apply(new StageTransition(new ClientEventId("e2"), c, SalesId, 2, TransitionKind.Advanced, Interest, Offer, T0, T0, Anna))).Rule);
        Assert.Equal(FunnelRule.ReassignmentFromOtherOwner, Assert.Throws<FunnelHistoryException>(() => entered.Apply(new OwnerReassignment(new ClientEventId("e2"), c, SalesId, 2, T0, T0, Anna, Boris))).Rule);
        var lost = entered.Apply(new StageTransition(new ClientEventId("e2"), c, SalesId, 2, TransitionKind.Lost, Meeting, null, T0, T0, Anna));
        var again = Assert.Throws<FunnelHistoryException>(() => lost.Apply(new StageTransition(new ClientEventId("e3"), c, SalesId, 3, TransitionKind.Lost, Meeting, null, T0, T0, Anna)));
        Assert.Equal((FunnelRule.ClientClosed, c, new ClientEventId("e3"), 3L, T0, "clientEvent"), (again.Rule, again.ClientId, again.EventId, again.Sequence, again.OccurredAt, again.ParamName));
        Assert.Contains("'meeting'", again.Message, StringComparison.Ordinal);
        Assert.Equal(ClientStatus.Open, lost.Apply(new StageTransition(new ClientEventId("e3"), c, SalesId, 3, TransitionKind.Reopened, Meeting, Interest, T0, T0, Anna)).Status);
    }

    [Fact]
    public void Event_WithTheUnsetDefaultInstant_Throws()
    {
        Assert.Equal("occurredAt", Assert.Throws<ArgumentException>(() => new ClientActivity(new ClientEventId("e"), new ClientId("c"), SalesId, 1, default, T0, Anna)).ParamName);
        Assert.Equal("createdAt", Assert.Throws<ArgumentException>(() => new Client(new ClientId("c"), SalesId, Anna, default)).ParamName);
    }

    [Fact]
    public void ClientState_Apply_RefusesAnEventThatIsNotTheClientsNext()
    {
        var client = NewClient("c");
        var state = ClientState.Initial(client);

        Assert.Throws<ArgumentException>(() => state.Apply(new ClientActivity(new ClientEventId("e"), new ClientId("other"), SalesId, 1, T0, T0, Anna)));
        Assert.Equal(FunnelRule.SequenceNotNext, Assert.Throws<FunnelHistoryException>(() => state.Apply(new ClientActivity(new ClientEventId("e"), client.Id, SalesId, 2, T0, T0, Anna))).Rule);
        var after = state.Apply(new ClientActivity(new ClientEventId("e"), client.Id, SalesId, 1, T0.AddDays(1), T0, Anna));
        Assert.Equal(FunnelRule.EventBeforePreviousEvent, Assert.Throws<FunnelHistoryException>(() => after.Apply(new ClientActivity(new ClientEventId("f"), client.Id, SalesId, 2, T0, T0, Anna))).Rule);
        Assert.Equal(ClientStatus.NotEntered, after.Status);
        Assert.Equal(1, after.Version);
    }
}
