using FunnelMetrics.Metrics;
using static FunnelMetrics.Tests.Support.DocsWorkedExample;

namespace FunnelMetrics.Tests.Metrics.StageCountsTests;

/// <summary>Stage counts in the worked example of docs/metrics.md (<see cref="Support.DocsWorkedExample"/>), figure by figure.</summary>
public sealed class DocsWorkedExampleTests
{
    [Fact]
    public async Task StageCounts()
    {
        var log = await Log.Value;
        int[] Counts(DateTimeOffset t) => [.. StageCountsCalculator.Compute(log, t).Stages.Select(s => s.Clients)];

        Assert.Empty(StageCountsCalculator.Compute(log, At(2, 9).AddMinutes(-1)).ByOwner);
        Assert.Equal([0, 0, 0, 0, 0, 0, 0], Counts(At(2, 9).AddMinutes(-1)));
        var tuesday = StageCountsCalculator.Compute(log, At(3, 12));
        Assert.Equal([1, 1, 1, 1, 0, 0, 0], tuesday.Stages.Select(s => s.Clients));
        Assert.Equal((4, 0, 0, 4), (tuesday.InWork, tuesday.Won, tuesday.Lost, tuesday.Entered));
        Assert.Equal([0, 0, 1, 1, 0, 0, 0], tuesday.ByOwner[0].Stages.Select(s => s.Clients));
        Assert.Equal([1, 1, 0, 0, 0, 0, 0], tuesday.ByOwner[1].Stages.Select(s => s.Clients));
        Assert.Equal([0, 0, 2, 0, 1, 0, 0], Counts(At(5, 10).AddTicks(-1)));
        Assert.Equal(1, StageCountsCalculator.Compute(log, At(5, 10).AddTicks(-1)).Lost);
        Assert.Equal([0, 0, 3, 0, 1, 0, 0], Counts(At(5, 10)));
        var friday = StageCountsCalculator.Compute(log, At(6, 12));
        Assert.Equal([0, 0, 2, 0, 0, 0, 1], friday.Stages.Select(s => s.Clients));
        Assert.Equal((2, 1, 1, 4), (friday.InWork, friday.Won, friday.Lost, friday.Entered));
        Assert.Equal((1, 1, 1), (friday.ByOwner[0].InWork, friday.ByOwner[0].Won, friday.ByOwner[0].Lost));
        Assert.Equal((1, 0, 0), (friday.ByOwner[1].InWork, friday.ByOwner[1].Won, friday.ByOwner[1].Lost));
    }
}
