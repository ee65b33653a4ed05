using FunnelMetrics.Metrics;
using static FunnelMetrics.Testing.Seed;
using static FunnelMetrics.Tests.Support.EdgeCaseHistory;

namespace FunnelMetrics.Tests.Metrics.ConversionTests;

/// <summary>Conversion windows at their edges.</summary>
public sealed class EdgeCaseTests
{
    [Fact]
    public async Task Conversion_WithAWindow_CountsALateAdvanceThatWasLostLaterAsAdvancedLate()
    {
        var (h, c) = await OneClientAsync(T0);
        await h.Recorder.MoveAsync(c, DecisionMaker, T0);
        await h.Recorder.MoveAsync(c, Interest, T0.AddDays(3));
        await h.Recorder.MarkLostAsync(c, occurredAt: T0.AddDays(4));

        var conversion = ConversionCalculator.Compute(await LogAsync(h), new TimeWindow(T0, T0.AddDays(1)), T0.AddDays(5), TimeSpan.FromDays(1));

        Assert.Equal((1, 0, 1, 0, 0), conversion.Stages[0] is var s ? (s.Cohort, s.Advanced, s.AdvancedLate, s.Lost, s.Remaining) : default);
        Assert.Equal(0, conversion.Stages[1].Cohort); // interest was reached after the cohort window
    }
}
