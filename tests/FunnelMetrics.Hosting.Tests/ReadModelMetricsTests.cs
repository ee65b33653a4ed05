using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using FunnelMetrics.Analytics;
using FunnelMetrics.Metrics;
using FunnelMetrics.Recording;
using FunnelMetrics.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry.Metrics;

namespace FunnelMetrics.Hosting.Tests;

/// <summary>The hosted read model's instruments on the FunnelMetrics meter: its lag and its load time, with a fake clock.</summary>
public sealed class ReadModelMetricsTests
{
    [Fact]
    public async Task TheLagGauges_ShowTheEventsAndSecondsBehindTheStoresHead()
    {
        var time = new FakeTimeProvider(Store.Now);
        var store = new Store(time);
        var writer = await store.SeedAsync(Store.Sales, 200, 61);
        var feed = new TamperedFeed(store.Memory.Feed) { VisibleUpTo = await store.Memory.Feed.ReadHeadAsync() };
        using var host = TestHost.Build(store, services =>
        {
            services.AddSingleton<TimeProvider>(time);
            services.AddSingleton<IFunnelChangeFeed>(feed);
        });
        using var events = new MetricCollector<long>(Meters(host), "FunnelMetrics", "funnelmetrics.read_model.events_behind");
        using var seconds = new MetricCollector<double>(Meters(host), "FunnelMetrics", "funnelmetrics.read_model.time_behind");
        await host.StartAsync();
        await host.Service().WaitForReadyAsync().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal((0L, 0.0), Observe(events, seconds));

        // The store moves on by 40 steps; the model sees none of it (a feed stalled at the old head).
        await writer.WriteAsync(40);
        var behind = await store.Memory.Feed.ReadHeadAsync(Store.Sales.Id) - feed.VisibleUpTo!.Value;
        Assert.True(behind > 0);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal((behind, 0.0), Observe(events, seconds));

        time.Advance(TimeSpan.FromSeconds(40));
        Assert.Equal((behind, 40.0), Observe(events, seconds));

        // The feed shows the rest: the model catches up and the lag is gone.
        feed.VisibleUpTo = null;
        var head = await store.Memory.Feed.ReadHeadAsync(Store.Sales.Id);
        using (var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            while (host.Registry().TryGet(Store.Sales.Id, out var model) && model.Snapshot.Position < head)
            {
                time.Advance(TimeSpan.FromMilliseconds(250));
                await Task.Delay(10, guard.Token);
            }
        }

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal((0L, 0.0), Observe(events, seconds));

        // Stopped: no lag to report.
        await host.StopAsync();
        time.Advance(TimeSpan.FromSeconds(2));
        events.RecordObservableInstruments();
        Assert.Empty(events.GetMeasurementSnapshot(clear: true));
    }

    [Theory]
    [InlineData("fast_load", 3)]
    [InlineData("feed", 2)]
    [InlineData("snapshot_file", 1)]
    public async Task TheLoadTime_IsRecordedOncePerPipeline_InSeconds_TaggedByLoadPath(string path, int seconds)
    {
        var time = new FakeTimeProvider(Store.Now);
        var store = new Store(time);
        await store.SeedAsync(Store.Sales, 100, 91);
        var builder = new FunnelLogBuilder(Store.Sales);
        var position = await new InMemoryFunnelLogSource(store.Memory.Events).LoadAsync(builder);
        var advance = TimeSpan.FromSeconds(seconds);
        using var host = TestHost.Build(
            store,
            services =>
            {
                services.AddSingleton<TimeProvider>(time);
                switch (path)
                {
                    case "fast_load":
                        services.AddSingleton<IFunnelLogSource>(new SlowLogSource(new InMemoryFunnelLogSource(store.Memory.Events), time, advance));
                        break;
                    case "feed":
                        services.AddSingleton<IFunnelChangeFeed>(new SlowFeed(store.Memory.Feed, time, advance));
                        break;
                    default:
                        services.AddSingleton<IFunnelSnapshotStore>(new SlowSnapshotStore(new FunnelSnapshot(builder.ToLog(), position), time, advance));
                        break;
                }
            },
            after: services =>
            {
                if (path == "feed")
                {
                    services.RemoveAll<IFunnelLogSource>();
                }
            });
        using var loads = new MetricCollector<double>(Meters(host), "FunnelMetrics", "funnelmetrics.read_model.load.duration");
        await host.StartAsync();
        await host.Service().WaitForReadyAsync().WaitAsync(TimeSpan.FromSeconds(20));

        var load = Assert.Single(loads.GetMeasurementSnapshot());
        Assert.Equal((double)seconds, load.Value);
        Assert.Equal((path, "sales"), ((string?)load.Tags["funnelmetrics.read_model.load.path"], (string?)load.Tags["funnelmetrics.pipeline.id"]));
        Assert.Equal("s", loads.Instrument!.Unit);
        await host.StopAsync();
    }

    [Fact]
    public async Task OpenTelemetry_ExportsEveryInstrument_ThroughAddMeter()
    {
        var time = new FakeTimeProvider(Store.Now);
        var store = new Store(time);
        await store.SeedAsync(Store.Sales, 100, 95);
        var exported = new List<Metric>();
        using var host = TestHost.Build(
            store,
            services => services.AddSingleton<TimeProvider>(time),
            after: services => services.AddOpenTelemetry().WithMetrics(m => m.AddMeter("FunnelMetrics").AddInMemoryExporter(exported)));
        await host.StartAsync();
        await host.Service().WaitForReadyAsync().WaitAsync(TimeSpan.FromSeconds(20));
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var recorder = scope.ServiceProvider.GetRequiredService<FunnelRecorder>();
            var client = await recorder.AddClientAsync(new Client(new ClientId("otel-1"), Store.Sales.Id, new OwnerId("o1"), Store.Now.AddDays(-1)));
            await recorder.MoveAsync(client.Id, new StageId("offer"), Store.Now.AddHours(-1));
        }

        var head = await store.Memory.Feed.ReadHeadAsync(Store.Sales.Id);
        using (var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            while (host.Registry().TryGet(Store.Sales.Id, out var model) && model.Snapshot.Position < head)
            {
                time.Advance(TimeSpan.FromMilliseconds(250));
                await Task.Delay(10, guard.Token);
            }
        }

        Assert.True(host.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000));
        var metrics = exported.ToDictionary(m => m.Name);
        Assert.Equal(
            ["funnelmetrics.read_model.events_behind", "funnelmetrics.read_model.load.duration", "funnelmetrics.read_model.time_behind", "funnelmetrics.recorder.events", "funnelmetrics.stage.client.count", "funnelmetrics.stage.stalled_client.count"],
            metrics.Keys.Order(StringComparer.Ordinal));

        var moved = Assert.Single(Points(metrics["funnelmetrics.recorder.events"]));
        Assert.Equal(1L, moved.Point.GetSumLong());
        Assert.Equal(("Entered", "offer", "sales"), ((string?)moved.Tags["funnelmetrics.event.kind"], (string?)moved.Tags["funnelmetrics.stage.key"], (string?)moved.Tags["funnelmetrics.pipeline.id"]));

        // The gauges: the calculators on the published snapshot as of the fake now; the won stage is not "in work".
        host.Registry().TryGet(Store.Sales.Id, out var served);
        var counts = StageCountsCalculator.Compute(served!.Snapshot.Log, time.GetUtcNow());
        Assert.Equal(
            counts.Stages.Where(s => s.Stage != Store.Sales.WonStage).Select(s => (s.Stage.Value, (long)s.Clients)),
            Points(metrics["funnelmetrics.stage.client.count"]).Select(p => ((string)p.Tags["funnelmetrics.stage.key"]!, p.Point.GetGaugeLastValueLong())));
        Assert.Equal(0L, Assert.Single(Points(metrics["funnelmetrics.read_model.events_behind"])).Point.GetGaugeLastValueLong());
        Assert.Equal(1L, Assert.Single(Points(metrics["funnelmetrics.read_model.load.duration"])).Point.GetHistogramCount());
        Assert.Equal("fast_load", Assert.Single(Points(metrics["funnelmetrics.read_model.load.duration"])).Tags["funnelmetrics.read_model.load.path"]);
        await host.StopAsync();
    }

    private static List<(MetricPoint Point, Dictionary<string, object?> Tags)> Points(Metric metric)
    {
        var points = new List<(MetricPoint, Dictionary<string, object?>)>();
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var tag in point.Tags)
            {
                tags[tag.Key] = tag.Value;
            }

            points.Add((point, tags));
        }

        return points;
    }

    private static IMeterFactory Meters(IHost host) => host.Services.GetRequiredService<IMeterFactory>();

    private static (long Events, double Seconds) Observe(MetricCollector<long> events, MetricCollector<double> seconds)
    {
        events.RecordObservableInstruments();
        seconds.RecordObservableInstruments();
        var e = Assert.Single(events.GetMeasurementSnapshot(clear: true));
        var s = Assert.Single(seconds.GetMeasurementSnapshot(clear: true));
        Assert.Equal("sales", e.Tags["funnelmetrics.pipeline.id"]);
        Assert.Equal("sales", s.Tags["funnelmetrics.pipeline.id"]);
        return (e.Value, s.Value);
    }

    /// <summary>A fast load that takes a known time on the fake clock.</summary>
    private sealed class SlowLogSource(IFunnelLogSource inner, FakeTimeProvider time, TimeSpan takes) : IFunnelLogSource
    {
        public async Task<long> LoadAsync(FunnelLogBuilder builder, CancellationToken cancellationToken = default)
        {
            var position = await inner.LoadAsync(builder, cancellationToken);
            time.Advance(takes);
            return position;
        }
    }

    /// <summary>A saved snapshot that takes a known time to read on the fake clock.</summary>
    private sealed class SlowSnapshotStore(FunnelSnapshot saved, FakeTimeProvider time, TimeSpan takes) : IFunnelSnapshotStore
    {
        public ValueTask<FunnelSnapshot?> LoadAsync(PipelineDefinition pipeline, CancellationToken cancellationToken = default)
        {
            time.Advance(takes);
            return ValueTask.FromResult<FunnelSnapshot?>(saved);
        }

        public ValueTask SaveAsync(FunnelSnapshot snapshot, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }

    /// <summary>A feed whose first read (the load's catch-up from position 0) takes a known time on the fake clock.</summary>
    private sealed class SlowFeed(IFunnelChangeFeed inner, FakeTimeProvider time, TimeSpan takes) : IFunnelChangeFeed
    {
        private int _reads;

        public ValueTask<long> ReadHeadAsync(PipelineId? pipelineId = null, CancellationToken cancellationToken = default) => inner.ReadHeadAsync(pipelineId, cancellationToken);

        public async IAsyncEnumerable<FunnelChange> ReadChangesAsync(ChangeFeedQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var change in inner.ReadChangesAsync(query, cancellationToken))
            {
                yield return change;
            }

            if (Interlocked.Increment(ref _reads) == 1)
            {
                time.Advance(takes);
            }
        }
    }
}
