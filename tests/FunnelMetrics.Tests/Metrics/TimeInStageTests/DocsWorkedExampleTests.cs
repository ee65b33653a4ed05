using FunnelMetrics.Metrics;
using static FunnelMetrics.Testing.Seed;
using static FunnelMetrics.Tests.Support.DocsWorkedExample;

namespace FunnelMetrics.Tests.Metrics.TimeInStageTests;

/// <summary>Time in stage in the worked example of docs/metrics.md (<see cref="Support.DocsWorkedExample"/>), figure by figure.</summary>
public sealed class DocsWorkedExampleTests
{
    [Fact]
    public async Task TimeInStage()
    {
        var log = await Log.Value;
        var asOf = At(7, 0);

        var meeting = TimeInStageCalculator.Compute(log, TimeWindow.Until(asOf)).Stages[2];
        Assert.Equal((3, TimeSpan.FromHours(23), TimeSpan.FromHours(23), TimeSpan.FromHours(24), TimeSpan.FromHours(24)), (meeting.Completed.Count, meeting.Completed.Mean!.Value, meeting.Completed.Median!.Value, meeting.Completed.P75!.Value, meeting.Completed.P90!.Value));
        Assert.Equal(69 / 24.0, meeting.Completed.TotalDays, 12);
        Assert.Equal(2, meeting.OpenVisits);
        Assert.Equal(new DurationEstimate(TimeSpan.FromHours(24), null), meeting.Median);
        Assert.Equal(new DurationEstimate(null, TimeSpan.FromHours(56)), meeting.P90);
        Assert.Equal((3, TimeSpan.Parse("2.06:20:00", System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromHours(56), TimeSpan.FromHours(60), TimeSpan.FromHours(60)), (meeting.PerClient.Count, meeting.PerClient.Mean!.Value, meeting.PerClient.Median!.Value, meeting.PerClient.P75!.Value, meeting.PerClient.P90!.Value));

        var boris = TimeInStageCalculator.Compute(log, TimeWindow.Until(asOf), filter: new FunnelFilter { Owners = [Boris] }).Stages[2];
        Assert.Equal((1, 2), (boris.Completed.Count, boris.OpenVisits));
        Assert.Equal(new DurationEstimate(null, TimeSpan.FromHours(56)), boris.Median);
        Assert.Equal(2, boris.PerClient.Count);

        var sinceThursday = TimeInStageCalculator.Compute(log, new TimeWindow(At(5, 0), asOf)).Stages[2];
        Assert.Equal(new DurationEstimate(TimeSpan.FromHours(24), null), sinceThursday.Median);
        Assert.Equal(new DurationEstimate(null, TimeSpan.FromHours(38)), sinceThursday.P90);

        var interest = TimeInStageCalculator.Compute(log, TimeWindow.Until(asOf)).Stages[1].Completed;
        Assert.Equal((4, TimeSpan.Parse("17:45:00", System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromHours(20), TimeSpan.FromHours(24), TimeSpan.FromHours(27)), (interest.Count, interest.Mean!.Value, interest.Median!.Value, interest.P75!.Value, interest.P90!.Value));
    }
}
