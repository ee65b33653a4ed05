using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using FunnelMetrics.Recording;
using FunnelMetrics.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunnelMetrics.AspNetCore.Tests;

/// <summary>
/// A web application on the test server with FunnelMetrics over the in-memory store and <c>MapFunnelMetrics</c>, a
/// seeded pipeline, and a caller chosen per request by the headers <c>X-User</c> and <c>X-Role</c>.
/// </summary>
internal sealed class FunnelApp : IAsyncDisposable
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    public static readonly PipelineDefinition Sales = new(
        new PipelineId("sales"),
        "Sales",
        [new StageDefinition(new StageId("lead")), new StageDefinition(new StageId("offer")), new StageDefinition(new StageId("contract")), new StageDefinition(new StageId("won"))]);

    private FunnelApp(WebApplication app, InMemoryFunnelStore store)
    {
        App = app;
        Store = store;
        Http = app.GetTestClient();
    }

    public WebApplication App { get; }

    public InMemoryFunnelStore Store { get; }

    public HttpClient Http { get; }

    /// <summary>Starts the application; <paramref name="hosted"/> adds the hosted read model (polling every 20 ms).</summary>
    public static async Task<FunnelApp> StartAsync(bool hosted = false, Action<IServiceCollection>? services = null, Action<RouteGroupBuilder>? map = null, Action<WebApplication>? app = null, bool seed = true, TimeProvider? time = null)
    {
        var store = new InMemoryFunnelStore();
        await store.Pipelines.AddAsync(Sales);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(store);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        var funnel = builder.Services.AddFunnelMetrics();
        if (hosted)
        {
            funnel.AddHostedReadModel(o => o.Feed.PollInterval = TimeSpan.FromMilliseconds(20));
        }

        builder.Services.AddFunnelMetricsEndpoints(o => o.KeepAliveInterval = TimeSpan.FromMilliseconds(200));
        services?.Invoke(builder.Services);
        var web = builder.Build();
        web.Use((context, next) =>
        {
            if (context.Request.Headers.TryGetValue("X-User", out var user))
            {
                Claim[] claims = [new(ClaimTypes.Name, user.ToString()), new(ClaimTypes.Role, context.Request.Headers["X-Role"].ToString())];
                context.User = new ClaimsPrincipal(new ClaimsIdentity(claims, "test"));
            }

            return next(context);
        });
        app?.Invoke(web);
        var group = web.MapFunnelMetrics();
        map?.Invoke(group);
        await web.StartAsync();
        var started = new FunnelApp(web, store);
        if (seed)
        {
            await started.SeedAsync();
        }

        return started;
    }

    /// <summary>
    /// Three clients: c1 (anna) lead → offer, c2 (anna) lead, c3 (boris) lead → offer → contract; region north for c1
    /// and c3, south for c2. As of <see cref="T0"/> + 1 day: lead 1, offer 1, contract 1.
    /// </summary>
    public async Task SeedAsync()
    {
        var recorder = new FunnelRecorder(Store.Pipelines, Store.Clients, Store.Events, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new RecordingOptions()));
        await recorder.AddClientAsync(new Client(new ClientId("c1"), Sales.Id, new OwnerId("anna"), T0, 1000m, new Dictionary<string, string> { ["region"] = "north" }));
        await recorder.AddClientAsync(new Client(new ClientId("c2"), Sales.Id, new OwnerId("anna"), T0, 2000m, new Dictionary<string, string> { ["region"] = "south" }));
        await recorder.AddClientAsync(new Client(new ClientId("c3"), Sales.Id, new OwnerId("boris"), T0, 3000m, new Dictionary<string, string> { ["region"] = "north" }));
        await recorder.MoveAsync(new ClientId("c1"), new StageId("lead"), T0.AddHours(1));
        await recorder.MoveAsync(new ClientId("c1"), new StageId("offer"), T0.AddHours(5));
        await recorder.MoveAsync(new ClientId("c2"), new StageId("lead"), T0.AddHours(2));
        await recorder.MoveAsync(new ClientId("c3"), new StageId("lead"), T0.AddHours(1));
        await recorder.MoveAsync(new ClientId("c3"), new StageId("offer"), T0.AddHours(3));
        await recorder.MoveAsync(new ClientId("c3"), new StageId("contract"), T0.AddHours(6));
    }

    public static string At(DateTimeOffset instant) => Uri.EscapeDataString(instant.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));

    public static HttpRequestMessage Post(string path, string json, string? key = null, string? user = null, string? role = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        As(request, user, role);
        return request;
    }

    public static HttpRequestMessage Get(string path, string? user = null, string? role = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        As(request, user, role);
        return request;
    }

    public async Task<(HttpResponseMessage Response, JsonNode? Body)> SendAsync(HttpRequestMessage request)
    {
        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public Task<(HttpResponseMessage Response, JsonNode? Body)> GetAsync(string path, string? user = null, string? role = null) => SendAsync(Get(path, user, role));

    public Task<(HttpResponseMessage Response, JsonNode? Body)> PostAsync(string path, string json, string? key = null, string? user = null, string? role = null) => SendAsync(Post(path, json, key, user, role));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    private static void As(HttpRequestMessage request, string? user, string? role)
    {
        if (user is not null)
        {
            request.Headers.Add("X-User", user);
            request.Headers.Add("X-Role", role ?? "manager");
        }
    }
}

/// <summary>Assertions on problem details.</summary>
internal static class Problem
{
    public static JsonNode Assert(HttpResponseMessage response, JsonNode? body, int status, string type)
    {
        Xunit.Assert.Equal(status, (int)response.StatusCode);
        Xunit.Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Xunit.Assert.NotNull(body);
        Xunit.Assert.Equal(type, (string?)body["type"]);
        Xunit.Assert.Equal(status, (int?)body["status"]);
        Xunit.Assert.False(string.IsNullOrEmpty((string?)body["title"]));
        return body;
    }

    public static JsonNode BadParameter(HttpResponseMessage response, JsonNode? body, string parameter)
    {
        var problem = Assert(response, body, 400, "urn:funnelmetrics:problem:invalid-parameter");
        Xunit.Assert.Equal(parameter, (string?)problem["parameter"]);
        return problem;
    }
}
