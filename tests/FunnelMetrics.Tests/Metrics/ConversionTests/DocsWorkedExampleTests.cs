using FunnelMetrics.Metrics;
using static FunnelMetrics.Tests.Support.DocsWorkedExample;

namespace FunnelMetrics.Tests.Metrics.ConversionTests;

/// <summary>Conversion in the worked example of docs/metrics.md (<see cref="Support.DocsWorkedExample"/>), figure by figure.</summary>
public sealed class DocsWorkedExampleTests
{
    private static (int, int, int, int) Outcome(StageConversion s) => (s.Cohort, s.Advanced, s.Lost, s.Remaining);

    private static (int, int, int, int, int) WithLate(StageConversion s) => (s.Cohort, s.Advanced, s.AdvancedLate, s.Lost, s.Remaining);

    [Fact]
    public async Task Conversion()
    {
        var log = await Log.Value;

        var conversion = ConversionCalculator.Compute(log, new TimeWindow(At(2, 0), At(7, 0)));
        Assert.Equal([(3, 3, 0, 0), (4, 4, 0, 0), (4, 2, 0, 2), (2, 1, 1, 0), (1, 1, 0, 0), (1, 1, 0, 0), (0, 0, 0, 0)], conversion.Stages.Select(Outcome));
        Assert.Equal([3, 3, 3, 2, 1, 1, 1], conversion.Stages.Select(s => s.ReachedFromFirstStage));
        Assert.Equal((3, 1), (conversion.FirstStageCohort, conversion.WonFromFirstStage));
        Assert.Equal(1 / 3.0, conversion.WonFromFirstStageShare!.Value, 12);
        Assert.Equal(new WinRate(1, 1, 0.5), conversion.WinRate);

        var noSkips = ConversionCalculator.Compute(log, new TimeWindow(At(2, 0), At(7, 0)), options: new ConversionOptions { SkippedStagesCountAsPassed = false });
        Assert.Equal((3, 1, 0, 2), Outcome(noSkips.Stages[2]));
        Assert.Equal(2, noSkips.Stages[2].ReachedFromFirstStage);

        var oneDay = ConversionCalculator.Compute(log, new TimeWindow(At(2, 0), At(7, 0)), conversionWindow: TimeSpan.FromDays(1));
        Assert.Equal((3, 3, 0, 0, 0), WithLate(oneDay.Stages[0]));
        Assert.Equal((4, 3, 1, 0, 0), WithLate(oneDay.Stages[1]));
        Assert.Equal((1, 0, 1, 0, 0), WithLate(oneDay.Stages[4]));
    }
}
