using FunnelMetrics.Metrics;
using static FunnelMetrics.Tests.Support.WorkedExample;

namespace FunnelMetrics.Tests.Metrics.ConversionTests;

/// <summary>Conversion of the hand-computed week of <see cref="Support.WorkedExample"/>.</summary>
public sealed class WorkedExampleTests
{
    [Fact]
    public async Task Conversion_WithSkippedStagesPassed_PartitionsEachCohort()
    {
        var conversion = ConversionCalculator.Compute(await HistoryAsync(), new TimeWindow(Mon, Mon.AddDays(5)));

        Assert.Equal(
            [(2, 2, 0, 0), (3, 3, 0, 0), (3, 1, 0, 2), (1, 1, 0, 0), (1, 1, 0, 0), (1, 1, 0, 0), (0, 0, 0, 0)],
            conversion.Stages.Select(s => (s.Cohort, s.Advanced, s.Lost, s.Remaining)));
        Assert.Equal([2, 2, 2, 1, 1, 1, 1], conversion.Stages.Select(s => s.ReachedFromFirstStage));
        Assert.Equal((2, 1, 0.5), (conversion.FirstStageCohort, conversion.WonFromFirstStage, conversion.WonFromFirstStageShare!.Value));
        Assert.Equal(new WinRate(1, 0, 1.0), conversion.WinRate);
    }

    [Fact]
    public async Task Conversion_WithoutSkippedStagesPassed_LeavesSkippedStagesOutOfTheCohorts()
    {
        var conversion = ConversionCalculator.Compute(await HistoryAsync(), new TimeWindow(Mon, Mon.AddDays(5)), options: new ConversionOptions { SkippedStagesCountAsPassed = false });

        Assert.Equal(
            [(2, 2, 0, 0), (3, 3, 0, 0), (2, 0, 0, 2), (1, 1, 0, 0), (1, 1, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0)],
            conversion.Stages.Select(s => (s.Cohort, s.Advanced, s.Lost, s.Remaining)));
        Assert.Null(conversion.Stages[5].AdvancedShare);
    }

    [Fact]
    public async Task Conversion_BeforeTheReopen_CountsTheLossAtTheMeeting()
    {
        var conversion = ConversionCalculator.Compute(await HistoryAsync(), new TimeWindow(Mon, Mon.AddDays(3)));

        Assert.Equal((3, 1, 1, 1), conversion.Stages[2] is var s ? (s.Cohort, s.Advanced, s.Lost, s.Remaining) : default);
        Assert.Equal(new WinRate(0, 1, 0.0), conversion.WinRate);
    }

    [Fact]
    public async Task Conversion_WithAConversionWindow_CountsOnlyQuickAdvances()
    {
        var conversion = ConversionCalculator.Compute(await HistoryAsync(), new TimeWindow(Mon, Mon.AddDays(5)), conversionWindow: TimeSpan.FromHours(12));

        Assert.Equal((2, 0, 2, 0, 0), conversion.Stages[0] is var dm ? (dm.Cohort, dm.Advanced, dm.AdvancedLate, dm.Lost, dm.Remaining) : default);
        Assert.Equal((3, 1, 2, 0, 0), conversion.Stages[1] is var i ? (i.Cohort, i.Advanced, i.AdvancedLate, i.Lost, i.Remaining) : default);
        Assert.Equal(2 / 3.0, conversion.Stages[1].AdvancedLateShare!.Value, 12);
    }
}
