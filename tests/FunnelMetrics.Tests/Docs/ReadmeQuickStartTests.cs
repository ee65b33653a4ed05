using System.Text.Json;
using FunnelMetrics.Analytics;
using FunnelMetrics.Metrics;
using FunnelMetrics.Recording;
using FunnelMetrics.Serialization;
using FunnelMetrics.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace FunnelMetrics.Tests.Docs;

/// <summary>
/// Runs the quick start of README.md statement for statement, so the front door cannot drift from the API.
/// When you change one, change the other.
/// </summary>
public sealed partial class ReadmeQuickStartTests
{
    [Fact]
    public void QuickStart_InTheReadme_IsTheCodeThisTestRuns()
    {
        var root = DocsJsonExamplesTests.RepositoryRoot();
        var readme = ReadmeBlock().Match(File.ReadAllText(Path.Combine(root, "README.md"))).Groups[1].Value
            .Split('\n').Where(l => l.Trim().Length > 0 && !l.StartsWith("using ", StringComparison.Ordinal)).Select(l => l.TrimEnd());
        var test = TestBlock().Match(File.ReadAllText(Path.Combine(root, "tests", "FunnelMetrics.Tests", "Docs", "ReadmeQuickStartTests.cs"))).Groups[1].Value
            .Split('\n').Where(l => l.Trim().Length > 0).Select(l => l.TrimEnd()[Math.Min(8, l.TrimEnd().Length)..]);

        Assert.Equal(readme, test);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"## Quick start\s+```csharp\n(.*?)```", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex ReadmeBlock();

    [System.Text.RegularExpressions.GeneratedRegex(@"verbatim from here ----\n(.*?)\n\s*// ---- end", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex TestBlock();

    [Fact]
    public async Task QuickStart_RunsAsWritten()
    {
        // ---- README.md quick start, verbatim from here ----
        var services = new ServiceCollection();
        services.AddFunnelMetrics(); // in-memory store, system clock, default options
        await using var provider = services.BuildServiceProvider();

        // A pipeline: the seven stages of the founding article; the last one means won.
        var sales = new PipelineId("sales");
        var pipelines = provider.GetRequiredService<IPipelineRepository>();
        await pipelines.AddAsync(new PipelineDefinition(
            sales,
            "Sales",
            [
                new StageDefinition(new StageId("decision-maker"), "Reached the decision maker"),
                new StageDefinition(new StageId("interest"), "Interest expressed"),
                new StageDefinition(new StageId("meeting"), "Meeting set", stallThreshold: TimeSpan.FromDays(7)),
                new StageDefinition(new StageId("requirements"), "Technical requirements received"),
                new StageDefinition(new StageId("offer"), "Offer sent", winProbability: 0.4),
                new StageDefinition(new StageId("terms"), "Terms accepted", winProbability: 0.8),
                new StageDefinition(new StageId("contract"), "Contract signed"),
            ],
            currencyCode: "EUR"));

        // The recorder is scoped: one scope per request or unit of work.
        await using var scope = provider.CreateAsyncScope();
        var recorder = scope.ServiceProvider.GetRequiredService<FunnelRecorder>();

        // A client (a deal), then only the stage each action reached.
        var acme = new ClientId("acme-42");
        var monday = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
        await recorder.AddClientAsync(new Client(acme, sales, new OwnerId("anna"), createdAt: monday, value: 12_000m));

        await recorder.MoveAsync(acme, new StageId("decision-maker"), monday, note: "Cold call, reached the CTO");
        await recorder.MoveAsync(acme, new StageId("interest"), monday.AddDays(1));
        StageTransition move = await recorder.MoveAsync(acme, new StageId("requirements"), monday.AddDays(3));

        // An action without a stage change. The CRM's own key as event id makes a retry safe.
        await recorder.RecordActivityAsync(acme, "Follow-up call on the requirements", monday.AddDays(4), eventId: new ClientEventId("crm-task-1001"));

        ClientState state = await recorder.GetStateAsync(acme);
        Console.WriteLine(state);     // acme-42 Open requirements v4, owner anna
        Console.WriteLine(move.Kind); // Skipped: "meeting" was passed over

        string json = JsonSerializer.Serialize(move, FunnelMetricsJsonContext.Default.ClientEvent);
        Console.WriteLine(json);      // {"type":"transition","kind":"Skipped","fromStage":"interest","toStage":"requirements",...}

        // The head of sales' view: clients per stage as of an instant, and how long they stay.
        var analytics = scope.ServiceProvider.GetRequiredService<FunnelAnalytics>();
        StageCounts counts = await analytics.GetStageCountsAsync(sales, asOf: monday.AddDays(5));
        Console.WriteLine(string.Join(", ", counts.Stages.Select(s => $"{s.Stage}: {s.Clients}")));
        // decision-maker: 0, interest: 0, meeting: 0, requirements: 1, offer: 0, terms: 0, contract: 0
        TimeInStage time = await analytics.GetTimeInStageAsync(sales, TimeWindow.Until(monday.AddDays(5)));
        Console.WriteLine(time.Stages[0].Completed.Median); // 1.00:00:00: a day from decision maker to interest
        // ---- end of the README.md quick start ----

        // The state the README's comments promise.
        Assert.Equal(ClientStatus.Open, state.Status);
        Assert.Equal(new StageId("requirements"), state.Stage);
        Assert.Equal(4L, state.Version);
        Assert.Equal(new OwnerId("anna"), state.Owner);
        Assert.Equal(monday.AddDays(3), state.StageEnteredAt);
        Assert.Equal(monday.AddDays(4), state.LastTouchedAt);
        Assert.Equal("acme-42 Open requirements v4, owner anna", state.ToString());

        // The skip over "meeting" is derived from the stage order, not typed in.
        Assert.Equal(TransitionKind.Skipped, move.Kind);
        Assert.Equal(new StageId("interest"), move.FromStage);
        Assert.Equal(3L, move.Sequence);

        // The JSON contract: discriminator first, enums as strings, ids as plain strings; it reads back equal.
        Assert.StartsWith("{\"type\":\"transition\"", json, StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"Skipped\"", json, StringComparison.Ordinal);
        Assert.Contains("\"fromStage\":\"interest\"", json, StringComparison.Ordinal);
        Assert.Contains("\"clientId\":\"acme-42\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"note\"", json, StringComparison.Ordinal);
        var back = JsonSerializer.Deserialize(json, FunnelMetricsJsonContext.Default.ClientEvent);
        Assert.Equal<ClientEvent?>(move, back);

        // The metrics the README prints.
        Assert.Equal([0, 0, 0, 1, 0, 0, 0], counts.Stages.Select(s => s.Clients));
        Assert.Equal(TimeSpan.FromDays(1), time.Stages[0].Completed.Median);

        // The retry the README promises is safe: same id, same request, no second event.
        var retried = await recorder.RecordActivityAsync(acme, "Follow-up call on the requirements", monday.AddDays(4), eventId: new ClientEventId("crm-task-1001"));
        Assert.Equal(4L, retried.Sequence);
        Assert.Equal(4L, (await recorder.GetStateAsync(acme)).Version);
    }
}
