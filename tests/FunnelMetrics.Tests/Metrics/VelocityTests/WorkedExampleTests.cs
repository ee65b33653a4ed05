using FunnelMetrics.Metrics;
using static FunnelMetrics.Testing.Seed;
using static FunnelMetrics.Tests.Support.WorkedExample;

namespace FunnelMetrics.Tests.Metrics.VelocityTests;

/// <summary>Velocity of the hand-computed week of <see cref="Support.WorkedExample"/>.</summary>
public sealed class WorkedExampleTests
{
    [Fact]
    public async Task Velocity_OverTheWeek()
    {
        var velocity = VelocityCalculator.Compute(await HistoryAsync(), new TimeWindow(Mon, Mon.AddDays(5)));

        Assert.Equal(5, velocity.Days);
        Assert.Equal([2, 3, 0, 1, 0, 0, 0], velocity.Stages.Select(s => s.ForwardMoves));
        Assert.Equal(0.6, velocity.Stages[1].PerDay, 12);
        Assert.Equal(new OwnerVelocity(Anna, 6, 1.2), Assert.Single(velocity.ByOwner));
        Assert.Equal(new DurationStats(1, 4, TimeSpan.FromDays(4), TimeSpan.FromDays(4), TimeSpan.FromDays(4), TimeSpan.FromDays(4)), velocity.CycleTime);
        Assert.Equal(new SalesVelocity(2, 1000m, 1.0, 4.0, 500m, 0.5), velocity.SalesVelocity);
    }

    [Fact]
    public async Task Velocity_WithoutWinsInTheWindow_HasNoFormula()
    {
        var velocity = VelocityCalculator.Compute(await HistoryAsync(), new TimeWindow(Mon, Mon.AddDays(2)));

        Assert.Equal(0, velocity.CycleTime.Count);
        Assert.Null(velocity.SalesVelocity.ValuePerDay);
        Assert.Null(velocity.SalesVelocity.ClientsPerDay);
        Assert.Equal(3, velocity.SalesVelocity.OpenClients);
    }
}
