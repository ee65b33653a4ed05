using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Analytics;
using FunnelMetrics.Metrics;
using FunnelMetrics.Serialization;
using FunnelMetrics.Tests.Support;

namespace FunnelMetrics.Tests.Analytics;

/// <summary>The dashboard's law: nothing after its instant counts.</summary>
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
}
