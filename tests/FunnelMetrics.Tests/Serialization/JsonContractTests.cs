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
            """{"id":"sales","name":"Sales","stages":[{"key":"meeting","displayName":"Meeting set","stallThreshold":"7.00:00:00"},{"key":"contract","displayName":"contract","winProbability":1}],"wonStage":"contract","currencyCode":"EUR"}""",
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
}
