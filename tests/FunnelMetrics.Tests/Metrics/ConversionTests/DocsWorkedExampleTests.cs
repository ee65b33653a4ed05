using FunnelMetrics.Metrics;
using static FunnelMetrics.Testing.Seed;
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

    [Fact]
    public async Task Conversion_ByValue_AndDropOff()
    {
        var conversion = ConversionCalculator.Compute(await Log.Value, new TimeWindow(At(2, 0), At(7, 0)));

        Assert.Equal([16_000m, 24_000m, 24_000m, 16_000m, 10_000m, 10_000m, 0m], conversion.Stages.Select(s => s.CohortValue));
        Assert.Equal([1, 1, 1, 0, 0, 0, 0], conversion.Stages.Select(s => s.CohortWithoutValue));
        var meeting = conversion.Stages[2];
        Assert.Equal((16_000m, 0m, 8_000m), (meeting.AdvancedValue, meeting.LostValue, meeting.RemainingValue));
        Assert.Equal(2 / 3.0, meeting.AdvancedValueShare!.Value, 12);
        var requirements = conversion.Stages[3];
        Assert.Equal((10_000m, 6_000m, 0m), (requirements.AdvancedValue, requirements.LostValue, requirements.RemainingValue));
        Assert.Equal((0.625, 0.375), (requirements.AdvancedValueShare, requirements.LostValueShare));

        Assert.Equal([(DecisionMaker, Interest), (Interest, Meeting), (Meeting, Requirements), (Requirements, Offer), (Offer, Terms), (Terms, Contract)], conversion.DropOffs.Select(d => (d.Stage, d.NextStage)));
        Assert.Equal([(3, 3, 0, 0), (4, 4, 0, 0), (4, 2, 0, 2), (2, 1, 1, 0), (1, 1, 0, 0), (1, 1, 0, 0)], conversion.DropOffs.Select(d => (d.Cohort, d.Passed, d.Dropped, d.StillOpen)));
        Assert.Equal([0, 0, 0, 0.5, 0, 0], conversion.DropOffs.Select(d => d.Share!.Value));
        var drop = conversion.DropOffs[3];
        Assert.Equal((16_000m, 10_000m, 6_000m, 0m, 0.375), (drop.CohortValue, drop.PassedValue, drop.DroppedValue, drop.StillOpenValue, drop.ValueShare));
    }
}
