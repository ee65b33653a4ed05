using FunnelMetrics.Metrics;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Support;

/// <summary>
/// The history of the worked example of docs/metrics.md, recorded once; each metric's <c>DocsWorkedExampleTests</c>
/// (in <c>Metrics/&lt;Metric&gt;Tests/</c>) checks its figures, figure by figure.
/// </summary>
internal static class DocsWorkedExample
{
    internal static DateTimeOffset At(int day, int hour) => new(2026, 3, day, hour, 0, 0, TimeSpan.Zero);

    internal static readonly Lazy<Task<FunnelEventLog>> Log = new(BuildAsync);

    private static async Task<FunnelEventLog> BuildAsync()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var r = h.Recorder;
        Client Add(string id, OwnerId owner, decimal? value, int day = 2) => new(new ClientId(id), SalesId, owner, At(day, 8), value);
        var acme = (await r.AddClientAsync(Add("acme", Anna, 10_000m))).Id;
        var bolt = (await r.AddClientAsync(Add("bolt", Anna, 6_000m))).Id;
        var cobalt = (await r.AddClientAsync(Add("cobalt", Boris, 8_000m))).Id;
        var delta = (await r.AddClientAsync(Add("delta", Boris, null))).Id;
        var echo = (await r.AddClientAsync(Add("echo", Boris, null, 5))).Id;

        await r.MoveAsync(acme, DecisionMaker, At(2, 9));
        await r.MoveAsync(acme, Interest, At(2, 15));
        await r.MoveAsync(acme, Requirements, At(3, 11));
        await r.MoveAsync(acme, Offer, At(4, 11));
        await r.MoveAsync(acme, Terms, At(5, 15));
        await r.MoveAsync(acme, Contract, At(6, 11));

        await r.MoveAsync(bolt, DecisionMaker, At(2, 10));
        await r.MoveAsync(bolt, Interest, At(3, 10));
        await r.MoveAsync(bolt, Meeting, At(3, 10));
        await r.MoveAsync(bolt, Requirements, At(4, 9));
        await r.MoveAsync(bolt, Meeting, At(5, 9));
        await r.MarkLostAsync(bolt, occurredAt: At(6, 9));

        await r.MoveAsync(cobalt, Interest, At(2, 11));
        await r.MoveAsync(cobalt, Meeting, At(3, 14));
        await r.MarkLostAsync(cobalt, occurredAt: At(4, 12));
        await r.ReopenAsync(cobalt, Meeting, At(5, 10));
        await r.RecordActivityAsync(cobalt, "call", At(6, 13));

        await r.MoveAsync(delta, DecisionMaker, At(3, 9));
        await r.MoveAsync(delta, Interest, At(3, 16));
        await r.MoveAsync(delta, Meeting, At(4, 16));
        await r.ReassignAsync(delta, Anna, At(5, 12));

        await r.RecordActivityAsync(echo, "call", At(5, 16));

        var events = await h.Store.Events.ReadPipelineAsync(SalesId, FunnelMetrics.Storage.PipelineEventQuery.All).ToListAsync();
        return FunnelEventLog.Build(Pipeline, await h.Store.Clients.ListAsync(SalesId).ToListAsync(), events);
    }
}
