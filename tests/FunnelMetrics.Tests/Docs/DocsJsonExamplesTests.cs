using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FunnelMetrics.Serialization;

namespace FunnelMetrics.Tests.Docs;

/// <summary>The JSON examples in docs/integration.md are what the library really reads and writes.</summary>
public sealed partial class DocsJsonExamplesTests
{
    public static TheoryData<string, string> Examples()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "integration.md"));
        var data = new TheoryData<string, string>();
        string? heading = null;
        foreach (Match m in Blocks().Matches(text))
        {
            if (m.Groups["heading"].Success)
            {
                heading = m.Groups["heading"].Value.Split(' ')[0];
            }
            else if (heading is "PipelineDefinition" or "Client" or "StageTransition" or "ClientActivity" or "OwnerReassignment" or "ClientUpdate" or "ClientState")
            {
                data.Add(heading, m.Groups["json"].Value);
            }
        }

        return data;
    }

    [Fact]
    public void Docs_HoldAnExampleOfEveryModelDocument()
    {
        var headings = Examples().Select(row => (string)row[0]).Distinct().Order();

        Assert.Equal(["Client", "ClientActivity", "ClientState", "ClientUpdate", "OwnerReassignment", "PipelineDefinition", "StageTransition"], headings);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_ReadsAndWritesBackUnchanged(string type, string json)
    {
        var context = FunnelMetricsJsonContext.Default;
        var written = type switch
        {
            "PipelineDefinition" => JsonSerializer.Serialize(JsonSerializer.Deserialize(json, context.PipelineDefinition), context.PipelineDefinition),
            "Client" => JsonSerializer.Serialize(JsonSerializer.Deserialize(json, context.Client), context.Client),
            "ClientState" => JsonSerializer.Serialize(JsonSerializer.Deserialize(json, context.ClientState), context.ClientState),
            _ => JsonSerializer.Serialize(JsonSerializer.Deserialize(json, context.ClientEvent), context.ClientEvent),
        };

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(written)), $"documented:\n{json}\nwritten:\n{written}");
    }

    [Fact]
    public void Event_WithTheDiscriminatorNotFirst_IsRead()
    {
        var e = JsonSerializer.Deserialize(
            """{"id":"e","clientId":"c","pipelineId":"p","sequence":1,"occurredAt":"2026-03-02T09:00:00Z","recordedAt":"2026-03-02T09:00:00Z","owner":"o","type":"activity"}""",
            FunnelMetricsJsonContext.Default.ClientEvent);

        Assert.IsType<ClientActivity>(e);
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FunnelMetrics.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("FunnelMetrics.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^###\s+(?<heading>[^\n]+)$|^```json\n(?<json>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Blocks();
}
