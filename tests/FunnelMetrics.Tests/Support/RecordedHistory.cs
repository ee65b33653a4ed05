using FsCheck;
using FsCheck.Fluent;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Tests.Support;

/// <summary>A generated history recorded through the recorder, with an instant to look at it from.</summary>
internal sealed record RecordedHistory(PipelineDefinition Pipeline, IReadOnlyList<Client> Clients, IReadOnlyList<ClientEvent> Events, DateTimeOffset AsOf, int Seed)
{
    public FunnelEventLog Log() => FunnelEventLog.Build(Pipeline, Clients, Events);

    public DateTimeOffset LastEventAt => Events.Count == 0 ? FunnelMetrics.Testing.Seed.T0 : Events.Max(e => e.OccurredAt);

    public override string ToString() => $"{Pipeline}; {Clients.Count} clients; {Events.Count} events; as of {AsOf:O}\n{string.Join('\n', Events)}";

    public static async Task<RecordedHistory> FromAsync(History history, int asOfPercent, int seed)
    {
        var h = await history.RecordAsync();
        var events = new List<ClientEvent>();
        foreach (var client in history.Clients)
        {
            events.AddRange(await h.EventsOfAsync(client.Id));
        }

        var last = events.Count == 0 ? FunnelMetrics.Testing.Seed.T0 : events.Max(e => e.OccurredAt);
        var asOf = FunnelMetrics.Testing.Seed.T0 + ((last - FunnelMetrics.Testing.Seed.T0) * asOfPercent / 100);
        return new RecordedHistory(history.Pipeline, history.Clients, events, asOf, seed);
    }

    public static Arbitrary<RecordedHistory> Arb() => FsCheck.Fluent.Arb.From(
        from history in Histories.Valid()
        from asOfPercent in Gen.Frequency((1, Gen.Constant(100)), (1, Gen.Constant(0)), (6, Gen.Choose(1, 120)))
        from seed in Gen.Choose(0, int.MaxValue - 1)
        select FromAsync(history, asOfPercent, seed).GetAwaiter().GetResult());
}
