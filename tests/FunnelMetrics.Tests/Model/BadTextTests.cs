using FunnelMetrics.Metrics;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Model;

public sealed class BadTextTests
{
    /// <summary>
    /// Test data writes a lone surrogate as <c>&lt;D800&gt;</c>: xUnit's serialization of theory data would turn a real
    /// one into U+FFFD before the test sees it.
    /// </summary>
    public static string Decode(string encoded) =>
        System.Text.RegularExpressions.Regex.Replace(encoded, "<([0-9A-F]{4})>", m => ((char)Convert.ToInt32(m.Groups[1].Value, 16)).ToString());

    public static TheoryData<string, string> BadIds => new()
    {
        { "a<D800>b", "lone UTF-16 surrogate" },
        { "a<DC00>", "lone UTF-16 surrogate" },
        { "a\0b", "control characters" },
        { "a\u001B[31mred", "control characters" },
        { "a\u0085b", "control characters" },
        { "a\u007Fb", "control characters" },
        { "a\u202Eevil", "bidirectional" },
        { "a\u2066b", "bidirectional" },
    };

    [Theory]
    [MemberData(nameof(BadIds))]
    public void Identifiers_WithIllFormedUnicodeControlsOrBidiCharacters_AreRefusedNamingTheRule(string encoded, string rule)
    {
        var value = Decode(encoded);
        var client = Assert.Throws<ArgumentException>(() => new ClientId(value));
        Assert.Contains(rule, client.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001B", client.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ClientEventId(value));
        Assert.Throws<ArgumentException>(() => new OwnerId(value));
        Assert.Throws<ArgumentException>(() => new StageId(value));
        Assert.Throws<ArgumentException>(() => new PipelineId(value));
        Assert.False(ClientId.TryParse(value, out _));
        Assert.False(ClientEventId.TryParse(value, out _));
    }

    [Fact]
    public void Identifiers_WithSurrogatePairsAndAccents_AreKept_AndNotNormalized()
    {
        var emoji = new ClientId("deal-\U0001F680");
        var precomposed = new ClientId("caf\u00E9");
        var decomposed = new ClientId("cafe\u0301");

        Assert.Equal("deal-\U0001F680", emoji.Value);
        Assert.NotEqual(precomposed, decomposed);
        Assert.True(ClientId.TryParse("cafe\u0301", out var parsed) && parsed == decomposed);
    }

    [Theory]
    [InlineData("call\0back", "NUL")]
    [InlineData("half <D83D>", "lone UTF-16 surrogate")]
    public void Notes_WithNulOrALoneSurrogate_AreRefused_ButLineBreaksAndTabsAreKept(string encoded, string rule)
    {
        var note = Decode(encoded);
        var ex = Assert.Throws<ArgumentException>(() => new ClientActivity(new ClientEventId("e"), new ClientId("c"), SalesId, 1, T0, T0, Anna, note));
        Assert.Contains(rule, ex.Message, StringComparison.Ordinal);
        Assert.Equal("first line\n\tsecond", new ClientActivity(new ClientEventId("e"), new ClientId("c"), SalesId, 1, T0, T0, Anna, "first line\n\tsecond").Note);
    }

    [Fact]
    public void AnAttributeValue_WithNul_IsRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Client(new ClientId("c"), SalesId, Anna, T0, null, new Dictionary<string, string> { ["region"] = "no\0rth" }));
        Assert.Contains("NUL", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("re\u001B[2Jgion")]
    [InlineData(" region")]
    [InlineData("re\u2066gion")]
    public void AnAttributeKey_WithWhatAnIdMayNotHold_IsRefused(string key)
    {
        var ex = Assert.Throws<ArgumentException>(() => new Client(new ClientId("c"), SalesId, Anna, T0, null, new Dictionary<string, string> { [System.Text.RegularExpressions.Regex.Unescape(key)] = "north" }));
        Assert.Contains("attribute key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AClientValue_AboveTenToTheEighteenth_IsRefused_AndTheBoundItselfIsAccepted()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Client(new ClientId("c"), SalesId, Anna, T0, Client.MaxValue + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Client(new ClientId("c"), SalesId, Anna, T0, decimal.MaxValue));
        Assert.Equal(Client.MaxValue, new Client(new ClientId("c"), SalesId, Anna, T0, Client.MaxValue).Value);
    }

    [Fact]
    public void APipeline_WithMoreThan32767Stages_IsRefusedAtConstruction()
    {
        StageDefinition[] Stages(int n) => [.. Enumerable.Range(0, n).Select(i => new StageDefinition(new StageId($"s{i}")))];

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new PipelineDefinition(SalesId, "Sales", Stages(PipelineDefinition.MaxStages + 1)));
        Assert.Contains("32,767", ex.Message, StringComparison.Ordinal);
        Assert.Equal(PipelineDefinition.MaxStages, new PipelineDefinition(SalesId, "Sales", Stages(PipelineDefinition.MaxStages)).Stages.Count);
    }

    [Fact]
    public void APipeline_WithTheMostStages_HasEveryStageCountedAndConverted()
    {
        var stages = Enumerable.Range(0, PipelineDefinition.MaxStages).Select(i => new StageDefinition(new StageId($"s{i}"))).ToArray();
        var pipeline = new PipelineDefinition(SalesId, "Sales", stages);
        var client = new Client(new ClientId("c"), SalesId, Anna, T0);
        ClientEvent[] events =
        [
            new StageTransition(new ClientEventId("1"), client.Id, SalesId, 1, TransitionKind.Entered, null, new StageId("s0"), T0, T0, Anna),
            new StageTransition(new ClientEventId("2"), client.Id, SalesId, 2, TransitionKind.Skipped, new StageId("s0"), new StageId("s32765"), T0.AddDays(1), T0, Anna),
        ];
        var log = FunnelEventLog.Build(pipeline, [client], events);

        var counts = StageCountsCalculator.Compute(log, T0.AddDays(2));
        var conversion = ConversionCalculator.Compute(log, new TimeWindow(T0, T0.AddDays(2)), T0.AddDays(2));

        var forecast = FunnelMetrics.Forecasting.ForecastCalculator.Compute(log, T0.AddDays(2), null, T0.AddDays(30));

        Assert.Equal(1, counts.Stages[32765].Clients);
        Assert.Equal(1, conversion.Stages[0].Cohort);
        Assert.Equal(1, forecast.OpenClients);
    }

    [Fact]
    public void TheForecastsReason_NamesAtMostTenSparseStages()
    {
        var stages = Enumerable.Range(0, 30).Select(i => new StageDefinition(new StageId($"s{i}"))).ToArray();
        var pipeline = new PipelineDefinition(SalesId, "Sales", stages);
        var walker = new Client(new ClientId("walker"), SalesId, Anna, T0);
        var open = new Client(new ClientId("open"), SalesId, Anna, T0);
        var events = new List<ClientEvent>
        {
            new StageTransition(new ClientEventId("o1"), open.Id, SalesId, 1, TransitionKind.Entered, null, new StageId("s0"), T0, T0, Anna),
            new StageTransition(new ClientEventId("w1"), walker.Id, SalesId, 1, TransitionKind.Entered, null, new StageId("s0"), T0, T0, Anna),
        };
        for (var i = 1; i < 30; i++)
        {
            events.Add(new StageTransition(new ClientEventId($"w{i + 1}"), walker.Id, SalesId, i + 1, i == 29 ? TransitionKind.Won : TransitionKind.Advanced, new StageId($"s{i - 1}"), new StageId($"s{i}"), T0.AddHours(i), T0, Anna));
        }

        var forecast = FunnelMetrics.Forecasting.ForecastCalculator.Compute(FunnelEventLog.Build(pipeline, [walker, open], events), T0.AddDays(2));

        Assert.Contains("Stage(s) s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, ... (29 in all) had fewer than", forecast.Reason, StringComparison.Ordinal);
        // The structured limitation names every one of them, in pipeline order.
        var sparse = Assert.Single(forecast.Limitations, l => l.Kind == FunnelMetrics.Forecasting.ForecastLimitationKind.SparseHistory && l.Owner is null);
        Assert.Equal(Enumerable.Range(0, 29).Select(i => new StageId($"s{i}")), sparse.Stages);
    }

    [Fact]
    public void Velocity_WithTwoWinsOfTheLargestValue_IsComputed()
    {
        var pipeline = Pipeline;
        var clients = new[] { "a", "b", "c" }.Select(id => new Client(new ClientId(id), SalesId, Anna, T0, Client.MaxValue)).ToArray();
        var events = new List<ClientEvent>();
        foreach (var c in clients)
        {
            events.Add(new StageTransition(new ClientEventId(c.Id.Value + "1"), c.Id, SalesId, 1, TransitionKind.Entered, null, DecisionMaker, T0, T0, Anna));
        }

        events.Add(new StageTransition(new ClientEventId("a2"), clients[0].Id, SalesId, 2, TransitionKind.Won, DecisionMaker, Contract, T0.AddTicks(1), T0, Anna));
        events.Add(new StageTransition(new ClientEventId("b2"), clients[1].Id, SalesId, 2, TransitionKind.Won, DecisionMaker, Contract, T0.AddTicks(1), T0, Anna));
        var log = FunnelEventLog.Build(pipeline, clients, events);

        var velocity = VelocityCalculator.Compute(log, new TimeWindow(T0, T0.AddDays(1)));
        var forecast = FunnelMetrics.Forecasting.ForecastCalculator.Compute(log, T0.AddDays(1), null, T0.AddDays(30));

        Assert.Equal(Client.MaxValue, velocity.SalesVelocity.AverageWonValue);
        Assert.Null(velocity.SalesVelocity.ValuePerDay); // a one-tick cycle makes the rate beyond decimal's range: null, not an overflow
        Assert.NotNull(forecast.ExpectedValue);
    }
}
