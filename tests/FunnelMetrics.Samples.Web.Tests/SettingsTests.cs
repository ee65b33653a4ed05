namespace FunnelMetrics.Samples.Web.Tests;

/// <summary>A setting the sample cannot use stops it at start with one line naming the setting, never a stack trace.</summary>
public sealed class SettingsTests
{
    [Theory]
    [InlineData("--Sample:Clock=sometimes", "Sample:Clock: 'sometimes' is not one of demo, system.")]
    [InlineData("--Sample:Telemetry:Exporter=zipkin", "Sample:Telemetry:Exporter: 'zipkin' is not one of none, console, otlp.")]
    [InlineData("--Sample:Telemetry:IntervalSeconds=0", "Sample:Telemetry:IntervalSeconds: '0' is not a number of seconds from 0.1 to 3600.")]
    [InlineData("--Sample:Telemetry:OtlpEndpoint=localhost:4317", "Sample:Telemetry:OtlpEndpoint: 'localhost:4317' is not an http or https address, such as http://localhost:4317.")]
    [InlineData("--ConnectionStrings:Postgres=Hots=x", "ConnectionStrings:Postgres: not a PostgreSQL connection string")]
    public async Task BadSampleSetting_ExitsWithCode2_NamingTheSetting(string setting, string message)
    {
        var (exitCode, output) = await SampleApp.RunToExitAsync(setting);

        Assert.Equal(2, exitCode);
        Assert.Contains("error: " + message, output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    [Fact]
    public async Task DatabaseInAMissingFolder_ExitsWithCode2_NamingTheSetting()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-folder-{Guid.NewGuid():N}", "funnel.db");

        var (exitCode, output) = await SampleApp.RunToExitAsync($"--Sample:Database={missing}");

        Assert.Equal(2, exitCode);
        Assert.Contains($"error: Sample:Database: the folder {Path.GetDirectoryName(missing)} does not exist; create it first.", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    [Theory]
    [InlineData("--FunnelMetrics:TimeZone=Mars/Olympus_Mons", "error: FunnelMetrics: TimeZone: ", "Mars/Olympus_Mons")]
    [InlineData("--FunnelMetrics:ReadModel:RestartDelay=-00:00:05", "error: FunnelMetrics:ReadModel: ", "RestartDelay")]
    public async Task BadLibraryOption_ExitsWithCode2_NamingTheOption(string setting, string start, string named)
    {
        var folder = Directory.CreateTempSubdirectory("funnelmetrics-web-test-").FullName;
        try
        {
            var (exitCode, output) = await SampleApp.RunToExitAsync($"--Sample:Database={Path.Combine(folder, "funnel.db")}", setting);

            Assert.Equal(2, exitCode);
            Assert.Contains(start, output, StringComparison.Ordinal);
            Assert.Contains(named, output, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(folder));
            AssertNoStackTrace(output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task PostgresServerNotReachable_ExitsWithCode3_NamingTheSetting()
    {
        // Port 1 on the loopback: nothing listens there, the connection is refused at once.
        var (exitCode, output) = await SampleApp.RunToExitAsync("--ConnectionStrings:Postgres=Host=127.0.0.1;Port=1;Username=postgres;Database=funnel;Timeout=3");

        Assert.Equal(3, exitCode);
        Assert.Contains("error: ConnectionStrings:Postgres: the PostgreSQL database funnel on 127.0.0.1:1 cannot be used: ", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    private static void AssertNoStackTrace(string output) =>
        Assert.DoesNotMatch(@"(?m)^\s+at \S+\(", output);
}
