using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Forecasting;
using FunnelMetrics.Metrics;
using FunnelMetrics.Recording;
using FunnelMetrics.Serialization;
using FunnelMetrics.Tests.Support;

namespace FunnelMetrics.Tests.Metrics;

/// <summary>
/// Laws of client updates over generated histories: an update is never an action, a move or a hand-over, and every metric
/// reads "the client as of T" at its one instant.
/// </summary>
public sealed class ClientUpdateProperties
{
    private static readonly FunnelMetricsJsonContext Json = FunnelMetricsJsonContext.Default;

    [Property(MaxTest = 100)]
    public Property Updates_ThatChangeNothingAMetricReads_LeaveEveryMetricUnchanged() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var events = WithUpdates.Insert(h, Neutral);
            var plain = h.Log();
            var updated = FunnelEventLog.Build(h.Pipeline, h.Clients, events);

            Assert.Equal(events.Count - h.Events.Count, updated.UpdateCount);
            Assert.Equal(EveryMetric(plain, h), EveryMetric(updated, h));
        });

    [Property(MaxTest = 100)]
    public Property Updates_LeaveEveryStateButVersionAndLastEvent_AsTheFoldWithoutThem() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var events = WithUpdates.Insert(h, Changing);
            foreach (var client in h.Clients)
            {
                var without = ClientState.Replay(client, h.Events.Where(e => e.ClientId == client.Id).OrderBy(e => e.Sequence));
                var mine = events.Where(e => e.ClientId == client.Id).ToList();
                var with = ClientState.Replay(client, mine);

                Assert.Equal(mine.Count, with.Version);
                Assert.Equal(mine.Count == 0 ? null : mine[^1].OccurredAt, with.LastEventAt);
                Assert.Equal(
                    (without.Owner, without.Status, without.Stage, without.StageEnteredAt, without.LastTouchedAt),
                    (with.Owner, with.Status, with.Stage, with.StageEnteredAt, with.LastTouchedAt));
            }
        });

    [Property(MaxTest = 100)]
    public Property LogWithUpdates_AtT_EqualsTheLogOfTheClientsAsOfT() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var events = WithUpdates.Insert(h, Changing);
            var withUpdates = FunnelEventLog.Build(h.Pipeline, h.Clients, events);
            var t = h.AsOf;
            var asOfT = FunnelEventLog.Build(h.Pipeline, h.Clients.Select(c => WithUpdates.AsOf(c, events, t)), h.Events);

            foreach (var client in h.Clients)
            {
                Assert.Equal(WithUpdates.AsOf(client, events, t), withUpdates.ClientAsOf(client.Id, t));
            }

            Assert.Equal(AtInstant(asOfT, t), AtInstant(withUpdates, t));

            // A window metric reads the clients as of the window's last instant: a window ending just after T.
            var window = new TimeWindow(FunnelMetrics.Testing.Seed.T0.AddDays(-1), t.AddTicks(1));
            Assert.Equal(InWindow(asOfT, window), InWindow(withUpdates, window));

            // A breakdown's groups are every value ever held; each group is the metric under the value's filter.
            var groups = FunnelBreakdowns.ByAttribute(withUpdates, "source", f => StageCountsCalculator.Compute(withUpdates, t, f));
            var expected = FunnelBreakdowns.ByAttribute(asOfT, "source", f => StageCountsCalculator.Compute(asOfT, t, f));
            Assert.Subset(groups.Select(g => g.Key).ToHashSet(), expected.Select(g => g.Key).ToHashSet());
            foreach (var group in groups)
            {
                Assert.Equal(StageCountsCalculator.Compute(asOfT, t, Source(group.Key)), group.Result);
            }
        });

    [Property(MaxTest = 100)]
    public Property LiveView_FedUpdatesEventByEvent_AgreesWithTheBatchAndHoldsTheClientsAsOfNow() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var events = WithUpdates.Insert(h, Changing);
            var log = FunnelEventLog.Build(h.Pipeline, h.Clients, events);
            var view = FunnelLiveView.Create(log, h.AsOf);
            foreach (var client in h.Clients)
            {
                Assert.Equal(WithUpdates.AsOf(client, events, h.AsOf), view.FindClient(client.Id));
            }

            foreach (var instant in events.Where(e => e.OccurredAt > h.AsOf).GroupBy(e => e.OccurredAt).OrderBy(g => g.Key))
            {
                foreach (var e in instant.OrderBy(e => e.ClientId).ThenBy(e => e.Sequence))
                {
                    view.Apply(e);
                }

                Assert.Equal(JsonSerializer.Serialize(StageCountsCalculator.Compute(log, instant.Key), Json.StageCounts), JsonSerializer.Serialize(view.Counts(instant.Key), Json.StageCounts));
                // The view's thresholds are the calculator's as of the instant asked (learned from the visits before it).
                Assert.Equal(Stalls(StallCalculator.Compute(log, instant.Key)), Stalls(view.Stalled(instant.Key)));
            }

            Assert.Equal(events.Count, view.EventsApplied);
            foreach (var client in h.Clients)
            {
                Assert.Equal(WithUpdates.AsOf(client, events, DateTimeOffset.MaxValue), view.FindClient(client.Id));
            }
        });

    /// <summary>What the live view and the batch share: the stalled clients and the per-stage counts.</summary>
    private static string Stalls(StalledClients s) =>
        string.Join(';', s.Clients.Select(c => $"{c.ClientId}/{c.Owner}/{c.Stage}/{c.VisitStart:O}/{c.LastTouchedAt:O}/{c.Idle}"))
        + "|" + string.Join(';', s.ByStage.Select(x => $"{x.Stage}/{x.Clients}/{x.Stalled}"));

    /// <summary>Changes that alter nothing a metric reads: the expected close date, an unused attribute, the value or source it already has.</summary>
    private static ClientChanges? Neutral(Client client, Random random) => random.Next(5) switch
    {
        0 => ClientChanges.None.WithExpectedCloseDate(random.Next(2) == 0 ? null : new DateOnly(2026, 1 + random.Next(12), 1)),
        1 => ClientChanges.None.WithAttribute("memo", $"m{random.Next(9)}"),
        2 => ClientChanges.None.WithValue(client.Value),
        3 => client.Attributes.TryGetValue("source", out var source) ? ClientChanges.None.WithAttribute("source", source) : ClientChanges.None.WithoutAttribute("source"),
        _ => ClientChanges.None.WithoutAttribute("absent").WithExpectedCloseDate(null),
    };

    /// <summary>Changes of what metrics read: the value (possibly to unknown), the source attribute (set or removed), a region.</summary>
    internal static ClientChanges? Changing(Client client, Random random)
    {
        var changes = ClientChanges.None;
        if (random.Next(2) == 0)
        {
            changes = changes.WithValue(random.Next(4) == 0 ? null : 50m * random.Next(0, 40));
        }

        changes = random.Next(3) switch
        {
            0 => changes.WithAttribute("source", $"src{random.Next(4)}"),
            1 => changes.WithoutAttribute("source"),
            _ => changes,
        };
        return random.Next(3) == 0 ? changes.WithAttribute("region", random.Next(2) == 0 ? "north" : "south") : changes;
    }

    private static FunnelFilter Source(string value) => new() { Attributes = new Dictionary<string, string> { ["source"] = value } };

    /// <summary>Every metric, filtered and not, as JSON.</summary>
    internal static string EveryMetric(FunnelEventLog log, RecordedHistory h)
    {
        var (from, to) = (FunnelMetrics.Testing.Seed.T0.AddDays(-1), h.AsOf > FunnelMetrics.Testing.Seed.T0 ? h.AsOf : FunnelMetrics.Testing.Seed.T0.AddDays(1));
        var window = new TimeWindow(from, to);
        var (firstDay, lastDay) = (DateOnly.FromDateTime(from.UtcDateTime), DateOnly.FromDateTime(to.UtcDateTime));
        var lines = new List<string>
        {
            AtInstant(log, h.AsOf),
            InWindow(log, window),
            JsonSerializer.Serialize(FlowLedgerCalculator.Compute(log, firstDay, lastDay, "UTC"), Json.FlowLedger),
            JsonSerializer.Serialize(FlowLedgerCalculator.Compute(log, firstDay, lastDay, "UTC", Source("src0")), Json.FlowLedger),
            JsonSerializer.Serialize(StuckStagesCalculator.Compute(log, window), Json.StuckStages),
            JsonSerializer.Serialize(StuckStagesCalculator.Compute(log, window, filter: Source("src3")), Json.StuckStages),
            JsonSerializer.Serialize(ForecastCalculator.Backtest(log, window, TimeSpan.FromDays(1), TimeSpan.FromDays(7), filter: Source("src0")), Json.Backtest),
            JsonSerializer.Serialize(FunnelBreakdowns.ByAttribute(log, "source", f => StageCountsCalculator.Compute(log, h.AsOf, f)), Json.IReadOnlyListBreakdownStageCounts),
        };

        var live = FunnelLiveView.Create(log, h.AsOf);
        lines.Add(JsonSerializer.Serialize(live.Counts(h.AsOf), Json.StageCounts));
        lines.Add(JsonSerializer.Serialize(live.Stalled(h.AsOf.AddDays(3)), Json.StalledClients));
        return string.Join('\n', lines);
    }

    /// <summary>The point-in-time metrics at <paramref name="t"/>, unfiltered and filtered by an attribute, as JSON.</summary>
    private static string AtInstant(FunnelEventLog log, DateTimeOffset t)
    {
        var lines = new List<string>();
        foreach (var filter in new[] { FunnelFilter.All, Source("src0"), Source("src3") })
        {
            lines.Add(JsonSerializer.Serialize(StageCountsCalculator.Compute(log, t, filter), Json.StageCounts));
            lines.Add(JsonSerializer.Serialize(StallCalculator.Compute(log, t, new StallOptions { MinimumVisits = 2 }, filter), Json.StalledClients));
            lines.Add(JsonSerializer.Serialize(ForecastCalculator.Compute(log, t, horizonEnd: t.AddDays(30), filter: filter), Json.Forecast));
        }

        return string.Join('\n', lines);
    }

    /// <summary>The window metrics over <paramref name="window"/>, unfiltered and filtered by an attribute, as JSON.</summary>
    private static string InWindow(FunnelEventLog log, TimeWindow window)
    {
        var lines = new List<string>();
        foreach (var filter in new[] { FunnelFilter.All, Source("src0"), Source("src3") })
        {
            lines.Add(JsonSerializer.Serialize(VelocityCalculator.Compute(log, window, filter), Json.Velocity));
            lines.Add(JsonSerializer.Serialize(TimeInStageCalculator.Compute(log, window, filter), Json.TimeInStage));
            lines.Add(JsonSerializer.Serialize(ConversionCalculator.Compute(log, window, conversionWindow: TimeSpan.FromDays(3), filter: filter), Json.Conversion));
        }

        return string.Join('\n', lines);
    }
}
