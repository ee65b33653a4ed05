using System.Collections.Concurrent;
using FunnelMetrics.Analytics;
using FunnelMetrics.Metrics;
using FunnelMetrics.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FunnelMetrics.Hosting.Tests;

/// <summary>A generic host with FunnelMetrics over a test's store and the hosted read model.</summary>
internal static class TestHost
{
    public static IHost Build(Store store, Action<IServiceCollection>? services = null, Action<FunnelReadModelOptions>? configure = null, ListLogger? logger = null, Action<IServiceCollection>? after = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton(store.Memory);
        if (logger is not null)
        {
            builder.Services.AddLogging(l => l.AddProvider(logger));
        }

        services?.Invoke(builder.Services);
        builder.Services.AddFunnelMetrics().AddHostedReadModel(configure ?? (_ => { }));
        after?.Invoke(builder.Services);
        return builder.Build();
    }

    public static FunnelReadModelService Service(this IHost host) => host.Services.GetRequiredService<FunnelReadModelService>();

    public static FunnelReadModelRegistry Registry(this IHost host) => host.Services.GetRequiredService<FunnelReadModelRegistry>();

    public static async Task<HealthReportEntry> HealthAsync(this IHost host)
    {
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == FunnelReadModelOptions.HealthCheckName);
        return report.Entries[FunnelReadModelOptions.HealthCheckName];
    }

    /// <summary>Waits until the pipeline's published snapshot reflects the store's head (of the pipeline).</summary>
    public static async Task<FunnelSnapshot> CaughtUpAsync(this IHost host, Store store, PipelineId pipeline, TimeSpan? patience = null)
    {
        var head = await store.Memory.Feed.ReadHeadAsync(pipeline);
        using var guard = new CancellationTokenSource(patience ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            if (host.Registry().TryGet(pipeline, out var model) && model.Snapshot.Position >= head)
            {
                return model.Snapshot;
            }

            await Task.Delay(10, guard.Token);
        }
    }
}

/// <summary>Keeps every log message, for assertions.</summary>
internal sealed class ListLogger : ILoggerProvider, ILogger
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Messages { get; } = new();

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Messages.Enqueue((logLevel, formatter(state, exception)));

    public void Dispose()
    {
    }
}

/// <summary>A fast load over the in-memory store, as a store's IFunnelLogSource would be: the pipeline's changes up to the head read first.</summary>
internal sealed class FeedLogSource(InMemoryFunnelStore store) : IFunnelLogSource
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public async Task<long> LoadAsync(FunnelLogBuilder builder, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        var head = await store.Feed.ReadHeadAsync(null, cancellationToken);
        await foreach (var change in store.Feed.ReadChangesAsync(new ChangeFeedQuery { PipelineId = builder.Pipeline.Id }, cancellationToken))
        {
            if (change.Position > head)
            {
                break;
            }

            if (change.Client is { } client)
            {
                builder.Add(client);
            }
            else
            {
                builder.Append(change.Event!);
            }
        }

        return head;
    }
}

/// <summary>Snapshots kept in memory, as a snapshot file package keeps them on disk.</summary>
internal sealed class MemorySnapshotStore : IFunnelSnapshotStore
{
    public ConcurrentDictionary<PipelineId, FunnelSnapshot> Saved { get; } = new();

    public int Loads { get; private set; }

    public ValueTask<FunnelSnapshot?> LoadAsync(PipelineDefinition pipeline, CancellationToken cancellationToken = default)
    {
        Loads++;
        return ValueTask.FromResult(Saved.TryGetValue(pipeline.Id, out var s) ? s : null);
    }

    public ValueTask SaveAsync(FunnelSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        Saved[snapshot.Log.Pipeline.Id] = snapshot;
        return ValueTask.CompletedTask;
    }
}
