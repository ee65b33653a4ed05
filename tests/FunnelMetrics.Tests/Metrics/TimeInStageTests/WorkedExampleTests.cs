using FunnelMetrics.Metrics;
using static FunnelMetrics.Tests.Support.WorkedExample;

namespace FunnelMetrics.Tests.Metrics.TimeInStageTests;

/// <summary>Time in stage of the hand-computed week of <see cref="Support.WorkedExample"/>.</summary>
public sealed class WorkedExampleTests
{
    [Fact]
    public async Task TimeInStage_CountsTheZeroLengthVisit_AndCensorsTheOpenOnes()
    {
        var time = TimeInStageCalculator.Compute(await HistoryAsync(), TimeWindow.Until(Mon.AddDays(4).AddHours(12)));

        Assert.Equal(7, time.Stages.Count);
        Assert.Equal((0, 0, DurationEstimate.None), (time.Stages[6].Completed.Count, time.Stages[6].OpenVisits, time.Stages[6].Median));
        var dm = time.Stages[0];
        Assert.Equal(new DurationStats(2, 2, TimeSpan.FromHours(24), TimeSpan.FromHours(24), TimeSpan.FromHours(24), TimeSpan.FromHours(24)), dm.Completed);

        var interest = time.Stages[1];
        Assert.Equal(new DurationStats(3, 3, TimeSpan.FromHours(24), TimeSpan.FromHours(24), TimeSpan.FromHours(48), TimeSpan.FromHours(48)), interest.Completed);
        Assert.Equal(1, interest.OpenVisits);
        Assert.Equal(new DurationEstimate(TimeSpan.FromHours(24), null), interest.Median);
        Assert.Equal(new DurationEstimate(TimeSpan.FromHours(48), null), interest.P90);
        Assert.Equal(3, interest.PerClient.Count);
        Assert.Equal(74 / 24.0, interest.PerClient.TotalDays, 12);
        Assert.Equal(TimeSpan.FromHours(24), interest.PerClient.Median);

        var meeting = time.Stages[2];
        Assert.Equal(1, meeting.Completed.Count);
        Assert.Equal(1, meeting.OpenVisits);
        Assert.Equal(new DurationEstimate(TimeSpan.FromHours(24), null), meeting.Median);
        Assert.Equal(new DurationEstimate(null, TimeSpan.FromHours(49)), meeting.P90);

        Assert.Equal(TimeSpan.FromHours(24), time.Stages[3].Completed.Median);
        Assert.Equal(TimeSpan.FromHours(24), time.Stages[4].Completed.Median);
        Assert.Equal(DurationStats.Empty, time.Stages[5].Completed);
        Assert.Equal(DurationEstimate.None, time.Stages[5].Median);
    }

    [Fact]
    public async Task TimeInStage_FromAnInstant_KeepsOnlyVisitsThatBeganThen()
    {
        var time = TimeInStageCalculator.Compute(await HistoryAsync(), new TimeWindow(Mon.AddDays(2), Mon.AddDays(4).AddHours(12)));

        Assert.Equal(0, time.Stages[0].Completed.Count);
        Assert.Equal(0, time.Stages[1].Completed.Count);
        Assert.Equal(1, time.Stages[1].OpenVisits);
        Assert.Equal(1, time.Stages[2].OpenVisits);
        Assert.Equal(0, time.Stages[2].Completed.Count);
    }
}
