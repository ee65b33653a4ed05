using System.Text.Json;
using FunnelMetrics.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FunnelMetrics.AspNetCore.Tests;

/// <summary>What AddFunnelMetricsEndpoints registers, and what MapFunnelMetrics asks for.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public void MapFunnelMetrics_WithoutItsServices_SaysWhichCallIsMissing()
    {
        var bare = WebApplication.CreateSlimBuilder();
        bare.Services.AddFunnelMetrics();
        using var withoutEndpoints = bare.Build();
        Assert.Contains("AddFunnelMetricsEndpoints()", Assert.Throws<InvalidOperationException>(() => withoutEndpoints.MapFunnelMetrics()).Message, StringComparison.Ordinal);

        var endpointsOnly = WebApplication.CreateSlimBuilder();
        endpointsOnly.Services.AddFunnelMetricsEndpoints();
        using var withoutLibrary = endpointsOnly.Build();
        Assert.Contains("AddFunnelMetrics()", Assert.Throws<InvalidOperationException>(() => withoutLibrary.MapFunnelMetrics()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheHttpJsonOptions_WriteTheContract_DurationsAsSecondsEnumsAsStrings()
    {
        var services = new ServiceCollection().AddFunnelMetricsEndpoints().AddFunnelMetricsEndpoints();
        using var provider = services.BuildServiceProvider();
        var json = provider.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        Assert.Equal(1, json.TypeInfoResolverChain.Count(r => ReferenceEquals(r, FunnelMetricsJsonContext.Default)));
        Assert.Equal(1, json.TypeInfoResolverChain.Count(r => ReferenceEquals(r, FunnelEndpointsJsonContext.Default)));
        var stage = new StageDefinition(new StageId("offer"), stallThreshold: TimeSpan.FromDays(2));
        Assert.Equal("""{"key":"offer","displayName":"offer","stallThreshold":172800}""", JsonSerializer.Serialize(stage, json));
        Assert.Equal("\"Advanced\"", JsonSerializer.Serialize(TransitionKind.Advanced, json));
    }

    [Fact]
    public void TheOptions_AreValidated()
    {
        var services = new ServiceCollection().AddFunnelMetricsEndpoints(o => o.KeepAliveInterval = TimeSpan.Zero);
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<FunnelEndpointsOptions>>().Value);
        Assert.Contains("KeepAliveInterval", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>PipelineDefinition's JSON constructor has no C# default for wonStage (for the OpenAPI schema exporter): a document without it still reads.</summary>
public sealed class PipelineDefinitionJsonTests
{
    [Fact]
    public void APipelineWithoutWonStage_ReadsWithTheLastStageWon()
    {
        var pipeline = JsonSerializer.Deserialize("""{"id":"p","name":"P","stages":[{"key":"a"},{"key":"b"}]}""", FunnelMetricsJsonContext.Default.PipelineDefinition)!;
        Assert.Equal(new StageId("b"), pipeline.WonStage);
        var named = JsonSerializer.Deserialize("""{"id":"p","name":"P","stages":[{"key":"a"},{"key":"b"}],"wonStage":"a"}""", FunnelMetricsJsonContext.Default.PipelineDefinition)!;
        Assert.Equal(new StageId("a"), named.WonStage);
    }
}
