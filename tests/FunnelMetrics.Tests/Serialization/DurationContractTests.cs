using System.Text.Json;
using FunnelMetrics.Serialization;

namespace FunnelMetrics.Tests.Serialization;

/// <summary>Durations in the JSON contract: numbers of seconds, exact to the tick, the same through options configured for a web host.</summary>
public sealed class DurationContractTests
{
    private static readonly StageDefinition Stage = new(new StageId("meeting"), "Meeting", stallThreshold: TimeSpan.FromDays(7) + TimeSpan.FromTicks(1234567));

    [Fact]
    public void ADuration_IsWrittenAsSecondsExactToTheTick_AndReadBack()
    {
        var json = JsonSerializer.Serialize(Stage, FunnelMetricsJsonContext.Default.StageDefinition);

        Assert.Contains("\"stallThreshold\":604800.1234567", json, StringComparison.Ordinal);
        Assert.Equal(Stage.StallThreshold, JsonSerializer.Deserialize(json, FunnelMetricsJsonContext.Default.StageDefinition)!.StallThreshold);
    }

    [Theory]
    [InlineData("""{"key":"m","displayName":"M","stallThreshold":0.00000001}""")]
    [InlineData("""{"key":"m","displayName":"M","stallThreshold":1e300}""")]
    [InlineData("""{"key":"m","displayName":"M","stallThreshold":"a week"}""")]
    public void ADurationFinerThanATick_OutOfRange_OrNotANumber_IsRefused(string json)
    {
        var ex = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, FunnelMetricsJsonContext.Default.StageDefinition));

        Assert.Contains("seconds", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheFormerStringForm_IsStillRead()
    {
        var stage = JsonSerializer.Deserialize("""{"key":"m","displayName":"M","stallThreshold":"7.00:00:00"}""", FunnelMetricsJsonContext.Default.StageDefinition)!;

        Assert.Equal(TimeSpan.FromDays(7), stage.StallThreshold);
    }

    [Fact]
    public void OptionsConfiguredForAWebHost_WriteWhatTheContextWrites()
    {
        var web = FunnelMetricsJson.Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() });
        FunnelMetricsJson.Configure(web);
        var stalled = new StageStallProbe(Stage);

        Assert.Equal(JsonSerializer.Serialize(Stage, FunnelMetricsJsonContext.Default.StageDefinition), JsonSerializer.Serialize(Stage, web));
        Assert.Equal("""{"span":90}""", JsonSerializer.Serialize(stalled, web));
        Assert.Single(web.Converters);
        var move = new StageTransition(new ClientEventId("e1"), new ClientId("acme"), new PipelineId("sales"), 1, TransitionKind.Skipped, new StageId("a"), new StageId("c"), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, new OwnerId("anna"));
        Assert.Equal(JsonSerializer.Serialize<ClientEvent>(move, FunnelMetricsJsonContext.Default.ClientEvent), JsonSerializer.Serialize<ClientEvent>(move, web));
    }

    /// <summary>An application's own type on the same options: its durations follow the contract too.</summary>
    private sealed class StageStallProbe(StageDefinition stage)
    {
        public TimeSpan Span { get; } = TimeSpan.FromSeconds(stage.Key.Value.Length * 90 / 7);
    }
}
