using System.Text.Json;
using FunnelMetrics.Serialization;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Serialization;

/// <summary>Pins the JSON shape documented in docs/integration.md.</summary>
public sealed class JsonContractTests
{
    private static readonly FunnelMetricsJsonContext Json = FunnelMetricsJsonContext.Default;

    [Fact]
    public void Transition_IsWrittenWithTypeDiscriminator_CamelCaseNames_AndEnumsAsStrings()
    {
        ClientEvent lost = new StageTransition(new ClientEventId("e-7"), new ClientId("acme"), SalesId, 7, TransitionKind.Lost, Offer, null, T0, T0.AddMinutes(1), Anna, "price", "called the director");

        var text = JsonSerializer.Serialize(lost, Json.ClientEvent);

        Assert.Equal(
            """{"type":"transition","kind":"Lost","fromStage":"offer","lostReason":"price","id":"e-7","clientId":"acme","pipelineId":"sales","sequence":7,"occurredAt":"2026-03-02T09:00:00+00:00","recordedAt":"2026-03-02T09:01:00+00:00","owner":"anna","note":"called the director"}""",
            text);
    }

    [Fact]
    public void Pipeline_IsWrittenWithItsStagesAndWonStage()
    {
        var pipeline = new PipelineDefinition(SalesId, "Sales", [new StageDefinition(Meeting, "Meeting set", TimeSpan.FromDays(7)), new StageDefinition(Contract, winProbability: 1)], currencyCode: "EUR");

        var text = JsonSerializer.Serialize(pipeline, Json.PipelineDefinition);

        Assert.Equal(
            """{"id":"sales","name":"Sales","stages":[{"key":"meeting","displayName":"Meeting set","stallThreshold":604800},{"key":"contract","displayName":"contract","winProbability":1}],"wonStage":"contract","currencyCode":"EUR"}""",
            text);
    }

    [Fact]
    public void Pipeline_WithoutWonStage_ReadsTheLastStageAsWon()
    {
        var pipeline = JsonSerializer.Deserialize("""{"id":"p","name":"P","stages":[{"key":"a"},{"key":"b"}]}""", Json.PipelineDefinition)!;

        Assert.Equal(new StageId("b"), pipeline.WonStage);
        Assert.Equal("a", pipeline.Stages[0].DisplayName);
    }

    [Theory]
    [InlineData("""{"id":"p","name":"P","stages":[{"key":"a"}]}""")]
    [InlineData("""{"id":"","name":"P","stages":[{"key":"a"},{"key":"b"}]}""")]
    [InlineData("""{"id":"p","name":"P","stages":[{"key":"a"},{"key":"a"}]}""")]
    public void InvalidDocument_IsRefusedByTheModelsValidation(string text)
    {
        var ex = Record.Exception(() => JsonSerializer.Deserialize(text, Json.PipelineDefinition));

        Assert.True(ex is ArgumentException or JsonException, ex?.ToString());
    }

    [Fact]
    public void Identifier_OfTheWrongJsonType_IsAJsonException()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("42", Json.ClientId));
        Assert.Equal(new ClientId("x"), JsonSerializer.Deserialize("\"x\"", Json.ClientId));
    }

    [Fact]
    public void Update_IsWrittenWithTypeUpdate_AndRoundTrips()
    {
        ClientEvent update = new ClientUpdate(new ClientEventId("u-1"), new ClientId("acme"), SalesId, 3, T0, T0.AddMinutes(1), Anna, true, 12500.50m, true, new DateOnly(2026, 4, 30), new Dictionary<string, string?> { ["region"] = "north", ["campaign"] = null }, "after the call");

        var text = JsonSerializer.Serialize(update, Json.ClientEvent);

        Assert.Equal(
            """{"type":"update","setsValue":true,"value":12500.50,"setsExpectedCloseDate":true,"expectedCloseDate":"2026-04-30","attributes":{"region":"north","campaign":null},"id":"u-1","clientId":"acme","pipelineId":"sales","sequence":3,"occurredAt":"2026-03-02T09:00:00+00:00","recordedAt":"2026-03-02T09:01:00+00:00","owner":"anna","note":"after the call"}""",
            text);
        var read = Assert.IsType<ClientUpdate>(JsonSerializer.Deserialize(text, Json.ClientEvent));
        Assert.Equal(update, read);
        Assert.Null(read.Attributes["campaign"]);
        Assert.Equal(update, JsonSerializer.Deserialize(JsonSerializer.Serialize((ClientUpdate)update, Json.ClientUpdate), Json.ClientUpdate));
    }

    [Fact]
    public void Update_ThatSetsTheValueToUnknown_KeepsSetsValue_AndOneThatChangesNothingIsRefused()
    {
        var read = Assert.IsType<ClientUpdate>(JsonSerializer.Deserialize(
            """{"type":"update","setsValue":true,"value":null,"setsExpectedCloseDate":false,"id":"u","clientId":"c","pipelineId":"p","sequence":1,"occurredAt":"2026-03-02T09:00:00Z","recordedAt":"2026-03-02T09:00:00Z","owner":"o"}""",
            Json.ClientEvent));

        Assert.True(read.SetsValue);
        Assert.Null(read.Value);
        Assert.False(read.SetsExpectedCloseDate);
        Assert.Empty(read.Attributes);
        Assert.Throws<ArgumentException>(() => JsonSerializer.Deserialize(
            """{"type":"update","setsValue":false,"setsExpectedCloseDate":false,"attributes":{},"id":"u","clientId":"c","pipelineId":"p","sequence":1,"occurredAt":"2026-03-02T09:00:00Z","recordedAt":"2026-03-02T09:00:00Z","owner":"o"}""",
            Json.ClientEvent));
        Assert.Throws<ArgumentException>(() => JsonSerializer.Deserialize(
            """{"type":"update","setsValue":false,"value":5,"setsExpectedCloseDate":false,"id":"u","clientId":"c","pipelineId":"p","sequence":1,"occurredAt":"2026-03-02T09:00:00Z","recordedAt":"2026-03-02T09:00:00Z","owner":"o"}""",
            Json.ClientEvent));
    }

    [Fact]
    public void Client_WithAnExpectedCloseDate_RoundTrips_AndWithoutOneReadsNull()
    {
        var client = new Client(new ClientId("acme"), SalesId, Anna, T0, 100m, new Dictionary<string, string> { ["source"] = "web" }, new DateOnly(2026, 6, 30));

        var text = JsonSerializer.Serialize(client, Json.Client);

        Assert.Contains("\"expectedCloseDate\":\"2026-06-30\"", text, StringComparison.Ordinal);
        Assert.Equal(client, JsonSerializer.Deserialize(text, Json.Client));
        Assert.Null(JsonSerializer.Deserialize("""{"id":"c","pipelineId":"p","owner":"o","createdAt":"2026-03-02T09:00:00Z"}""", Json.Client)!.ExpectedCloseDate);
    }
}
