using FunnelMetrics.Metrics;
using static FunnelMetrics.Testing.Seed;
using static FunnelMetrics.Tests.Support.DocsWorkedExample;

namespace FunnelMetrics.Tests.Metrics.PipelineValueTests;

/// <summary>Money per stage in the worked example of docs/metrics.md (<see cref="Support.DocsWorkedExample"/>), figure by figure.</summary>
public sealed class DocsWorkedExampleTests
{
    private static (int Clients, int Valued, int Missing, decimal Value) Of(StageValue s) => (s.Clients, s.Valued, s.Missing, s.Value);

    [Fact]
    public async Task PipelineValue()
    {
        var log = await Log.Value;
        var chain = new Dictionary<StageId, double> { [Meeting] = 0.25, [Offer] = 0.5 };

        var thursday = PipelineValueCalculator.Compute(log, At(5, 12), chainWinProbabilities: chain);
        Assert.Equal("EUR", thursday.CurrencyCode);
        Assert.Equal([DecisionMaker, Interest, Meeting, Requirements, Offer, Terms], thursday.Stages.Select(s => s.Stage));
        Assert.Equal([(0, 0, 0, 0m), (0, 0, 0, 0m), (3, 2, 1, 14_000m), (0, 0, 0, 0m), (1, 1, 0, 10_000m), (0, 0, 0, 0m)], thursday.Stages.Select(Of));
        Assert.Equal([null, null, null, null, 4_000m, 0m], thursday.Stages.Select(s => s.WeightedByStageProbability));
        Assert.Equal([null, null, 3_500m, null, 5_000m, null], thursday.Stages.Select(s => s.WeightedByChain));
        var open = thursday.Open;
        Assert.Equal((4, 3, 1, 24_000m), (open.Clients, open.Valued, open.Missing, open.Value));
        Assert.Equal((4_000m, 14_000m, 8_500m, 0m), (open.WeightedByStageProbability, open.ValueWithoutStageProbability, open.WeightedByChain, open.ValueWithoutChainProbability));

        // delta was handed to anna at 12:00 (inclusive): anna has bolt and delta in meeting, acme in offer; boris has cobalt.
        Assert.Equal([Anna, Boris], thursday.ByOwner.Select(o => o.Owner));
        Assert.Equal((2, 1, 1, 6_000m), Of(thursday.ByOwner[0].Stages[2]));
        Assert.Equal((3, 2, 1, 16_000m, 4_000m), (thursday.ByOwner[0].Open.Clients, thursday.ByOwner[0].Open.Valued, thursday.ByOwner[0].Open.Missing, thursday.ByOwner[0].Open.Value, thursday.ByOwner[0].Open.WeightedByStageProbability));
        Assert.Equal((1, 1, 0, 8_000m), Of(thursday.ByOwner[1].Stages[2]));

        var friday = PipelineValueCalculator.Compute(log, At(6, 12));
        Assert.Equal((2, 1, 1, 8_000m), Of(friday.Stages[2]));
        Assert.Equal((1, 1, 0, 10_000m), (friday.Won.Clients, friday.Won.Valued, friday.Won.Missing, friday.Won.Value));
        Assert.Equal((1, 1, 0, 6_000m), (friday.Lost.Clients, friday.Lost.Valued, friday.Lost.Missing, friday.Lost.Value));
        Assert.Equal((0m, 8_000m), (friday.Open.WeightedByStageProbability, friday.Open.ValueWithoutStageProbability));
        Assert.False(friday.HasChainProbabilities);
        Assert.Null(friday.Open.WeightedByChain);
    }
}
