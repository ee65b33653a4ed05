using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace FunnelMetrics.Samples.Web.Tests;

/// <summary>
/// The web sample as a process (<c>dotnet FunnelMetrics.Samples.Web.dll</c> from its build output, its content root the
/// sample's folder), on a free port of a real Kestrel, with a SQLite file of its own that is removed on dispose.
/// </summary>
internal sealed partial class SampleApp : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;
    private readonly string _folder;

    private SampleApp(Process process, StringBuilder output, string folder, Uri address)
    {
        _process = process;
        _output = output;
        _folder = folder;
        Address = address;
    }

    /// <summary>Where it listens, such as http://127.0.0.1:41234/.</summary>
    public Uri Address { get; }

    /// <summary>What it wrote so far (standard output and error).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The repository's root (the folder of FunnelMetrics.sln).</summary>
    public static string Repository { get; } = FindRepository();

    /// <summary>Starts the sample and waits until it listens.</summary>
    /// <param name="settings">Configuration as command-line arguments, such as <c>--Sample:Clock=system</c>.</param>
    /// <returns>The running sample.</returns>
    public static async Task<SampleApp> StartAsync(params string[] settings)
    {
        var folder = Directory.CreateTempSubdirectory("funnelmetrics-web-test-").FullName;
        var output = new StringBuilder();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Start(["--urls", "http://127.0.0.1:0", $"--Sample:Database={Path.Combine(folder, "funnel.db")}", .. settings], output, line =>
        {
            if (Listening().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value + "/"));
            }
        });
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"The web sample exited with code {process.ExitCode} before it listened:\n{Text(output)}"));
        try
        {
            var address = await listening.Task.WaitAsync(TimeSpan.FromMinutes(2));
            return new SampleApp(process, output, folder, address);
        }
        catch
        {
            Stop(process);
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>Runs the sample until it exits by itself (a bad setting stops it at start).</summary>
    /// <param name="settings">Configuration as command-line arguments.</param>
    /// <returns>Its exit code and what it wrote to standard output and error.</returns>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(params string[] settings)
    {
        var output = new StringBuilder();
        using var process = Start(["--urls", "http://127.0.0.1:0", .. settings], output, _ => { });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Stop(process);
            throw new TimeoutException($"The web sample did not exit within 2 minutes:\n{Text(output)}");
        }

        process.WaitForExit(); // the end of the redirected output
        return (process.ExitCode, Text(output));
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        Stop(_process);
        _process.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still closing: the temporary folder is the system's to clean.
        }

        return ValueTask.CompletedTask;
    }

    private static Process Start(string[] arguments, StringBuilder output, Action<string> onLine)
    {
        var sample = Path.Combine(Repository, "samples", "FunnelMetrics.Samples.Web");
        var dll = Path.Combine(sample, "bin", Configuration(), "net10.0", "FunnelMetrics.Samples.Web.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"The web sample is not built at {dll}: build the solution (the test project references the sample).", dll);
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = sample,
        };
        foreach (var argument in new[] { dll, "--contentRoot", sample, "--environment", "Production" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        // The sample's own settings only: none from the environment of the test run.
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment["Logging__Console__FormatterName"] = "simple";
        var process = new Process { StartInfo = start };
        void Receive(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            onLine(e.Data);
        }

        process.OutputDataReceived += Receive;
        process.ErrorDataReceived += Receive;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    /// <summary>The build configuration of the tests (Debug or Release), from their own output path: the sample's is the same.</summary>
    private static string Configuration()
    {
        var parts = AppContext.BaseDirectory.Replace('\\', '/').TrimEnd('/').Split('/');
        return parts.Length >= 2 ? parts[^2] : "Release";
    }

    private static string FindRepository()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FunnelMetrics.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("FunnelMetrics.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"Now listening on: (http://[^\s/]+)")]
    private static partial Regex Listening();
}
