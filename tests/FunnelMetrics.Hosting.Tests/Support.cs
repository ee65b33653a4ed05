using System.Runtime.CompilerServices;
using System.Text.Json;
using FunnelMetrics.Analytics;
using FunnelMetrics.Forecasting;
using FunnelMetrics.Metrics;
using FunnelMetrics.Recording;
using FunnelMetrics.Serialization;
using FunnelMetrics.Storage;
using Microsoft.Extensions.Options;

namespace FunnelMetrics.Hosting.Tests;

/// <summary>Every figure the dashboard shows, as one JSON text: two logs give the same text exactly when they give the same answers.</summary>
internal static class Figures
{
    public static string Of(FunnelEventLog log, DateTimeOffset asOf, FunnelMetricsOptions? options = null)
    {
        options ??= new FunnelMetricsOptions();
        var day = DateOnly.FromDateTime(asOf.UtcDateTime);
        var recent = TimeWindow.Ending(asOf, TimeSpan.FromDays(90));
        var context = FunnelMetricsJsonContext.Default;
        return string.Join(
            "\n",
            JsonSerializer.Serialize(StageCountsCalculator.Compute(log, asOf), context.StageCounts),
            JsonSerializer.Serialize(FlowLedgerCalculator.Compute(log, day.AddDays(-40), day, "UTC"), context.FlowLedger),
            JsonSerializer.Serialize(TimeInStageCalculator.Compute(log, recent), context.TimeInStage),
            JsonSerializer.Serialize(ConversionCalculator.Compute(log, recent, options: options.Conversion), context.Conversion),
            JsonSerializer.Serialize(VelocityCalculator.Compute(log, recent), context.Velocity),
            JsonSerializer.Serialize(StuckStagesCalculator.Compute(log, TimeWindow.Ending(asOf, TimeSpan.FromDays(14)), options.Stalls, options.Conversion), context.StuckStages),
            JsonSerializer.Serialize(StallCalculator.Compute(log, asOf, options.Stalls), context.StalledClients),
            JsonSerializer.Serialize(ForecastCalculator.Compute(log, asOf, options.Forecast, asOf.AddDays(30), 10), context.Forecast));
    }
}

/// <summary>Writes random histories through the recorder: new clients, moves forward and back, losses, reopens, activities, reassignments, updates, some backdated.</summary>
internal sealed class RandomWriter(FunnelRecorder recorder, PipelineDefinition pipeline, DateTimeOffset now, int seed)
{
    private readonly Random _random = new(seed);
    private readonly List<ClientId> _clients = [];
    private int _next;

    public int Written { get; private set; }

    public async Task WriteAsync(int steps)
    {
        for (var i = 0; i < steps; i++)
        {
            if (_clients.Count == 0 || _random.Next(6) == 0)
            {
                var id = new ClientId($"{pipeline.Id}-c{_next++:D5}");
                await recorder.AddClientAsync(new Client(id, pipeline.Id, new OwnerId($"o{_random.Next(3)}"), now.AddDays(-60).AddMinutes(_next), 100m * _random.Next(1, 50)));
                _clients.Add(id);
            }

            var client = _clients[_random.Next(_clients.Count)];
            var at = now.AddDays(-50).AddMinutes((i * 10) - (_random.Next(4) == 0 ? _random.Next(20_000) : 0));
            try
            {
                _ = _random.Next(10) switch
                {
                    < 5 => await recorder.MoveAsync(client, pipeline.Stages[_random.Next(pipeline.Stages.Count)].Key, at) as ClientEvent,
                    5 => await recorder.MarkLostAsync(client, "price", at),
                    6 => await recorder.ReopenAsync(client, pipeline.Stages[0].Key, at),
                    7 => await recorder.RecordActivityAsync(client, "call", at),
                    8 => await recorder.ReassignAsync(client, new OwnerId($"o{_random.Next(3)}"), at),
                    _ => await recorder.UpdateClientAsync(client, ClientChanges.None.WithValue(_random.Next(1, 90) * 10m), at),
                };
                Written++;
            }
            catch (FunnelMetricsException)
            {
                // Not allowed from the client's state or before its last event: the recorder refused it, as intended.
            }
        }
    }
}

/// <summary>The in-memory store with a recorder over it, at a fixed "now".</summary>
internal sealed class Store
{
    public static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public Store(TimeProvider? time = null)
    {
        Time = time ?? new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now);
        Recorder = new FunnelRecorder(Memory.Pipelines, Memory.Clients, Memory.Events, Time, Options.Create(new RecordingOptions()));
    }

    public static PipelineDefinition Sales { get; } = Pipeline("sales");

    public InMemoryFunnelStore Memory { get; } = new();

    public TimeProvider Time { get; }

    public FunnelRecorder Recorder { get; }

    public static PipelineDefinition Pipeline(string id) => new(new PipelineId(id), id, [new StageDefinition(new StageId("lead")), new StageDefinition(new StageId("offer")), new StageDefinition(new StageId("contract")), new StageDefinition(new StageId("won"))]);

    public FunnelAnalytics Analytics(FunnelReadModelRegistry? registry = null) =>
        new(Memory.Pipelines, Memory.Clients, Memory.Events, Time, Options.Create(new FunnelMetricsOptions()), registry);

    public async Task<RandomWriter> SeedAsync(PipelineDefinition pipeline, int steps, int seed)
    {
        await Memory.Pipelines.AddAsync(pipeline);
        var writer = new RandomWriter(Recorder, pipeline, Now, seed);
        await writer.WriteAsync(steps);
        return writer;
    }
}

/// <summary>A change feed over another that can hide changes: those after a position (a stalled store) or one event (a broken stream).</summary>
internal sealed class TamperedFeed(IFunnelChangeFeed inner) : IFunnelChangeFeed
{
    public long? VisibleUpTo { get; set; }

    public ClientEventId? Drop { get; set; }

    public ValueTask<long> ReadHeadAsync(PipelineId? pipelineId = null, CancellationToken cancellationToken = default) => inner.ReadHeadAsync(pipelineId, cancellationToken);

    public async IAsyncEnumerable<FunnelChange> ReadChangesAsync(ChangeFeedQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var change in inner.ReadChangesAsync(query, cancellationToken))
        {
            if (change.Position > VisibleUpTo)
            {
                yield break;
            }

            if (change.Event is { } e && e.Id == Drop)
            {
                continue;
            }

            yield return change;
        }
    }
}

/// <summary>Repositories over the in-memory store that count every read of clients and events.</summary>
internal sealed class CountingStore(InMemoryFunnelStore inner) : IClientRepository, IFunnelEventStore
{
    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    public Task<bool> AddAsync(Client client, CancellationToken cancellationToken = default) => inner.Clients.AddAsync(client, cancellationToken);

    public ValueTask<Client?> GetAsync(ClientId clientId, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        return inner.Clients.GetAsync(clientId, cancellationToken);
    }

    public IAsyncEnumerable<Client> ListAsync(PipelineId pipelineId, ClientId? after = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        return inner.Clients.ListAsync(pipelineId, after, limit, cancellationToken);
    }

    public IAsyncEnumerable<ClientEvent> ReadClientAsync(ClientId clientId, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        return inner.Events.ReadClientAsync(clientId, cancellationToken);
    }

    public IAsyncEnumerable<ClientEvent> ReadPipelineAsync(PipelineId pipelineId, PipelineEventQuery query, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        return inner.Events.ReadPipelineAsync(pipelineId, query, cancellationToken);
    }

    public Task<long> AppendAsync(ClientId clientId, long expectedVersion, IReadOnlyList<ClientEvent> events, CancellationToken cancellationToken = default) =>
        inner.Events.AppendAsync(clientId, expectedVersion, events, cancellationToken);

    public ValueTask<ClientEvent?> FindAsync(ClientEventId eventId, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        return inner.Events.FindAsync(eventId, cancellationToken);
    }
}
