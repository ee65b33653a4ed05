using FunnelMetrics.Recording;
using FunnelMetrics.Storage;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FunnelMetrics.Tests.Support;

/// <summary>A recorder over a fresh in-memory store with a fake clock set to <see cref="Seed.T0"/> + 30 days.</summary>
internal sealed class RecorderHarness
{
    public RecorderHarness(RecordingOptions? options = null, IFunnelEventStore? events = null)
    {
        Clock = new FakeTimeProvider(Seed.T0.AddDays(30));
        Events = events ?? Store.Events;
        Recorder = new FunnelRecorder(Store.Pipelines, Store.Clients, Events, Clock, Options.Create(options ?? new RecordingOptions()));
    }

    public InMemoryFunnelStore Store { get; } = new();

    public IFunnelEventStore Events { get; }

    public FakeTimeProvider Clock { get; }

    public FunnelRecorder Recorder { get; }

    public static async Task<RecorderHarness> WithSeedAsync(RecordingOptions? options = null, IFunnelEventStore? events = null)
    {
        var harness = new RecorderHarness(options, events);
        await harness.Store.Pipelines.AddAsync(Seed.Pipeline);
        return harness;
    }

    public async Task<ClientId> AddClientAsync(string id, DateTimeOffset? createdAt = null)
    {
        var client = await Recorder.AddClientAsync(Seed.NewClient(id, createdAt));
        return client.Id;
    }

    /// <summary>Every stored event, grouped per client in sequence order, for before/after comparisons.</summary>
    public async Task<string> SnapshotAsync()
    {
        var lines = new List<string>();
        await foreach (var pipeline in Store.Pipelines.ListAsync())
        {
            lines.Add(pipeline.ToString());
            await foreach (var client in Store.Clients.ListAsync(pipeline.Id))
            {
                lines.Add(client.ToString());
                await foreach (var e in Store.Events.ReadClientAsync(client.Id))
                {
                    lines.Add(System.Text.Json.JsonSerializer.Serialize(e, FunnelMetrics.Serialization.FunnelMetricsJsonContext.Default.ClientEvent));
                    lines.Add($"find {e.Id}: {(await Store.Events.FindAsync(e.Id))?.Sequence}");
                }
            }

            await foreach (var e in Store.Events.ReadPipelineAsync(pipeline.Id, PipelineEventQuery.All))
            {
                lines.Add($"pipeline {pipeline.Id}: {e.Id}");
            }
        }

        lines.Add($"events={Store.Events.Count} clients={Store.Clients.Count}");
        return string.Join('\n', lines);
    }

    /// <summary>The pipeline's whole stored history as an event log.</summary>
    public async Task<FunnelMetrics.Metrics.FunnelEventLog> LogAsync(PipelineDefinition? pipeline = null)
    {
        pipeline ??= Seed.Pipeline;
        return FunnelMetrics.Metrics.FunnelEventLog.Build(
            pipeline,
            await Store.Clients.ListAsync(pipeline.Id).ToListAsync(),
            await Store.Events.ReadPipelineAsync(pipeline.Id, FunnelMetrics.Storage.PipelineEventQuery.All).ToListAsync());
    }

    public async Task<List<ClientEvent>> EventsOfAsync(ClientId clientId)
    {
        var list = new List<ClientEvent>();
        await foreach (var e in Store.Events.ReadClientAsync(clientId))
        {
            list.Add(e);
        }

        return list;
    }
}
