namespace FunnelMetrics.Samples.Web.Tests;

/// <summary>The OpenTelemetry export the sample switches on by configuration (off by default).</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task ConsoleExporter_WritesTheMetersInstruments()
    {
        await using var app = await SampleApp.StartAsync("--Sample:Telemetry:Exporter=console", "--Sample:Telemetry:IntervalSeconds=0.5");
        using var http = new HttpClient { BaseAddress = app.Address };
        (await http.GetAsync("/account/people")).EnsureSuccessStatusCode();

        // Exported every half second: wait for the export that includes the request.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (!app.Output.Contains("Metric Name: http.server.request.duration", StringComparison.Ordinal))
        {
            await Task.Delay(100, timeout.Token);
        }

        Assert.Contains("service.name: FunnelMetrics.Samples.Web", app.Output, StringComparison.Ordinal);
    }
}
