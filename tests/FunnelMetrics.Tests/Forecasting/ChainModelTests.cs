using FunnelMetrics.Forecasting;

namespace FunnelMetrics.Tests.Forecasting;

/// <summary>
/// The chain's absorption figures on loops of stages, solved loop by loop: a ring of n stages where every departure goes
/// on to the next stage with 90%, is won with 5% and lost with 5%, each visit lasting 2 days. By symmetry every stage has
/// X = 0.05 + 0.9 X, so a chance of a win of 0.5, and D = 2 + 0.9 D, so 20 days to close, however large the ring.
/// </summary>
public sealed class ChainModelTests
{
    private static ChainModel Ring(int stages, int onward, int won, int lost, IterationAllowance? budget = null)
    {
        var pipeline = new PipelineDefinition(new PipelineId("ring"), "Ring", [.. Enumerable.Range(0, stages + 1).Select(i => new StageDefinition(new StageId($"s{i}")))]);
        var departures = new DepartureStats[stages + 1];
        for (var s = 0; s <= stages; s++)
        {
            departures[s] = s == stages ? DepartureStats.Empty : new DepartureStats(stages + 2);
        }

        for (var s = 0; s < stages; s++)
        {
            foreach (var (outcome, count) in new[] { ((s + 1) % stages, onward), (stages, won), (stages + 1, lost) })
            {
                for (var k = 0; k < count; k++)
                {
                    departures[s].Add(outcome, TimeSpan.FromDays(2).Ticks);
                }
            }
        }

        return ChainModel.Build(pipeline, departures, departures, false, 1, new Lazy<long[]>(() => []), budget: budget);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(ChainModel.DenseLimit)]
    [InlineData(ChainModel.DenseLimit + 1)]
    [InlineData(2000)]
    public void Ring_EveryStageHasTheClosedFormChance_ByEliminationOrByIteration(int stages)
    {
        var model = Ring(stages, 18, 1, 1);

        Assert.All(Enumerable.Range(0, stages), s =>
        {
            Assert.Equal(0.5, model.Won[s]!.Value, 1e-12);
            Assert.Equal(0.5, model.LostProbability[s]!.Value, 1e-12);
            Assert.Equal(0.0, model.UnknownProbability[s]!.Value, 1e-12);
            Assert.Equal(20.0, model.ExpectedDays[s]!.Value, 1e-9);
        });
        Assert.Equal(0, model.ApproximatedStages);
    }

    [Fact]
    public void Loop_ThatAlmostNeverLetsGo_IsApproximatedFromBelow_WithinTheBudget()
    {
        // 400 stages, each leaving to every other one 25 times and to won and lost once: 9,975 of 9,977 departures stay
        // in the loop. By symmetry the chance is 0.5; a sweep (160,000 moves) shrinks the error by about 0.9998, and the
        // budget allows some 26 sweeps.
        const int Stages = 400;
        var pipeline = new PipelineDefinition(new PipelineId("loop"), "Loop", [.. Enumerable.Range(0, Stages + 1).Select(i => new StageDefinition(new StageId($"s{i}")))]);
        var departures = new DepartureStats[Stages + 1];
        departures[Stages] = DepartureStats.Empty;
        for (var s = 0; s < Stages; s++)
        {
            departures[s] = new DepartureStats(Stages + 2);
            for (var t = 0; t < Stages + 2; t++)
            {
                for (var k = 0; k < (t == s ? 0 : t >= Stages ? 1 : 25); k++)
                {
                    departures[s].Add(t, TimeSpan.TicksPerDay);
                }
            }
        }

        var budget = new IterationAllowance();
        var model = ChainModel.Build(pipeline, departures, departures, false, 1, new Lazy<long[]>(() => []), budget: budget);

        Assert.Equal(Stages, model.ApproximatedStages);
        Assert.True(budget.Remaining <= 0);
        Assert.All(Enumerable.Range(0, Stages), s => Assert.InRange(model.Won[s]!.Value, 0, 0.5));
        Assert.True(model.Won[0] < 0.1, $"{model.Won[0]}");
    }
}
