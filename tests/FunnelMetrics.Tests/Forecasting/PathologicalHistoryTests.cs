using FunnelMetrics.Benchmarks;
using FunnelMetrics.Forecasting;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Tests.Forecasting;

/// <summary>
/// The histories whose shape made a step-by-step simulation walk long paths (<see cref="PathologicalHistories"/>):
/// the forecast with a horizon completes on them with the default settings, and its figures keep their laws. How long
/// it takes is measured by the benchmarks (ForecastShapeBenchmarks), not here.
/// </summary>
public sealed class PathologicalHistoryTests
{
    [Theory]
    [InlineData("cycling")]
    [InlineData("regressions")]
    [InlineData("many-stages")]
    public void Forecast_OnTwoThousandClientsWithLongPaths_Completes_AndKeepsItsLaws(string shape)
    {
        var (pipeline, clients, events) = PathologicalHistories.Generate(shape);
        var log = FunnelEventLog.Build(pipeline, clients, events);
        var asOf = PathologicalHistories.AsOf;

        var month = ForecastCalculator.Compute(log, asOf, horizonEnd: asOf.AddDays(30), targetWins: 500);
        var year = ForecastCalculator.Compute(log, asOf, horizonEnd: asOf.AddDays(365));

        Assert.Equal(2000, clients.Length);
        Assert.True(month.OpenClients > 900, $"{month.OpenClients} clients in work");
        Assert.Equal(pipeline.Stages.Count - 1, month.Stages.Count);
        var (h, later) = (month.Horizon!, year.Horizon!);
        Assert.True(h.ExpectedWins > 0 && h.ExpectedWins <= later.ExpectedWins && later.ExpectedWins <= month.ExpectedWins!.Value + 1e-9, $"{h.ExpectedWins} {later.ExpectedWins} {month.ExpectedWins}");
        Assert.True(h.P10 <= h.P50 && h.P50 <= h.P90 && h.P90 <= later.P90, $"{h} {later}");
        Assert.InRange(h.P50, h.ExpectedWins - 1, h.ExpectedWins + 1);
        Assert.Equal(h.ExpectedWins, month.Target!.ExpectedWinsFromPipeline, 9);
        // In time is never likelier than eventually, so the intake within the horizon is never below the steady one.
        Assert.True(month.Target.WithinHorizonDailyIntake is not { } within || within >= month.Target.SteadyStateDailyIntake!.Value - 1e-9, $"{month.Target}");
        Assert.Equal(20, month.ByOwner.Count);
        Assert.All(month.ByOwner, o => Assert.InRange(o.Horizon!.ExpectedWins, 0, o.OpenClients));
    }
}
