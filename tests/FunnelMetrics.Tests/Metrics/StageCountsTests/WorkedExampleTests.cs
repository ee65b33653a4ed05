using FunnelMetrics.Metrics;
using static FunnelMetrics.Testing.Seed;
using static FunnelMetrics.Tests.Support.WorkedExample;

namespace FunnelMetrics.Tests.Metrics.StageCountsTests;

/// <summary>Stage counts of the hand-computed week of <see cref="Support.WorkedExample"/>.</summary>
public sealed class WorkedExampleTests
{
    private static int[] Counts(StageCounts counts) => [.. counts.Stages.Select(s => s.Clients)];

    [Fact]
    public async Task StageCounts_AfterTheSameInstantDoubleMove_CountTheLaterMove()
    {
        var counts = StageCountsCalculator.Compute(await HistoryAsync(), Mon.AddDays(1).AddHours(10));

        Assert.Equal([0, 2, 1, 0, 0, 0, 0], Counts(counts));
        Assert.Equal((3, 0, 0, 3), (counts.InWork, counts.Won, counts.Lost, counts.Entered));
        Assert.Equal(["anna", "boris"], counts.ByOwner.Select(o => o.Owner.Value));
        Assert.Equal([0, 1, 1, 0, 0, 0, 0], counts.ByOwner[0].Stages.Select(s => s.Clients));
        Assert.Equal([0, 1, 0, 0, 0, 0, 0], counts.ByOwner[1].Stages.Select(s => s.Clients));
    }

    [Fact]
    public async Task StageCounts_AtMidnightBeforeTheRegression_ShowTheSkipAndTheLoss()
    {
        var counts = StageCountsCalculator.Compute(await HistoryAsync(), Mon.AddDays(3));

        Assert.Equal([0, 0, 1, 0, 1, 0, 0], Counts(counts));
        Assert.Equal((2, 0, 1, 3), (counts.InWork, counts.Won, counts.Lost, counts.Entered));
    }

    [Fact]
    public async Task StageCounts_AfterTheWinAndTheReopen_CountEveryoneForAnna()
    {
        var counts = StageCountsCalculator.Compute(await HistoryAsync(), Mon.AddDays(4).AddHours(12));

        Assert.Equal([0, 1, 1, 0, 0, 0, 1], Counts(counts));
        Assert.Equal((2, 1, 0, 3), (counts.InWork, counts.Won, counts.Lost, counts.Entered));
        Assert.Equal("anna", Assert.Single(counts.ByOwner).Owner.Value);
    }

    [Fact]
    public async Task StageCounts_BeforeTheFirstEvent_AreAllZero()
    {
        var counts = StageCountsCalculator.Compute(await HistoryAsync(), Mon);

        Assert.All(counts.Stages, s => Assert.Equal(0, s.Clients));
        Assert.Equal(0, counts.Entered);
        Assert.Empty(counts.ByOwner);
    }

    [Fact]
    public async Task StageCounts_FilteredByOwner_UseTheOwnerAsOfTheInstant()
    {
        var log = await HistoryAsync();
        var boris = new FunnelFilter { Owners = [Boris] };

        Assert.Equal(1, StageCountsCalculator.Compute(log, Mon.AddDays(1).AddHours(10), boris).InWork);
        Assert.Equal(0, StageCountsCalculator.Compute(log, Mon.AddDays(1).AddHours(11), boris).InWork);
    }
}
