using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Analytics;
using FunnelMetrics.Metrics;
using FunnelMetrics.Serialization;
using FunnelMetrics.Tests.Support;

namespace FunnelMetrics.Tests.Analytics;

/// <summary>The dashboard's laws: nothing after its instant counts, and its stall figures are their calculators'.</summary>
public sealed class FunnelDashboardProperties
{
    private static readonly FunnelMetricsOptions Options = new() { Dashboard = new DashboardOptions { WorkingDays = 3 } };

    [Property(MaxTest = 60)]
    public Property TheDashboard_OfAWholeHistory_IsTheDashboardOfItsEventsUntilTheInstant() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var log = h.Log();
            var until = FunnelEventLog.Build(h.Pipeline, h.Clients, h.Events.Where(e => e.OccurredAt <= h.AsOf));

            var whole = JsonSerializer.Serialize(FunnelDashboard.Compute(log, h.AsOf, null, Options), FunnelMetricsJsonContext.Default.FunnelDashboard);
            var cut = JsonSerializer.Serialize(FunnelDashboard.Compute(until, h.AsOf, null, Options), FunnelMetricsJsonContext.Default.FunnelDashboard);

            Assert.Equal(cut, whole);
        });

    [Property(MaxTest = 100)]
    public Property TheStalledClientsAndTheStuckStages_AreTheirCalculators_AtAnEventsTickToo() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Gen.Elements(false, true)), (h, onAnEvent) =>
        {
            // The dashboard hands its stalled clients to the stuck stages as their current window's figure, except when an
            // event falls on the instant's very tick; instants on an event's tick are drawn half the time.
            var log = h.Log();
            var asOf = onAnEvent && h.Events.Count > 0 ? h.Events[new Random(h.Seed).Next(h.Events.Count)].OccurredAt : h.AsOf;
            var stalls = new StallOptions { DefaultThreshold = TimeSpan.FromHours(20), MinimumVisits = 2, Percentile = 60 };
            var options = new FunnelMetricsOptions { Dashboard = new DashboardOptions { WorkingDays = 3, StuckPeriod = TimeSpan.FromDays(2) }, Stalls = stalls };

            var dashboard = FunnelDashboard.Compute(log, asOf, null, options);

            var stuck = StuckStagesCalculator.Compute(log, TimeWindow.Ending(asOf, TimeSpan.FromDays(2)), stalls);
            Assert.Equal(JsonSerializer.Serialize(stuck, FunnelMetricsJsonContext.Default.StuckStages), JsonSerializer.Serialize(dashboard.StuckStages, FunnelMetricsJsonContext.Default.StuckStages));
            var stalled = StallCalculator.Compute(log, asOf, stalls);
            Assert.Equal(stalled.Clients.Count, dashboard.Stalled.Total);
            Assert.Equal(JsonSerializer.Serialize(stalled.ByStage, FunnelMetricsJsonContext.Default.IReadOnlyListStageStall), JsonSerializer.Serialize(dashboard.Stalled.ByStage, FunnelMetricsJsonContext.Default.IReadOnlyListStageStall));
        });
}
