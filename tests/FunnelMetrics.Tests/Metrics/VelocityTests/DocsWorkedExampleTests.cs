using FunnelMetrics.Metrics;
using static FunnelMetrics.Testing.Seed;
using static FunnelMetrics.Tests.Support.DocsWorkedExample;

namespace FunnelMetrics.Tests.Metrics.VelocityTests;

/// <summary>Velocity in the worked example of docs/metrics.md (<see cref="Support.DocsWorkedExample"/>), figure by figure.</summary>
public sealed class DocsWorkedExampleTests
{
    [Fact]
    public async Task Velocity()
    {
        var log = await Log.Value;

        var velocity = VelocityCalculator.Compute(log, new TimeWindow(At(2, 0), At(7, 0)));
        Assert.Equal([3, 4, 1, 1, 1, 1, 0], velocity.Stages.Select(s => s.ForwardMoves));
        Assert.Equal([0.6, 0.8, 0.2, 0.2, 0.2, 0.2, 0], velocity.Stages.Select(s => Math.Round(s.PerDay, 12)));
        Assert.Equal([new OwnerVelocity(Anna, 8, 1.6), new OwnerVelocity(Boris, 3, 0.6)], velocity.ByOwner);
        Assert.Equal((1, TimeSpan.FromHours(98)), (velocity.CycleTime.Count, velocity.CycleTime.Median!.Value));
        var sv = velocity.SalesVelocity;
        Assert.Equal((2, 10_000m, 0.5), (sv.OpenClients, sv.AverageWonValue!.Value, sv.WinRate!.Value));
        Assert.Equal(98 / 24.0, sv.AverageCycleDays!.Value, 12);
        Assert.Equal(12 / 49.0, sv.ClientsPerDay!.Value, 12);
        Assert.Equal(2448.98m, decimal.Round(sv.ValuePerDay!.Value, 2));

        var anna = VelocityCalculator.Compute(log, new TimeWindow(At(2, 0), At(7, 0)), new FunnelFilter { Owners = [Anna] }).SalesVelocity;
        Assert.Equal(1, anna.OpenClients);
        Assert.Equal(6 / 49.0, anna.ClientsPerDay!.Value, 12);
        Assert.Equal(1224.49m, decimal.Round(anna.ValuePerDay!.Value, 2));
        var boris = VelocityCalculator.Compute(log, new TimeWindow(At(2, 0), At(7, 0)), new FunnelFilter { Owners = [Boris] }).SalesVelocity;
        Assert.Equal(new SalesVelocity(1, null, null, null, null, null), boris);
    }
}
