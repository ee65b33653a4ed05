using FunnelMetrics.Metrics;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Support;

/// <summary>
/// A small history on the seven seed stages, its figures computed by hand (times UTC; Monday 2 March 2026):
/// A (anna): enters decision-maker Mon 09:00, interest Tue 09:00, skips to offer Wed 09:00, regresses to requirements
/// Thu 09:00, an activity Thu 12:00, wins Fri 09:00.
/// B (anna): enters Mon 10:00, interest and meeting both at Tue 10:00, lost ("price") Wed 10:00, reopened into interest Fri 10:00.
/// C (boris): enters at interest Mon 11:00, handed to anna Tue 11:00, meeting Wed 11:00.
/// D (boris): never enters; an activity Tue 12:00.
/// Each metric's <c>WorkedExampleTests</c> (in <c>Metrics/&lt;Metric&gt;Tests/</c>) checks its figures for this history.
/// </summary>
internal static class WorkedExample
{
    internal static readonly DateTimeOffset Mon = T0.AddHours(-9); // 2026-03-02T00:00Z

    internal static async Task<FunnelEventLog> HistoryAsync()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var r = h.Recorder;
        var a = (await r.AddClientAsync(NewClient("A", Mon))).Id;
        var b = (await r.AddClientAsync(NewClient("B", Mon))).Id;
        var c = (await r.AddClientAsync(NewClient("C", Mon, Boris))).Id;
        var d = (await r.AddClientAsync(NewClient("D", Mon, Boris))).Id;

        await r.MoveAsync(a, DecisionMaker, Mon.AddHours(9));
        await r.MoveAsync(b, DecisionMaker, Mon.AddHours(10));
        await r.MoveAsync(c, Interest, Mon.AddHours(11));
        await r.MoveAsync(a, Interest, Mon.AddDays(1).AddHours(9));
        await r.MoveAsync(b, Interest, Mon.AddDays(1).AddHours(10));
        await r.MoveAsync(b, Meeting, Mon.AddDays(1).AddHours(10));
        await r.ReassignAsync(c, Anna, Mon.AddDays(1).AddHours(11));
        await r.RecordActivityAsync(d, "call", Mon.AddDays(1).AddHours(12));
        await r.MoveAsync(a, Offer, Mon.AddDays(2).AddHours(9));
        await r.MarkLostAsync(b, "price", Mon.AddDays(2).AddHours(10));
        await r.MoveAsync(c, Meeting, Mon.AddDays(2).AddHours(11));
        await r.MoveAsync(a, Requirements, Mon.AddDays(3).AddHours(9));
        await r.RecordActivityAsync(a, "call", Mon.AddDays(3).AddHours(12));
        await r.MoveAsync(a, Contract, Mon.AddDays(4).AddHours(9));
        await r.ReopenAsync(b, Interest, Mon.AddDays(4).AddHours(10));

        var events = new List<ClientEvent>();
        foreach (var id in new[] { a, b, c, d })
        {
            events.AddRange(await h.EventsOfAsync(id));
        }

        return FunnelEventLog.Build(Pipeline, [.. await h.Store.Clients.ListAsync(SalesId).ToListAsync()], events);
    }
}
