using System.Net.Http.Json;

namespace FunnelMetrics.Samples.Web.Tests;

/// <summary>The OpenTelemetry export the sample switches on by configuration (off by default).</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task ConsoleExporter_WritesTheFunnelMetersAndAspNetCoresInstruments()
    {
        await using var app = await SampleApp.StartAsync("--Sample:Telemetry:Exporter=console", "--Sample:Telemetry:IntervalSeconds=0.5");
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = app.Address };
        (await http.PostAsync("/account/sign-in", new FormUrlEncodedContent([new("as", "head")]))).EnsureSuccessStatusCode();

        // A move through the API: the recorder counts it on the library's meter.
        using var move = new HttpRequestMessage(HttpMethod.Post, "/api/pipelines/sales/clients/demo-00001/activities") { Content = JsonContent.Create(new { note = "call" }) };
        move.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        (await http.SendAsync(move)).EnsureSuccessStatusCode();

        // Exported every half second: wait for an export holding the library's instruments and ASP.NET Core's.
        string[] instruments = ["funnelmetrics.recorder.events", "funnelmetrics.stage.client.count", "funnelmetrics.read_model.events_behind", "http.server.request.duration"];
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (!instruments.All(name => app.Output.Contains($"Metric Name: {name}", StringComparison.Ordinal)))
        {
            await Task.Delay(100, timeout.Token);
        }

        Assert.Contains("service.name: FunnelMetrics.Samples.Web", app.Output, StringComparison.Ordinal);
    }
}
