using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace FunnelMetrics.Samples.Web.Tests;

/// <summary>
/// The sample's pages in headless chromium against the sample's own HTTP API: the head's page shows the dashboard
/// JSON's numbers, a number lists exactly the clients behind it, a move recorded on a manager's page reaches an open
/// head's page without a reload, a refused move shows the rule's message, and a manager sees only their clients.
/// </summary>
[Collection(BrowserTestGroup.Name)]
public sealed class BrowserTests(BrowserFixture fixture, ITestOutputHelper output)
{
    /// <summary>The API routes of the sample's pipeline (MapFunnelMetrics under /api).</summary>
    private const string Pipeline = "/api/pipelines/sales";

    [SkippableFact]
    public async Task HeadPage_ShowsTheNumbersOfTheDashboardJson()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        await using var context = await fixture.NewContextAsync();
        var page = await SignInAsync(context, "head");

        // The JSON at the page's own instant: figures "as of now" (stalled clients) move with the clock.
        var asOf = await page.EvaluateAsync<string>("() => document.body.dataset.asOf");
        var json = await GetJsonAsync(context, $"{Pipeline}/dashboard?asOf={Uri.EscapeDataString(asOf)}");
        var shown = await MetricsAsync(page);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.Screenshots, "head-page.png"), FullPage = true });

        var funnel = json.GetProperty("funnel");
        var expected = new Dictionary<string, int>
        {
            ["funnel:inWork"] = funnel.GetProperty("inWork").GetInt32(),
            ["funnel:won"] = funnel.GetProperty("won").GetInt32(),
            ["funnel:lost"] = funnel.GetProperty("lost").GetInt32(),
            ["stalled:total"] = json.GetProperty("stalled").GetProperty("total").GetInt32(),
            ["month:wonSoFar"] = json.GetProperty("month").GetProperty("wonSoFar").GetInt32(),
            ["forecast:openClients"] = json.GetProperty("forecast").GetProperty("openClients").GetInt32(),
        };
        foreach (var stage in funnel.GetProperty("stages").EnumerateArray())
        {
            expected[$"funnel:{stage.GetProperty("stage").GetString()}"] = stage.GetProperty("clients").GetInt32();
        }

        foreach (var owner in funnel.GetProperty("byOwner").EnumerateArray())
        {
            var name = owner.GetProperty("owner").GetString();
            expected[$"funnel:{name}:inWork"] = owner.GetProperty("inWork").GetInt32();
            foreach (var stage in owner.GetProperty("stages").EnumerateArray())
            {
                expected[$"funnel:{name}:{stage.GetProperty("stage").GetString()}"] = stage.GetProperty("clients").GetInt32();
            }
        }

        foreach (var day in json.GetProperty("today").EnumerateArray())
        {
            var name = day.TryGetProperty("owner", out var owner) && owner.ValueKind == JsonValueKind.String ? owner.GetString() : "team";
            foreach (var flow in new[] { "new", "forwardMoves", "regressions", "wins", "losses" })
            {
                expected[$"today:{name}:{flow}"] = day.GetProperty("today").GetProperty(flow).GetInt32();
            }

            if (name == "team")
            {
                foreach (var stage in day.GetProperty("stages").EnumerateArray())
                {
                    expected[$"entered:{stage.GetProperty("stage").GetString()}"] = stage.GetProperty("entered").GetInt32();
                }
            }
        }

        foreach (var stage in json.GetProperty("timeInStage").GetProperty("stages").EnumerateArray())
        {
            if (stage.GetProperty("stage").GetString() != "contract")
            {
                expected[$"speed:{stage.GetProperty("stage").GetString()}:open"] = stage.GetProperty("openVisits").GetInt32();
            }
        }

        foreach (var stage in json.GetProperty("conversion").GetProperty("stages").EnumerateArray().Where(s => s.GetProperty("stage").GetString() != "contract"))
        {
            expected[$"conversion:{stage.GetProperty("stage").GetString()}:cohort"] = stage.GetProperty("cohort").GetInt32();
        }

        foreach (var stage in json.GetProperty("stuckStages").GetProperty("stages").EnumerateArray())
        {
            expected[$"stuck:{stage.GetProperty("stage").GetString()}:stalled"] = stage.GetProperty("current").GetProperty("stalled").GetInt32();
        }

        // Money per stage, the month's waterfall, the drop-off and the slipped close dates (issue 16's parts).
        foreach (var stage in json.GetProperty("value").GetProperty("stages").EnumerateArray().Where(s => s.GetProperty("stage").GetString() != "contract"))
        {
            expected[$"money:{stage.GetProperty("stage").GetString()}:clients"] = stage.GetProperty("clients").GetInt32();
        }

        expected["money:open:clients"] = json.GetProperty("value").GetProperty("open").GetProperty("clients").GetInt32();
        var waterfall = json.GetProperty("waterfall").GetProperty("total");
        foreach (var part in new[] { "openAtStart", "new", "reopened", "won", "lost", "openAtEnd" })
        {
            expected[$"waterfall:{part}"] = waterfall.GetProperty(part).GetProperty("clients").GetInt32();
        }

        foreach (var drop in json.GetProperty("conversion").GetProperty("dropOffs").EnumerateArray())
        {
            expected[$"dropoff:{drop.GetProperty("stage").GetString()}:cohort"] = drop.GetProperty("cohort").GetInt32();
        }

        expected["slipped:total"] = json.GetProperty("slipped").GetProperty("slipped").GetInt32();

        // Every figure, as text ("1,116") and as the raw value the page was given; the page shows no count the JSON lacks.
        Assert.True(expected.Count > 80, $"only {expected.Count} figures compared");
        foreach (var (metric, value) in expected)
        {
            Assert.True(shown.TryGetValue(metric, out var seen), $"the page shows no {metric}");
            Assert.Equal((metric, value.ToString("N0", CultureInfo.InvariantCulture), value.ToString(CultureInfo.InvariantCulture)), (metric, seen.Text, seen.Value));
        }

        // The most overdue clients, in the JSON's order.
        var overdue = json.GetProperty("stalled").GetProperty("mostOverdue").EnumerateArray().Select(c => c.GetProperty("clientId").GetString()!).ToList();
        Assert.NotEmpty(overdue);
        Assert.Equal(overdue, await ClientsAsync(page.Locator("#overdue tr[data-client]")));

        // The slipped clients in the JSON's order; the waterfall's eight bars and a trend line per open stage are drawn.
        var slipped = json.GetProperty("slipped").GetProperty("clients").EnumerateArray().Select(c => c.GetProperty("clientId").GetString()!).ToList();
        Assert.NotEmpty(slipped);
        Assert.Equal(slipped, await ClientsAsync(page.Locator("#slipped tr[data-client]")));
        Assert.Equal(8, await page.Locator("#waterfall svg.waterfall rect").CountAsync());
        Assert.Equal(json.GetProperty("pipeline").GetProperty("stages").GetArrayLength() - 1, await page.Locator("#trends svg.spark.main").CountAsync());

        // The forecast against what happened: one band and one bar per month the backtest has.
        var accuracy = await GetJsonAsync(context, $"{Pipeline}/forecast-accuracy");
        var months = accuracy.GetProperty("points").GetArrayLength();
        Assert.True(months > 0, "the backtest has no month");
        await page.WaitForSelectorAsync("[data-metric='accuracy:points']");
        Assert.Equal(months.ToString(CultureInfo.InvariantCulture), await page.Locator("[data-metric='accuracy:points']").GetAttributeAsync("data-value"));
        Assert.Equal(months, await page.Locator("#accuracy svg.accuracy rect.actual").CountAsync());

        // The month's P10-P90 band is drawn, and the censoring of time in stage is explained beside it.
        Assert.Equal(1, await page.Locator("#forecast svg.band rect.p10p90").CountAsync());
        Assert.Contains("still in a stage", await page.Locator("#speed .censoring").InnerTextAsync(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task ClickingAStageCount_ListsExactlyTheClientsInThatStage()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        await using var context = await fixture.NewContextAsync();
        var page = await SignInAsync(context, "head");
        var asOf = await page.EvaluateAsync<string>("() => document.body.dataset.asOf");
        var count = int.Parse(await page.Locator("[data-metric='funnel:meeting']").GetAttributeAsync("data-value") ?? "-1", CultureInfo.InvariantCulture);

        await page.Locator("[data-metric='funnel:meeting']").ClickAsync();
        var drill = page.Locator("dialog#drill");
        await Assertions.Expect(drill).ToBeVisibleAsync();
        await Assertions.Expect(drill.GetByTestId("drill-total")).ToHaveAttributeAsync("data-value", count.ToString(CultureInfo.InvariantCulture));
        while (await drill.Locator("button.more").IsVisibleAsync())
        {
            var before = await drill.Locator("tbody tr").CountAsync();
            await drill.Locator("button.more").ClickAsync();
            await Assertions.Expect(drill.Locator("tbody tr")).Not.ToHaveCountAsync(before);
        }

        var listed = await ClientsAsync(drill.Locator("tbody tr[data-client]"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.Screenshots, "drill-down.png") });

        // As many rows as the number clicked, no client twice, and the same clients as the API lists.
        Assert.True(count > 0);
        Assert.Equal(count, listed.Count);
        Assert.Equal(listed.Count, listed.Distinct(StringComparer.Ordinal).Count());
        var api = await GetJsonAsync(context, $"{Pipeline}/clients?measure=InStage&stage=meeting&asOf={Uri.EscapeDataString(asOf)}&limit=1000");
        Assert.Equal(count, api.GetProperty("total").GetInt32());
        Assert.Equal(
            api.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("clientId").GetString()!).Order(StringComparer.Ordinal),
            listed.Order(StringComparer.Ordinal));

        // Each of them is in that stage by its own state (nothing was recorded since the page's instant).
        foreach (var id in listed)
        {
            var client = await GetJsonAsync(context, $"{Pipeline}/clients/{Uri.EscapeDataString(id)}");
            Assert.Equal((id, "meeting"), (id, client.GetProperty("state").GetProperty("stage").GetString()));
        }
    }

    [SkippableFact]
    public async Task MoveRecordedOnAManagersPage_AppearsOnAnOpenHeadsPage_WithoutAReload()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        await using var headContext = await fixture.NewContextAsync();
        await using var managerContext = await fixture.NewContextAsync();
        var head = await SignInAsync(headContext, "head");
        var manager = await SignInAsync(managerContext, "anna");
        await head.EvaluateAsync("() => { window.sameDocument = 'yes'; }");
        var interest = await ValueAsync(head, "funnel:interest");
        var annaInterest = await ValueAsync(head, "funnel:anna:interest");
        var annaFirst = await ValueAsync(head, "funnel:anna:decision-maker");

        // Anna's first client in the first stage reached the next one.
        var card = manager.Locator("[data-stage='decision-maker'] .card").First;
        var client = await card.GetAttributeAsync("data-client");
        await card.ClickAsync();
        Assert.Equal("interest", await manager.Locator("select[name=stage]").InputValueAsync());
        var clicked = Stopwatch.StartNew();
        await manager.Locator("#record button[type=submit]").ClickAsync();
        await Assertions.Expect(manager.Locator("#result.ok")).ToContainTextAsync(client!);

        // The open head's page follows: the same document (no reload), the counts moved by one.
        await head.WaitForFunctionAsync(
            "([metric, value]) => document.querySelector(`[data-metric='${metric}']`)?.dataset.value === value",
            new[] { "funnel:anna:interest", (annaInterest + 1).ToString(CultureInfo.InvariantCulture) },
            new PageWaitForFunctionOptions { Timeout = 15_000, PollingInterval = 20 });
        output.WriteLine($"The head's page showed the move {clicked.ElapsedMilliseconds} ms after the click on Record (the issue asks for under 1 s; not asserted: a loaded machine may be slower).");
        Assert.Equal("yes", await head.EvaluateAsync<string>("() => window.sameDocument"));
        Assert.Equal(interest + 1, await ValueAsync(head, "funnel:interest"));
        Assert.Equal(annaFirst - 1, await ValueAsync(head, "funnel:anna:decision-maker"));
        await head.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.Screenshots, "head-page-after-move.png"), FullPage = true });
        await manager.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.Screenshots, "manager-page.png"), FullPage = true });

        // The manager's board moved the card too.
        await Assertions.Expect(manager.Locator($"[data-stage='interest'] .card[data-client='{client}']")).ToHaveCountAsync(1);
    }

    [SkippableFact]
    public async Task RefusedMove_ShowsTheRulesMessageFromTheProblemDetails()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        await using var context = await fixture.NewContextAsync();
        var page = await SignInAsync(context, "boris");
        var card = page.Locator("[data-stage='meeting'] .card").First;
        var client = await card.GetAttributeAsync("data-client");
        await card.ClickAsync();

        // A move to the stage the client is in already: the recorder refuses it (the rule SameStage).
        await page.Locator("select[name=stage]").SelectOptionAsync("meeting");
        await page.Locator("#record button[type=submit]").ClickAsync();
        var detail = page.GetByTestId("problem-detail");
        await Assertions.Expect(detail).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.Screenshots, "refused-move.png"), FullPage = true });

        // The words are the server's: the same request over the API gets a 422 problem with the same detail.
        var response = await context.APIRequest.PostAsync($"{Pipeline}/clients/{client}/moves", new APIRequestContextOptions
        {
            Headers = new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() },
            DataObject = new { stage = "meeting" },
        });
        Assert.Equal(422, response.Status);
        Assert.StartsWith("application/problem+json", response.Headers["content-type"], StringComparison.Ordinal);
        var problem = (await response.JsonAsync())!.Value;
        var message = problem.GetProperty("detail").GetString()!;
        Assert.Contains(client!, message, StringComparison.Ordinal);
        // (Each attempt's instant is in the message: the page's and this one differ only there.)
        Assert.Equal(WithoutInstants(message), WithoutInstants(await detail.InnerTextAsync()));
        Assert.Equal("SameStage", problem.GetProperty("rule").GetString());
    }

    [SkippableFact]
    public async Task Manager_SeesOnlyTheirOwnClients()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        await using var headContext = await fixture.NewContextAsync();
        await using var managerContext = await fixture.NewContextAsync();
        var head = await SignInAsync(headContext, "head");
        var boris = await SignInAsync(managerContext, "boris");
        var board = await ClientsAsync(boris.Locator(".card[data-client]"));

        // The head's list of boris' clients in work is boris' board, card for card.
        var theirs = await GetJsonAsync(headContext, $"{Pipeline}/clients?measure=InWork&owner=boris&limit=1000");
        Assert.NotEmpty(board);
        Assert.Equal(theirs.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("clientId").GetString()!).Order(StringComparer.Ordinal), board.Order(StringComparer.Ordinal));

        // Asked for everyone's, boris gets his own only; another manager's client is unknown to him.
        var all = await GetJsonAsync(managerContext, $"{Pipeline}/clients?measure=InWork&limit=1000");
        Assert.All(all.GetProperty("items").EnumerateArray(), i => Assert.Equal("boris", i.GetProperty("owner").GetString()));
        Assert.Equal(theirs.GetProperty("total").GetInt32(), all.GetProperty("total").GetInt32());
        var annas = await GetJsonAsync(headContext, $"{Pipeline}/clients?measure=InWork&owner=anna&limit=1");
        var annasClient = annas.GetProperty("items")[0].GetProperty("clientId").GetString();
        Assert.Equal(404, (await managerContext.APIRequest.GetAsync($"{Pipeline}/clients/{annasClient}")).Status);
        Assert.Equal(403, (await managerContext.APIRequest.GetAsync($"{Pipeline}/dashboard?owner=anna")).Status);

        // His dashboard is the team's figures for him alone.
        var dashboard = await GetJsonAsync(managerContext, $"{Pipeline}/dashboard");
        var team = await GetJsonAsync(headContext, $"{Pipeline}/dashboard?asOf={Uri.EscapeDataString(dashboard.GetProperty("asOf").GetString()!)}");
        var borisInTeam = team.GetProperty("funnel").GetProperty("byOwner").EnumerateArray().Single(o => o.GetProperty("owner").GetString() == "boris");
        Assert.Equal(borisInTeam.GetProperty("inWork").GetInt32(), dashboard.GetProperty("funnel").GetProperty("inWork").GetInt32());
        Assert.Equal(board.Count, dashboard.GetProperty("funnel").GetProperty("inWork").GetInt32());

        // And the head's page is not his: the manager's page opens instead.
        await boris.GotoAsync("/head.html");
        await Assertions.Expect(boris).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/manager\\.html$"));
        await boris.WaitForFunctionAsync("() => Number(document.body.dataset.loaded) > 0");
    }

    private static string WithoutInstants(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, @"\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:\d{2})", "<instant>");

    /// <summary>Signs in on the picker and waits for the page to have drawn its data.</summary>
    private async Task<IPage> SignInAsync(IBrowserContext context, string who)
    {
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => output.WriteLine($"{who}'s page: {error}");
        await page.GotoAsync("/");
        await page.GetByTestId($"as-{who}").ClickAsync();
        await page.WaitForURLAsync(who == "head" ? "**/head.html" : "**/manager.html");
        await page.WaitForFunctionAsync(who == "head" ? "() => Number(document.body.dataset.renders) > 0" : "() => Number(document.body.dataset.loaded) > 0");
        return page;
    }

    /// <summary>Every number of the page by its data-metric: its text and its raw value.</summary>
    private static async Task<Dictionary<string, (string Text, string? Value)>> MetricsAsync(IPage page)
    {
        var json = await page.EvaluateAsync<string>("() => JSON.stringify([...document.querySelectorAll('[data-metric]')].map(e => [e.dataset.metric, e.textContent.trim(), e.dataset.value ?? null]))");
        var rows = JsonSerializer.Deserialize<string?[][]>(json)!;
        return rows.ToDictionary(r => r[0]!, r => (r[1]!, r[2]), StringComparer.Ordinal);
    }

    /// <summary>The client ids (data-client) of the elements, in order.</summary>
    private static async Task<List<string>> ClientsAsync(ILocator rows) =>
        JsonSerializer.Deserialize<List<string>>(await rows.EvaluateAllAsync<string>("rows => JSON.stringify(rows.map(r => r.dataset.client))"))!;

    private static async Task<int> ValueAsync(IPage page, string metric) =>
        int.Parse(await page.Locator($"[data-metric='{metric}']").GetAttributeAsync("data-value") ?? throw new InvalidOperationException($"no {metric}"), CultureInfo.InvariantCulture);

    private static async Task<JsonElement> GetJsonAsync(IBrowserContext context, string url)
    {
        var response = await context.APIRequest.GetAsync(url);
        Assert.True(response.Ok, $"GET {url}: {response.Status} {await response.TextAsync()}");
        return (await response.JsonAsync())!.Value;
    }
}
