using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FunnelMetrics.AspNetCore.Tests;

/// <summary>The OpenAPI document describes every endpoint: parameters, request body, answers and problems, and every schema it names.</summary>
public sealed partial class OpenApiTests
{
    private static async Task<(FunnelApp App, JsonObject Document)> DocumentAsync()
    {
        var app = await FunnelApp.StartAsync(services: s => s.AddOpenApi(), app: web => web.MapOpenApi(), seed: false);
        var (response, document) = await app.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "openapi-v1.json"), document!.ToJsonString());
        return (app, document!.AsObject());
    }

    private static IEnumerable<RouteEndpoint> FunnelEndpoints(FunnelApp app) =>
        app.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName.StartsWith("FunnelMetrics.", StringComparison.Ordinal) == true);

    [Fact]
    public async Task EveryEndpoint_IsAnOperationWithItsParametersAnswersAndProblems()
    {
        var (app, document) = await DocumentAsync();
        await using var _ = app;
        var endpoints = FunnelEndpoints(app).ToList();
        Assert.Equal(28, endpoints.Count);
        foreach (var endpoint in endpoints)
        {
            var path = "/" + endpoint.RoutePattern.RawText!.Trim('/');
            var method = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Single().ToLowerInvariant();
            var name = endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName;
            var operation = document["paths"]?[path]?[method];
            Assert.True(operation is not null, $"{method} {path} is not in the document");
            Assert.Equal(name, (string?)operation["operationId"]);
            Assert.False(string.IsNullOrWhiteSpace((string?)operation["summary"]), $"{name} has no summary");
            Assert.False(string.IsNullOrWhiteSpace((string?)operation["description"]), $"{name} has no description");

            var parameters = operation["parameters"]?.AsArray().Select(p => ((string)p!["name"]!, (string)p["in"]!)).ToList() ?? [];
            foreach (Match route in RouteParameter().Matches(path))
            {
                Assert.Contains((route.Groups[1].Value, "path"), parameters);
            }

            var responses = operation["responses"]!.AsObject();
            var success = responses.Where(r => r.Key.StartsWith('2')).ToList();
            Assert.NotEmpty(success);
            Assert.All(success, r => Assert.NotNull(r.Value!["content"]?.AsObject().Single().Value!["schema"]));
            foreach (var status in new[] { "400", "403", "404" })
            {
                Assert.True(responses[status]?["content"]?["application/problem+json"]?["schema"] is not null, $"{name} does not describe its {status} problem");
            }

            if (method == "post")
            {
                var body = operation["requestBody"]?["content"]?["application/json"]?["schema"];
                Assert.True(body is not null, $"{name} has no request body");
                Assert.StartsWith("#/components/schemas/", (string?)body["$ref"], StringComparison.Ordinal);
                Assert.NotNull(responses["409"]?["content"]?["application/problem+json"]);
                Assert.NotNull(responses["422"]?["content"]?["application/problem+json"]);
                if (name != "FunnelMetrics.AddClient")
                {
                    Assert.Contains(("Idempotency-Key", "header"), parameters);
                }
            }
        }

        var stageCounts = document["paths"]!["/pipelines/{pipelineId}/stage-counts"]!["get"]!["parameters"]!.AsArray();
        Assert.Equal(["pipelineId", "asOf", "owner", "attribute", "enteredFrom", "enteredTo"], stageCounts.Select(p => (string?)p!["name"]));
        Assert.Equal("array", (string?)stageCounts.Single(p => (string?)p!["name"] == "owner")!["schema"]!["type"]);
        Assert.Contains("ISO 8601", (string?)stageCounts.Single(p => (string?)p!["name"] == "asOf")!["description"], StringComparison.Ordinal);
        Assert.NotNull(document["paths"]!["/pipelines/{pipelineId}/dashboard/stream"]!["get"]!["responses"]!["200"]!["content"]!["text/event-stream"]);
        Assert.NotNull(document["paths"]!["/pipelines/{pipelineId}/dashboard/stream"]!["get"]!["responses"]!["503"]!["content"]!["application/problem+json"]);
    }

    [Fact]
    public async Task EverySchemaNamed_IsDescribed_AndTheEndpointsOwnOnesAreThere()
    {
        var (app, document) = await DocumentAsync();
        await using var _ = app;
        var schemas = document["components"]!["schemas"]!.AsObject();
        var text = document.ToJsonString();
        foreach (Match reference in SchemaReference().Matches(text))
        {
            Assert.True(schemas.ContainsKey(reference.Groups[1].Value), $"{reference.Value} is not described");
        }

        foreach (var name in new[]
        {
            "AddClientRequest", "MoveRequest", "LoseRequest", "ReopenRequest", "ActivityRequest", "ReassignRequest", "UpdateClientRequest",
            "ClientView", "Client", "ClientState", "ClientEvent", "PipelineDefinition", "StageCounts", "PipelineValue", "FlowLedger", "TimeInStage", "Conversion",
            "Velocity", "StalledClients", "StuckStages", "Forecast", "Backtest", "FunnelTrends", "FunnelDashboard", "ClientList", "ProblemDetails",
        })
        {
            Assert.True(schemas.ContainsKey(name), $"no schema {name}");
        }

        Assert.Equal(["stage"], schemas["MoveRequest"]!["required"]!.AsArray().Select(r => (string?)r));
        Assert.Equal(["client", "state"], schemas["ClientView"]!["properties"]!.AsObject().Select(p => p.Key));
        Assert.Equal("#/components/schemas/ClientId", (string?)schemas["Client"]!["properties"]!["id"]!["$ref"]);
        foreach (var identifier in new[] { "PipelineId", "StageId", "ClientId", "OwnerId", "ClientEventId" })
        {
            Assert.Equal("string", (string?)schemas[identifier]!["type"]);
        }

        // Durations are numbers of seconds, nullable ones too.
        Assert.Contains("number", Types(schemas["DurationStats"]!["properties"]!["median"]!));
        Assert.Equal(["null", "number"], Types(schemas["StageDefinition"]!["properties"]!["stallThreshold"]!).Order());
    }

    private static IEnumerable<string?> Types(JsonNode schema) =>
        schema["type"] is JsonArray many ? many.Select(t => (string?)t) : [(string?)schema["type"]];

    [GeneratedRegex(@"\{([^}]+)\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex("\"#/components/schemas/([^\"]+)\"")]
    private static partial Regex SchemaReference();
}
