using FunnelMetrics.Analytics;
using FunnelMetrics.Forecasting;
using FunnelMetrics.Import;
using FunnelMetrics.Metrics;
using FunnelMetrics.Recording;
using FunnelMetrics.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FunnelMetrics.Tests.DependencyInjection;

public sealed class ServiceRegistrationTests
{
    [Fact]
    public async Task AddFunnelMetrics_RegistersARecorderOverTheInMemoryStore()
    {
        await using var provider = new ServiceCollection().AddFunnelMetrics().Services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        await using var scope = provider.CreateAsyncScope();

        var recorder = scope.ServiceProvider.GetRequiredService<FunnelRecorder>();
        var store = provider.GetRequiredService<InMemoryFunnelStore>();

        await store.Pipelines.AddAsync(Seed.Pipeline);
        await recorder.AddClientAsync(Seed.NewClient("c1"));
        await recorder.MoveAsync(new ClientId("c1"), Seed.Meeting, Seed.T0);
        Assert.Equal(1, store.Events.Count);
        Assert.Same(store.Pipelines, provider.GetRequiredService<IPipelineRepository>());
        Assert.Same(store.Clients, provider.GetRequiredService<IClientRepository>());
        Assert.Same(store.Events, provider.GetRequiredService<IFunnelEventStore>());
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        Assert.Equal(RecordingOptions.DefaultFutureTolerance, provider.GetRequiredService<IOptions<FunnelMetricsOptions>>().Value.Recording.FutureTolerance);
        Assert.Same(provider.GetRequiredService<IOptions<FunnelMetricsOptions>>().Value.Recording, provider.GetRequiredService<IOptions<RecordingOptions>>().Value);
    }

    [Fact]
    public void AddFunnelMetrics_KeepsATimeProviderRegisteredBefore()
    {
        var fake = new FakeTimeProvider();
        var services = new ServiceCollection().AddSingleton<TimeProvider>(fake);

        services.AddFunnelMetrics();

        Assert.Same(fake, services.BuildServiceProvider().GetRequiredService<TimeProvider>());
    }

    [Fact]
    public void UseRepositories_ReplacesTheInMemoryDefault()
    {
        var services = new ServiceCollection();

        services.AddFunnelMetrics().UseRepositories<InMemoryPipelineRepository, InMemoryClientRepository, CountingEventStore>();

        using var provider = services.BuildServiceProvider();
        using var scope = provider.CreateScope();
        Assert.IsType<CountingEventStore>(scope.ServiceProvider.GetRequiredService<IFunnelEventStore>());
        Assert.IsType<InMemoryPipelineRepository>(scope.ServiceProvider.GetRequiredService<IPipelineRepository>());
        Assert.Single(services, d => d.ServiceType == typeof(IFunnelEventStore));
    }

    [Fact]
    public async Task FastLoad_IsTheInMemoryStoresByDefault_AndNoneForAStoreWithout()
    {
        var services = new ServiceCollection();
        services.AddFunnelMetrics();
        using (var provider = services.BuildServiceProvider())
        {
            var store = provider.GetRequiredService<InMemoryFunnelStore>();
            var client = new Client(new ClientId("c1"), Seed.SalesId, Seed.Anna, Seed.T0);
            await store.Clients.AddAsync(client);
            var source = Assert.IsType<InMemoryFunnelLogSource>(provider.GetRequiredService<IFunnelLogSource>());
            var builder = new FunnelLogBuilder(Seed.Pipeline);
            Assert.Equal(await store.Feed.ReadHeadAsync(), await source.LoadAsync(builder));
            Assert.Equal(client, builder.FindClient(client.Id));
        }

        services.AddFunnelMetrics().UseRepositories<InMemoryPipelineRepository, InMemoryClientRepository, CountingEventStore>();
        using var replaced = services.BuildServiceProvider();
        Assert.Null(replaced.GetService<IFunnelLogSource>());
    }

    [Fact]
    public async Task FastLoad_OfAnEventStoreMadeOnItsOwn_RefusesEventsWithoutTheirClients()
    {
        var events = new InMemoryFunnelEventStore();
        await events.AppendAsync(new ClientId("c1"), 0, [new ClientActivity(new ClientEventId("e1"), new ClientId("c1"), Seed.SalesId, 1, Seed.T0, Seed.T0, Seed.Anna)]);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => new InMemoryFunnelLogSource(events).LoadAsync(new FunnelLogBuilder(Seed.Pipeline)));
        Assert.Contains("'e1'", refused.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => new InMemoryFunnelLogSource(null!));
    }

    [Fact]
    public void Options_BindFromAConfigurationSection_WithNestedSectionNames()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FunnelMetrics:Recording:FutureTolerance"] = "00:15:00",
            ["FunnelMetrics:Recording:ConcurrencyRetries"] = "3",
            ["FunnelMetrics:TimeZone"] = "Europe/Sofia",
            ["FunnelMetrics:Conversion:SkippedStagesCountAsPassed"] = "false",
            ["FunnelMetrics:Stalls:Clock"] = "LastTouch",
            ["FunnelMetrics:Stalls:StageThresholds:offer"] = "3.00:00:00",
            ["FunnelMetrics:Stalls:DefaultThreshold"] = "10.00:00:00",
            ["FunnelMetrics:Stalls:Percentile"] = "75",
            ["FunnelMetrics:Stalls:MinimumVisits"] = "12",
            ["FunnelMetrics:Forecast:HistoryWindow"] = "90.00:00:00",
            ["FunnelMetrics:Forecast:MinimumDepartures"] = "4",
            ["FunnelMetrics:Forecast:IncludeIntake"] = "true",
        }).Build();

        using var provider = new ServiceCollection().AddFunnelMetrics(configuration.GetSection(FunnelMetricsOptions.SectionName)).Services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<FunnelMetricsOptions>>().Value;
        Assert.Equal((TimeSpan.FromMinutes(15), 3), (options.Recording.FutureTolerance, options.Recording.ConcurrencyRetries));
        Assert.Equal("Europe/Sofia", options.TimeZone);
        Assert.False(options.Conversion.SkippedStagesCountAsPassed);
        Assert.Equal((StallClock.LastTouch, TimeSpan.FromDays(10), 75.0, 12), (options.Stalls.Clock, options.Stalls.DefaultThreshold, options.Stalls.Percentile, options.Stalls.MinimumVisits));
        Assert.Equal(TimeSpan.FromDays(3), Assert.Single(options.Stalls.StageThresholds, kv => kv.Key == "offer").Value);
        Assert.Equal((TimeSpan.FromDays(90), 4, true), (options.Forecast.HistoryWindow, options.Forecast.MinimumDepartures, options.Forecast.IncludeIntake));
        Assert.Equal(TimeSpan.FromMinutes(15), provider.GetRequiredService<IOptions<RecordingOptions>>().Value.FutureTolerance);
    }

    [Fact]
    public void Options_Defaults_AreTheDocumentedConstants()
    {
        var options = new FunnelMetricsOptions();

        Assert.Equal((TimeSpan.FromMinutes(5), 0), (options.Recording.FutureTolerance, options.Recording.ConcurrencyRetries));
        Assert.Equal("UTC", options.TimeZone);
        Assert.True(options.Conversion.SkippedStagesCountAsPassed);
        Assert.Equal((StallClock.TimeInStage, TimeSpan.FromDays(14), 90.0, 30), (options.Stalls.Clock, options.Stalls.DefaultThreshold, options.Stalls.Percentile, options.Stalls.MinimumVisits));
        Assert.Empty(options.Stalls.StageThresholds);
        Assert.Equal((TimeSpan.FromDays(180), 10, false), (options.Forecast.HistoryWindow, options.Forecast.MinimumDepartures, options.Forecast.IncludeIntake));
        Assert.Equal((RecordingOptions.DefaultFutureTolerance, StallOptions.DefaultThresholdValue, ForecastOptions.DefaultHistoryWindow), (options.Recording.FutureTolerance, options.Stalls.DefaultThreshold, options.Forecast.HistoryWindow));
        Assert.True(FunnelMetricsOptionsValidator.Instance.Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("Recording:FutureTolerance", "1.00:00:01", "Recording.FutureTolerance must be between 0 seconds and 1 day, both inclusive; got 1.00:00:01.")]
    [InlineData("Recording:FutureTolerance", "-00:00:01", "Recording.FutureTolerance must be between 0 seconds and 1 day, both inclusive; got -00:00:01.")]
    [InlineData("Recording:ConcurrencyRetries", "11", "Recording.ConcurrencyRetries")]
    [InlineData("Recording:ConcurrencyRetries", "-1", "Recording.ConcurrencyRetries")]
    [InlineData("TimeZone", "Mars/Olympus_Mons", "TimeZone 'Mars/Olympus_Mons' is not a time zone known to this system")]
    [InlineData("Stalls:DefaultThreshold", "00:00:00.5", "Stalls.DefaultThreshold must be between 1 second and 3650 days, both inclusive; got 00:00:00.5000000.")]
    [InlineData("Stalls:StageThresholds:offer", "-1.00:00:00", "Stalls.StageThresholds['offer'] must be a strictly positive duration under a stage key; got -1.00:00:00.")]
    [InlineData("Forecast:HistoryWindow", "23:59:59", "Forecast.HistoryWindow must be between 1 day and 3650 days, both inclusive; got 23:59:59.")]
    [InlineData("Forecast:MinimumDepartures", "0", "Forecast.MinimumDepartures")]
    public async Task Options_OutOfRange_FailAtStartNamingTheSetting(string key, string value, string message)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [$"FunnelMetrics:{key}"] = value }).Build();
        await using var provider = new ServiceCollection().AddFunnelMetrics(configuration.GetSection("FunnelMetrics")).Services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<FunnelMetricsOptions>>().Value);

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_AreValidatedOnStart()
    {
        await using var provider = new ServiceCollection().AddFunnelMetrics(o => o.Recording.ConcurrencyRetries = 99).Services.BuildServiceProvider();

        var startValidator = provider.GetRequiredService<IStartupValidator>();

        Assert.Contains("Recording.ConcurrencyRetries", Assert.Throws<OptionsValidationException>(startValidator.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_WithAMissingSection_FailValidationNamingIt()
    {
        var result = FunnelMetricsOptionsValidator.Instance.Validate(null, new FunnelMetricsOptions { Stalls = null!, Conversion = null! });

        Assert.True(result.Failed);
        Assert.Contains("FunnelMetricsOptions.Stalls", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("FunnelMetricsOptions.Conversion", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Services_BuiltByHand_ValidateTheirOptions_NamingTheSetting()
    {
        var store = new InMemoryFunnelStore();
        var badRecording = Options.Create(new RecordingOptions { ConcurrencyRetries = 11 });
        var badGraph = Options.Create(new FunnelMetricsOptions { TimeZone = "Nowhere/Atlantis" });
        badGraph.Value.Stalls.MinimumVisits = 0;

        var recorder = Assert.Throws<OptionsValidationException>(() => new FunnelRecorder(store.Pipelines, store.Clients, store.Events, TimeProvider.System, badRecording));
        var importer = Assert.Throws<OptionsValidationException>(() => new FunnelImporter(store.Pipelines, store.Clients, store.Events, TimeProvider.System, badRecording));
        var analytics = Assert.Throws<OptionsValidationException>(() => new FunnelAnalytics(store.Pipelines, store.Clients, store.Events, TimeProvider.System, badGraph));

        Assert.Contains("Recording.ConcurrencyRetries", recorder.Message, StringComparison.Ordinal);
        Assert.Contains("Recording.ConcurrencyRetries", importer.Message, StringComparison.Ordinal);
        Assert.Contains("Stalls.MinimumVisits", analytics.Message, StringComparison.Ordinal);
        Assert.Contains("TimeZone 'Nowhere/Atlantis'", analytics.Message, StringComparison.Ordinal);
        _ = new FunnelAnalytics(store.Pipelines, store.Clients, store.Events, TimeProvider.System, Options.Create(new FunnelMetricsOptions()));
    }

    private sealed class CountingEventStore : IFunnelEventStore
    {
        private readonly InMemoryFunnelEventStore _inner = new();

        public Task<long> AppendAsync(ClientId clientId, long expectedVersion, IReadOnlyList<ClientEvent> events, CancellationToken cancellationToken = default) => _inner.AppendAsync(clientId, expectedVersion, events, cancellationToken);

        public IAsyncEnumerable<ClientEvent> ReadClientAsync(ClientId clientId, CancellationToken cancellationToken = default) => _inner.ReadClientAsync(clientId, cancellationToken);

        public ValueTask<ClientEvent?> FindAsync(ClientEventId eventId, CancellationToken cancellationToken = default) => _inner.FindAsync(eventId, cancellationToken);

        public IAsyncEnumerable<ClientEvent> ReadPipelineAsync(PipelineId pipelineId, PipelineEventQuery query, CancellationToken cancellationToken = default) => _inner.ReadPipelineAsync(pipelineId, query, cancellationToken);
    }
}
