using FunnelMetrics.Metrics;
using static FunnelMetrics.Testing.Seed;
using static FunnelMetrics.Tests.Support.DocsWorkedExample;

namespace FunnelMetrics.Tests.Metrics.FlowLedgerTests;

/// <summary>The flow ledger in the worked example of docs/metrics.md (<see cref="Support.DocsWorkedExample"/>), figure by figure.</summary>
public sealed class DocsWorkedExampleTests
{
    [Theory]
    [InlineData("UTC")]
    [InlineData("Europe/Sofia")]
    public async Task FlowLedger(string zone)
    {
        var ledger = FlowLedgerCalculator.Compute(await Log.Value, new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 6), zone);

        Assert.Equal(
            [
                new FlowTotals(3, 1, 0, 0, 0, 0, 0, 3, 0, 0),
                new FlowTotals(1, 5, 0, 0, 0, 0, 0, 4, 0, 0),
                new FlowTotals(0, 3, 0, 0, 1, 0, 0, 3, 0, 1),
                new FlowTotals(0, 1, 1, 0, 0, 1, 1, 4, 0, 0),
                new FlowTotals(0, 1, 0, 1, 1, 0, 1, 2, 1, 1),
            ],
            ledger.Days.Select(d => d.Totals));
        var tuesday = ledger.Days[1].Stages;
        Assert.Equal(new StageFlow(DecisionMaker, 1, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0), tuesday[0]);
        Assert.Equal(new StageFlow(Interest, 2, 0, 0, 3, 0, 0, 0, 0, 0, 0, 1), tuesday[1]);
        Assert.Equal(new StageFlow(Meeting, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2), tuesday[2]);
        Assert.Equal(new StageFlow(Requirements, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), tuesday[3]);
        var thursday = ledger.Days[3];
        Assert.Equal(new StageFlow(Meeting, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 3), thursday.Stages[2]);
        Assert.Equal(new StageFlow(Requirements, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0), thursday.Stages[3]);
        Assert.Equal(new StageFlow(Offer, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0), thursday.Stages[4]);
        Assert.Equal(new StageFlow(Terms, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), thursday.Stages[5]);
        var anna = thursday.ByOwner.Single(o => o.Owner == Anna);
        var boris = thursday.ByOwner.Single(o => o.Owner == Boris);
        Assert.Equal(new StageFlow(Meeting, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 2), anna.Stages[2]);
        Assert.Equal(new StageFlow(Meeting, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1), boris.Stages[2]);
        Assert.Equal((1, 1, 3), (anna.Totals.ForwardMoves, anna.Totals.Regressions, anna.Totals.InWorkAtEnd));
        Assert.Equal((1, 1, 1, 0), (boris.Totals.Reopens, boris.Totals.Activities, boris.Totals.InWorkAtEnd, boris.Totals.LostAtEnd));
    }
}
