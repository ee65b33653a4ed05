using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using FunnelMetrics.Analytics;
using FunnelMetrics.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace FunnelMetrics.AspNetCore.Tests;

/// <summary>The Server-Sent Events stream of the dashboard: an event at once, one after each write, keep-alives, 503 without a warm model.</summary>
public sealed class StreamTests
{
    /// <summary>No test waits this long unless the stream is broken: a guard, not a timing.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AMoveRecordedOverHttp_ReachesAnOpenStream_AsTheNextDashboard()
    {
        await using var app = await FunnelApp.StartAsync(hosted: true);
        await app.App.Services.GetRequiredService<FunnelReadModelRegistry>().WaitForReadyAsync().WaitAsync(Patience);
        await using var stream = await SseStream.OpenAsync(app.Http, "/pipelines/sales/dashboard/stream");

        var first = await stream.NextEventAsync();
        Assert.Equal("dashboard", first.Type);
        var head = await app.Store.Feed.ReadHeadAsync();
        Assert.Equal(head.ToString(System.Globalization.CultureInfo.InvariantCulture), first.Id);
        Assert.Equal(3, (int)first.Data["funnel"]!["inWork"]!);
        Assert.Equal(0, (int)first.Data["funnel"]!["won"]!);

        var (moved, _) = await app.PostAsync("/pipelines/sales/clients/c3/moves", """{"stage":"won"}""", key: "win-c3");
        Assert.Equal(HttpStatusCode.Created, moved.StatusCode);

        var next = await stream.NextEventAsync();
        Assert.Equal("dashboard", next.Type);
        Assert.Equal((head + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), next.Id);
        Assert.Equal(2, (int)next.Data["funnel"]!["inWork"]!);
        Assert.Equal(1, (int)next.Data["funnel"]!["won"]!);
    }

    [Fact]
    public async Task AStreamForAManager_CarriesTheirDashboard()
    {
        await using var app = await FunnelApp.StartAsync(hosted: true);
        await app.App.Services.GetRequiredService<FunnelReadModelRegistry>().WaitForReadyAsync().WaitAsync(Patience);
        await using var stream = await SseStream.OpenAsync(app.Http, "/pipelines/sales/dashboard/stream?owner=boris");
        var first = await stream.NextEventAsync();
        Assert.Equal(1, (int)first.Data["funnel"]!["inWork"]!);
        Assert.Equal(["boris"], first.Data["filter"]!["owners"]!.AsArray().Select(o => (string?)o));
    }

    [Fact]
    public async Task PublicationsBetweenSends_Coalesce_NeverTwoEventsForOneSnapshot()
    {
        await using var app = await FunnelApp.StartAsync();
        var changes = await app.Store.Feed.ReadChangesAsync(new ChangeFeedQuery { PipelineId = FunnelApp.Sales.Id }).ToListAsync();
        var model = new FunnelReadModel(FunnelApp.Sales);
        foreach (var change in changes.Take(3))
        {
            model.Apply(change);
        }

        model.Publish();
        app.App.Services.GetRequiredService<FunnelReadModelRegistry>().Add(model);
        await using var stream = await SseStream.OpenAsync(app.Http, "/pipelines/sales/dashboard/stream");
        Assert.Equal(changes[2].Position.ToString(System.Globalization.CultureInfo.InvariantCulture), (await stream.NextEventAsync()).Id);

        // Three publications, then the last change published alone: the stream sends some of them in order, each once, ending at the last.
        var published = new List<long>();
        foreach (var change in changes.Skip(3))
        {
            model.Apply(change);
            published.Add(model.Publish().Position);
        }

        var seen = new List<long>();
        while (seen.Count == 0 || seen[^1] != published[^1])
        {
            seen.Add(long.Parse((await stream.NextEventAsync()).Id!, System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(seen.Distinct().Order(), seen);
        Assert.All(seen, p => Assert.Contains(p, published));
    }

    [Fact]
    public async Task AStreamOpenedWhileTheModelLoads_SendsTheDashboardOnceItIsLoaded()
    {
        await using var app = await FunnelApp.StartAsync();
        var registry = app.App.Services.GetRequiredService<FunnelReadModelRegistry>();
        registry.Expect(FunnelApp.Sales.Id);
        await using var stream = await SseStream.OpenAsync(app.Http, "/pipelines/sales/dashboard/stream");
        var changes = await app.Store.Feed.ReadChangesAsync(new ChangeFeedQuery { PipelineId = FunnelApp.Sales.Id }).ToListAsync();
        var model = new FunnelReadModel(FunnelApp.Sales);
        foreach (var change in changes)
        {
            model.Apply(change);
        }

        model.Publish();
        registry.Add(model);
        var first = await stream.NextEventAsync();
        Assert.Equal(changes[^1].Position.ToString(System.Globalization.CultureInfo.InvariantCulture), first.Id);
        Assert.Equal(3, (int)first.Data["funnel"]!["inWork"]!);
    }

    [Fact]
    public async Task AStreamWhoseModelIsAbandoned_SaysSoAndEnds()
    {
        await using var app = await FunnelApp.StartAsync();
        var registry = app.App.Services.GetRequiredService<FunnelReadModelRegistry>();
        registry.Expect(FunnelApp.Sales.Id);
        await using var stream = await SseStream.OpenAsync(app.Http, "/pipelines/sales/dashboard/stream");
        registry.Abandon(FunnelApp.Sales.Id);
        var last = await stream.NextEventAsync();
        Assert.Equal("unavailable", last.Type);
        await Assert.ThrowsAsync<EndOfStreamException>(() => stream.NextEventAsync());
    }

    [Fact]
    public async Task AnIdleStream_SendsKeepAliveComments()
    {
        await using var app = await FunnelApp.StartAsync(hosted: true);
        await app.App.Services.GetRequiredService<FunnelReadModelRegistry>().WaitForReadyAsync().WaitAsync(Patience);
        await using var stream = await SseStream.OpenAsync(app.Http, "/pipelines/sales/dashboard/stream");
        _ = await stream.NextEventAsync();
        Assert.Equal(": keep-alive", await stream.NextCommentAsync());
    }

    [Fact]
    public async Task WithoutAWarmModel_TheStreamIs503_NotAHang()
    {
        await using var app = await FunnelApp.StartAsync();
        var (response, problem) = await app.GetAsync("/pipelines/sales/dashboard/stream");
        Problem.Assert(response, problem, 503, "urn:funnelmetrics:problem:read-model-unavailable");
        Assert.Contains("sales", (string?)problem!["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheStream_ChecksItsParametersAndScopeFirst()
    {
        await using var app = await FunnelApp.StartAsync(hosted: true, services: s => s.AddFunnelAccessPolicy((user, _) => FunnelAccessScope.ForOwner(new OwnerId(user.Identity!.Name!))));
        var (forbidden, problem) = await app.GetAsync("/pipelines/sales/dashboard/stream?owner=boris", "anna");
        Problem.Assert(forbidden, problem, 403, "urn:funnelmetrics:problem:outside-scope");
        var (bad, unknown) = await app.GetAsync("/pipelines/sales/dashboard/stream?asOf=2026-03-02T00:00:00Z", "anna");
        Problem.BadParameter(bad, unknown, "asOf");
        var (missing, nowhere) = await app.GetAsync("/pipelines/nowhere/dashboard/stream", "anna");
        Problem.Assert(missing, nowhere, 404, "urn:funnelmetrics:problem:unknown-pipeline");
    }

    [Fact]
    public async Task AClientThatGoesAway_EndsTheStream()
    {
        var active = 0;
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await FunnelApp.StartAsync(hosted: true, app: web => web.Use(async (Microsoft.AspNetCore.Http.HttpContext context, Microsoft.AspNetCore.Http.RequestDelegate next) =>
        {
            Interlocked.Increment(ref active);
            try
            {
                await next(context);
            }
            finally
            {
                if (Interlocked.Decrement(ref active) == 0 && context.Request.Path.Value!.EndsWith("/stream", StringComparison.Ordinal))
                {
                    ended.TrySetResult();
                }
            }
        }));
        await app.App.Services.GetRequiredService<FunnelReadModelRegistry>().WaitForReadyAsync().WaitAsync(Patience);
        var stream = await SseStream.OpenAsync(app.Http, "/pipelines/sales/dashboard/stream");
        _ = await stream.NextEventAsync();
        await stream.DisposeAsync();
        await ended.Task.WaitAsync(Patience);
        Assert.Equal(0, Volatile.Read(ref active));
    }
}

/// <summary>Reads a text/event-stream response event by event.</summary>
internal sealed class SseStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;
    private readonly CancellationTokenSource _guard = new(TimeSpan.FromSeconds(20));

    private SseStream(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body, Encoding.UTF8);
    }

    public static async Task<SseStream> OpenAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseStream(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>The next event, skipping comments.</summary>
    public async Task<(string? Type, string? Id, JsonNode Data)> NextEventAsync()
    {
        while (true)
        {
            var lines = await BlockAsync();
            if (lines.All(l => l.StartsWith(':')))
            {
                continue;
            }

            string? type = null, id = null, data = null;
            foreach (var line in lines)
            {
                var (field, value) = line.IndexOf(':', StringComparison.Ordinal) is var at and > 0 ? (line[..at], line[(at + 1)..].TrimStart()) : (line, "");
                switch (field)
                {
                    case "event": type = value; break;
                    case "id": id = value; break;
                    case "data": data = data is null ? value : data + "\n" + value; break;
                }
            }

            return (type, id, JsonNode.Parse(data ?? "null")!);
        }
    }

    /// <summary>The next comment line, skipping events.</summary>
    public async Task<string> NextCommentAsync()
    {
        while (true)
        {
            var lines = await BlockAsync();
            if (lines.FirstOrDefault(l => l.StartsWith(':')) is { } comment && !comment.Contains("stream", StringComparison.Ordinal))
            {
                return comment;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        _guard.Dispose();
        await Task.CompletedTask;
    }

    private async Task<List<string>> BlockAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await _reader.ReadLineAsync(_guard.Token) ?? throw new EndOfStreamException("The stream ended.");
            if (line.Length == 0)
            {
                if (lines.Count > 0)
                {
                    return lines;
                }

                continue;
            }

            lines.Add(line);
        }
    }
}
