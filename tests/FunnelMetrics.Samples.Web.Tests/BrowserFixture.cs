using Microsoft.Playwright;

namespace FunnelMetrics.Samples.Web.Tests;

/// <summary>
/// One web sample and one headless chromium for the browser tests. The browser is Debian's chromium
/// (<c>apt-get install -y chromium</c>; .ci/run installs it), or the executable <c>FUNNELMETRICS_CHROMIUM</c> names:
/// Playwright cannot download its own browsers here. Without one, <see cref="SkipReason"/> says why and nothing starts.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>The environment variable naming the chromium executable.</summary>
    public const string BrowserVariable = "FUNNELMETRICS_CHROMIUM";

    /// <summary>Where Debian installs chromium.</summary>
    public const string DefaultBrowser = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    /// <summary>Why the browser tests skip, or null when they run.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>The running sample.</summary>
    internal SampleApp App { get; private set; } = null!;

    /// <summary>The browser.</summary>
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where the screenshots go: artifacts/screenshots at the repository's root.</summary>
    public static string Screenshots { get; } = Path.Combine(SampleApp.Repository, "artifacts", "screenshots");

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        var path = Environment.GetEnvironmentVariable(BrowserVariable) is { Length: > 0 } named ? named : DefaultBrowser;
        if (!File.Exists(path))
        {
            SkipReason = $"Browser tests are skipped: no chromium at {path} (install Debian's with `apt-get install -y chromium`, as .ci/run does, or set {BrowserVariable} to a chromium executable).";
            return;
        }

        Directory.CreateDirectory(Screenshots);
        App = await SampleApp.StartAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = path, Headless = true });
    }

    /// <summary>A new browser context (its own cookies: one signed-in person) on the sample.</summary>
    /// <returns>The context.</returns>
    public Task<IBrowserContext> NewContextAsync() => Browser.NewContextAsync(new BrowserNewContextOptions
    {
        BaseURL = App.Address.ToString(),
        ViewportSize = new ViewportSize { Width = 1440, Height = 1000 },
        Locale = "en-GB",
        TimezoneId = "UTC",
    });

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (SkipReason is not null)
        {
            return;
        }

        await Browser.DisposeAsync();
        _playwright?.Dispose();
        await App.DisposeAsync();
    }
}

/// <summary>The tests sharing <see cref="BrowserFixture"/>, one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserTestGroup : ICollectionFixture<BrowserFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "web sample in a browser";
}
