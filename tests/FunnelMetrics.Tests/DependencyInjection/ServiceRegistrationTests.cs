using FunnelMetrics.DependencyInjection;
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
        Assert.Equal(FunnelMetricsOptions.DefaultFutureTolerance, provider.GetRequiredService<IOptions<FunnelMetricsOptions>>().Value.FutureTolerance);
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
    public void Options_BindFromAConfigurationSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FunnelMetrics:FutureTolerance"] = "00:15:00",
            ["FunnelMetrics:ConcurrencyRetries"] = "3",
        }).Build();

        using var provider = new ServiceCollection().AddFunnelMetrics(configuration.GetSection(FunnelMetricsOptions.SectionName)).Services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<FunnelMetricsOptions>>().Value;
        Assert.Equal(TimeSpan.FromMinutes(15), options.FutureTolerance);
        Assert.Equal(3, options.ConcurrencyRetries);
    }

    [Theory]
    [InlineData("FutureTolerance", "2.00:00:00")]
    [InlineData("FutureTolerance", "-00:00:01")]
    [InlineData("ConcurrencyRetries", "11")]
    [InlineData("ConcurrencyRetries", "-1")]
    public async Task Options_OutOfRange_FailAtStartNamingTheSetting(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [$"FunnelMetrics:{key}"] = value }).Build();
        await using var provider = new ServiceCollection().AddFunnelMetrics(configuration.GetSection("FunnelMetrics")).Services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<FunnelMetricsOptions>>().Value);

        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_AreValidatedOnStart()
    {
        await using var provider = new ServiceCollection().AddFunnelMetrics(o => o.ConcurrencyRetries = 99).Services.BuildServiceProvider();

        var startValidator = provider.GetRequiredService<IStartupValidator>();

        Assert.Contains("ConcurrencyRetries", Assert.Throws<OptionsValidationException>(startValidator.Validate).Message, StringComparison.Ordinal);
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
