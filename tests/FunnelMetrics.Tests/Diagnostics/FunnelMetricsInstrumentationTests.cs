using System.Diagnostics.Metrics;
using FunnelMetrics.Analytics;
using FunnelMetrics.Diagnostics;
using FunnelMetrics.Import;
using FunnelMetrics.Metrics;
using FunnelMetrics.Recording;
using FunnelMetrics.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Diagnostics;

/// <summary>The FunnelMetrics meter, read with <see cref="MetricCollector{T}"/>: every figure computed by hand.</summary>
public sealed class FunnelMetricsInstrumentationTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(T0.AddDays(10));
    private readonly ServiceProvider _provider;

    public FunnelMetricsInstrumentationTests()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddFunnelMetrics(o => o.Stalls.DefaultThreshold = TimeSpan.FromDays(5));
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        _provider.GetRequiredService<InMemoryFunnelStore>().Pipelines.AddAsync(Pipeline).GetAwaiter().GetResult();
    }

    private IMeterFactory Meters => _provider.GetRequiredService<IMeterFactory>();

    public void Dispose() => _provider.Dispose();

    [Fact]
    public void TheMeter_IsCreatedThroughTheFactory_WithoutAHost()
    {
        using var collector = new MetricCollector<long>(Meters, "FunnelMetrics", "funnelmetrics.recorder.events");

        var instrumentation = _provider.GetRequiredService<FunnelMetricsInstrumentation>();

        Assert.Same(instrumentation, _provider.GetRequiredService<FunnelMetricsInstrumentation>());
        Assert.NotNull(collector.Instrument);
        Assert.Equal("FunnelMetrics", collector.Instrument.Meter.Name);
        Assert.Equal("{event}", collector.Instrument.Unit);
        Assert.Equal(FunnelMetricsInstrumentation.MeterName, collector.Instrument.Meter.Name);
    }

    [Fact]
    public async Task TheRecorder_CountsEachStoredEventOnce_ByKindAndStage_AndEachRefusalByRule()
    {
        using var events = new MetricCollector<long>(Meters, "FunnelMetrics", "funnelmetrics.recorder.events");
        using var refusals = new MetricCollector<long>(Meters, "FunnelMetrics", "funnelmetrics.refusals");
        await using var scope = _provider.CreateAsyncScope();
        var recorder = scope.ServiceProvider.GetRequiredService<FunnelRecorder>();
        var c = (await recorder.AddClientAsync(NewClient("c1"))).Id;

        // Three moves, the third retried with its idempotency key: the retry returns the event stored first.
        await recorder.MoveAsync(c, DecisionMaker, T0);
        await recorder.MoveAsync(c, Interest, T0.AddDays(1));
        var key = new ClientEventId("crm-42");
        var skipped = await recorder.MoveAsync(c, Offer, T0.AddDays(2), eventId: key);
        var retried = await recorder.MoveAsync(c, Offer, T0.AddDays(2), eventId: key);
        Assert.Equal((skipped.Id, skipped.Sequence), (retried.Id, retried.Sequence));

        // One refused move (already in the stage), one into a stage the pipeline does not have, one out of time order.
        await Assert.ThrowsAsync<SameStageException>(() => recorder.MoveAsync(c, Offer, T0.AddDays(3)));
        await Assert.ThrowsAsync<UnknownStageException>(() => recorder.MoveAsync(c, new StageId("nowhere"), T0.AddDays(3)));
        await Assert.ThrowsAsync<EventOrderException>(() => recorder.MoveAsync(c, Terms, T0));

        // Not a rule: an unknown client is no refusal.
        await Assert.ThrowsAsync<UnknownClientException>(() => recorder.MoveAsync(new ClientId("ghost"), Offer, T0));

        await recorder.RecordActivityAsync(c, "call", T0.AddDays(3));
        await recorder.ReassignAsync(c, Boris, T0.AddDays(4));
        await recorder.UpdateClientAsync(c, ClientChanges.None.WithValue(2000m), T0.AddDays(4));
        await recorder.MarkLostAsync(c, "budget", T0.AddDays(5));

        var counted = events.GetMeasurementSnapshot();
        Assert.Equal(
            [
                ("Entered", "decision-maker", 1L),
                ("Advanced", "interest", 1L),
                ("Skipped", "offer", 1L),
                ("Activity", null, 1L),
                ("Reassignment", null, 1L),
                ("Update", null, 1L),
                ("Lost", "offer", 1L),
            ],
            counted.Select(m => ((string?)m.Tags["funnelmetrics.event.kind"], (string?)m.Tags.GetValueOrDefault("funnelmetrics.stage.key"), m.Value)));
        Assert.All(counted, m => Assert.Equal("sales", m.Tags["funnelmetrics.pipeline.id"]));
        Assert.All(counted, m => Assert.DoesNotContain(m.Tags.Values, v => v is string s && s.Contains("c1", StringComparison.Ordinal)));

        Assert.Equal(
            [("SameStage", 1L), ("UnknownStage", 1L), ("EventBeforePreviousEvent", 1L)],
            refusals.GetMeasurementSnapshot().Select(m => ((string?)m.Tags["funnelmetrics.rule"], m.Value)));
        Assert.All(refusals.GetMeasurementSnapshot(), m => Assert.Equal(("sales", "recorder"), ((string?)m.Tags["funnelmetrics.pipeline.id"], (string?)m.Tags["funnelmetrics.refusal.source"])));
    }

    [Fact]
    public async Task CountingAStoredEvent_AllocatesNothing_WhileAListenerIsEnabled()
    {
        var instrumentation = _provider.GetRequiredService<FunnelMetricsInstrumentation>();
        await using var scope = _provider.CreateAsyncScope();
        var recorder = scope.ServiceProvider.GetRequiredService<FunnelRecorder>();
        var c = (await recorder.AddClientAsync(NewClient("c1"))).Id;
        ClientEvent[] recorded = [await recorder.MoveAsync(c, Meeting, T0), await recorder.RecordActivityAsync(c, "call", T0)];
        long counted = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "FunnelMetrics" && instrument.Name == "funnelmetrics.recorder.events")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => counted += value);
        listener.Start();
        foreach (var e in recorded)
        {
            instrumentation.EventStored(e);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            instrumentation.EventStored(recorded[i % 2]);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(1002, counted);
    }

    [Fact]
    public async Task AddingAClientInTheFuture_IsARefusal()
    {
        using var refusals = new MetricCollector<long>(Meters, "FunnelMetrics", "funnelmetrics.refusals");
        await using var scope = _provider.CreateAsyncScope();
        var recorder = scope.ServiceProvider.GetRequiredService<FunnelRecorder>();

        await Assert.ThrowsAsync<FutureEventException>(() => recorder.AddClientAsync(NewClient("late", _time.GetUtcNow().AddDays(1))));

        var refusal = Assert.Single(refusals.GetMeasurementSnapshot());
        Assert.Equal(("EventInFuture", "sales", 1L), ((string?)refusal.Tags["funnelmetrics.rule"], (string?)refusal.Tags["funnelmetrics.pipeline.id"], refusal.Value));
    }

    [Fact]
    public async Task ARecorderBuiltWithoutInstrumentation_MeasuresNothing()
    {
        using var events = new MetricCollector<long>(Meters, "FunnelMetrics", "funnelmetrics.recorder.events");
        var store = _provider.GetRequiredService<InMemoryFunnelStore>();
        var recorder = new FunnelRecorder(store.Pipelines, store.Clients, store.Events, _time, Microsoft.Extensions.Options.Options.Create(new RecordingOptions()));
        _ = _provider.GetRequiredService<FunnelMetricsInstrumentation>();

        await recorder.AddClientAsync(NewClient("c1"));
        await recorder.MoveAsync(new ClientId("c1"), Meeting, T0);

        Assert.Equal(1, store.Events.Count);
        Assert.Empty(events.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task TheImporter_CountsRowsReadStoredAndRefused_AndRuleProblemsAsRefusals()
    {
        using var read = new MetricCollector<long>(Meters, "FunnelMetrics", "funnelmetrics.import.rows.read");
        using var stored = new MetricCollector<long>(Meters, "FunnelMetrics", "funnelmetrics.import.rows.stored");
        using var refused = new MetricCollector<long>(Meters, "FunnelMetrics", "funnelmetrics.import.rows.refused");
        using var refusals = new MetricCollector<long>(Meters, "FunnelMetrics", "funnelmetrics.refusals");
        await using var scope = _provider.CreateAsyncScope();
        var importer = scope.ServiceProvider.GetRequiredService<FunnelImporter>();
        ImportRecord[] good =
        [
            new(new ClientId("i1"), ImportAction.ReachedStage, Meeting, T0, Anna),
            new(new ClientId("i1"), ImportAction.ReachedStage, Offer, T0.AddDays(1), Anna),
            new(new ClientId("i2"), ImportAction.ReachedStage, Interest, T0, Boris),
        ];

        // Stored: 3 rows; the same import again: 3 rows read, none stored anew.
        Assert.True((await importer.ImportAsync(SalesId, good)).Succeeded);
        Assert.True((await importer.ImportAsync(SalesId, good)).Succeeded);
        Assert.Equal([3L, 3L], read.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.Equal([3L, 0L], stored.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.Equal([0L, 0L], refused.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.Empty(refusals.GetMeasurementSnapshot());

        // Refused: an entry straight into the won stage (a rule), a stage the pipeline lacks (a record problem, no rule),
        // and a good row that is not stored either, since nothing is.
        ImportRecord[] bad =
        [
            new(new ClientId("i3"), ImportAction.ReachedStage, Contract, T0, Anna),
            new(new ClientId("i4"), ImportAction.ReachedStage, new StageId("nowhere"), T0, Anna),
            new(new ClientId("i5"), ImportAction.ReachedStage, Meeting, T0, Anna),
        ];
        var result = await importer.ImportAsync(SalesId, bad);
        Assert.Equal(2, result.Problems.Count);
        Assert.Equal(3L, read.LastMeasurement!.Value);
        Assert.Equal(0L, stored.LastMeasurement!.Value);
        Assert.Equal(2L, refused.LastMeasurement!.Value);
        var refusal = Assert.Single(refusals.GetMeasurementSnapshot());
        Assert.Equal(("EntryIntoWonStage", "importer", "sales", 1L), ((string?)refusal.Tags["funnelmetrics.rule"], (string?)refusal.Tags["funnelmetrics.refusal.source"], (string?)refusal.Tags["funnelmetrics.pipeline.id"], refusal.Value));
        Assert.All(read.GetMeasurementSnapshot(), m => Assert.Equal("sales", m.Tags["funnelmetrics.pipeline.id"]));
    }

    [Fact]
    public async Task TheStageGauges_ReadTheWarmModelsLatestSnapshot_AsOfNow_AndNothingForAPipelineNotServed()
    {
        using var inWork = new MetricCollector<int>(Meters, "FunnelMetrics", "funnelmetrics.stage.client.count");
        using var stalled = new MetricCollector<int>(Meters, "FunnelMetrics", "funnelmetrics.stage.stalled_client.count");
        var registry = _provider.GetRequiredService<FunnelReadModelRegistry>();
        _ = _provider.GetRequiredService<FunnelMetricsInstrumentation>();
        await using var scope = _provider.CreateAsyncScope();
        var recorder = scope.ServiceProvider.GetRequiredService<FunnelRecorder>();

        // Meeting (threshold 7 days, its own): c1 there for 10 days (stalled), c2 for 1 day.
        // Offer (the options' 5 days): c3 there for 9 days (stalled). c4 won, c5 lost: not in work.
        foreach (var id in new[] { "c1", "c2", "c3", "c4", "c5" })
        {
            await recorder.AddClientAsync(NewClient(id));
        }

        await recorder.MoveAsync(new ClientId("c1"), Meeting, T0);
        await recorder.MoveAsync(new ClientId("c2"), Interest, T0);
        await recorder.MoveAsync(new ClientId("c2"), Meeting, T0.AddDays(9));
        await recorder.MoveAsync(new ClientId("c3"), Offer, T0.AddDays(1));
        await recorder.MoveAsync(new ClientId("c4"), Offer, T0);
        await recorder.MoveAsync(new ClientId("c4"), Contract, T0.AddDays(2));
        await recorder.MoveAsync(new ClientId("c5"), Meeting, T0);
        await recorder.MarkLostAsync(new ClientId("c5"), "price", T0.AddDays(3));

        // Not served yet: no value at all.
        inWork.RecordObservableInstruments();
        Assert.Empty(inWork.GetMeasurementSnapshot());

        var store = _provider.GetRequiredService<InMemoryFunnelStore>();
        var builder = new FunnelLogBuilder(Pipeline);
        var position = await new InMemoryFunnelLogSource(store.Events).LoadAsync(builder);
        var model = new FunnelReadModel(builder, position);
        registry.Add(model);

        inWork.RecordObservableInstruments();
        stalled.RecordObservableInstruments();
        Assert.Equal(
            [("decision-maker", 0), ("interest", 0), ("meeting", 2), ("requirements", 0), ("offer", 1), ("terms", 0)],
            Values(inWork.GetMeasurementSnapshot(clear: true)));
        Assert.Equal(
            [("decision-maker", 0), ("interest", 0), ("meeting", 1), ("requirements", 0), ("offer", 1), ("terms", 0)],
            Values(stalled.GetMeasurementSnapshot(clear: true)));

        // The same figures as the calculators on the snapshot, as of now.
        var counts = StageCountsCalculator.Compute(model.Snapshot.Log, _time.GetUtcNow());
        Assert.Equal(3, counts.InWork);
        Assert.Equal([0, 0, 2, 0, 1, 0], counts.Stages.Take(6).Select(s => s.Clients));

        // A move applied and published: the next collection reads the new snapshot.
        var c2ToOffer = await recorder.MoveAsync(new ClientId("c2"), Offer, T0.AddDays(10));
        model.Apply(new FunnelChange(position + 1, c2ToOffer));
        model.Publish();
        inWork.RecordObservableInstruments();
        Assert.Equal(
            [("decision-maker", 0), ("interest", 0), ("meeting", 1), ("requirements", 0), ("offer", 2), ("terms", 0)],
            Values(inWork.GetMeasurementSnapshot(clear: true)));

        // Time passes on the same snapshot: c2 stalls in offer after 5 days (the figures are read again after a second).
        _time.Advance(TimeSpan.FromDays(6));
        stalled.RecordObservableInstruments();
        Assert.Equal(
            [("decision-maker", 0), ("interest", 0), ("meeting", 1), ("requirements", 0), ("offer", 2), ("terms", 0)],
            Values(stalled.GetMeasurementSnapshot(clear: true)));

        // No longer served: no value.
        registry.Abandon(SalesId);
        inWork.RecordObservableInstruments();
        stalled.RecordObservableInstruments();
        Assert.Empty(inWork.GetMeasurementSnapshot());
        Assert.Empty(stalled.GetMeasurementSnapshot());
    }

    private static (string?, int)[] Values(IReadOnlyList<CollectedMeasurement<int>> measurements)
    {
        Assert.All(measurements, m => Assert.Equal("sales", m.Tags["funnelmetrics.pipeline.id"]));
        return [.. measurements.Select(m => ((string?)m.Tags["funnelmetrics.stage.key"], m.Value))];
    }
}
