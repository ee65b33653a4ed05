using FunnelMetrics.Metrics;
using static FunnelMetrics.Testing.Seed;
using static FunnelMetrics.Tests.Support.WorkedExample;

namespace FunnelMetrics.Tests.Metrics.FlowLedgerTests;

/// <summary>The flow ledger of the hand-computed week of <see cref="Support.WorkedExample"/>.</summary>
public sealed class WorkedExampleTests
{
    [Fact]
    public async Task FlowLedger_Tuesday_InSofia()
    {
        var ledger = FlowLedgerCalculator.Compute(await HistoryAsync(), new DateOnly(2026, 3, 3), new DateOnly(2026, 3, 3), "Europe/Sofia");

        var day = Assert.Single(ledger.Days);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 22, 0, 0, TimeSpan.Zero), day.Start);
        Assert.Equal(new DateTimeOffset(2026, 3, 3, 22, 0, 0, TimeSpan.Zero), day.End);
        Assert.Equal(new StageFlow(DecisionMaker, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0), day.Stages[0]);
        Assert.Equal(new StageFlow(Interest, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2), day.Stages[1]);
        Assert.Equal(new StageFlow(Meeting, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), day.Stages[2]);
        Assert.Equal(new FlowTotals(0, 3, 0, 0, 0, 0, 1, 3, 0, 0), day.Totals);

        var anna = day.ByOwner.Single(o => o.Owner == Anna);
        Assert.Equal(new StageFlow(Interest, 2, 0, 0, 1, 0, 0, 0, 1, 0, 0, 2), anna.Stages[1]);
        Assert.Equal(new FlowTotals(0, 3, 0, 0, 0, 0, 0, 3, 0, 0), anna.Totals);
        var boris = day.ByOwner.Single(o => o.Owner == Boris);
        Assert.Equal(new StageFlow(Interest, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0), boris.Stages[1]);
        Assert.Equal(1, boris.Totals.Activities);
    }

    [Fact]
    public async Task FlowLedger_WholeWeek_CountsNewClientsLossesWinsAndReopens()
    {
        var ledger = FlowLedgerCalculator.Compute(await HistoryAsync(), new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 6), "UTC");

        Assert.Equal([3, 0, 0, 0, 0], ledger.Days.Select(d => d.Totals.New));
        Assert.Equal([0, 0, 1, 0, 0], ledger.Days.Select(d => d.Totals.Losses));
        Assert.Equal([0, 0, 0, 1, 0], ledger.Days.Select(d => d.Totals.Regressions));
        Assert.Equal([0, 0, 0, 0, 1], ledger.Days.Select(d => d.Totals.Wins));
        Assert.Equal([0, 0, 0, 0, 1], ledger.Days.Select(d => d.Totals.Reopens));
        Assert.Equal([0, 1, 0, 1, 0], ledger.Days.Select(d => d.Totals.Activities));
        Assert.Equal(2, ledger.Days[0].Stages[0].New);
        Assert.Equal(1, ledger.Days[0].Stages[1].New);
        Assert.Equal(1, ledger.Days[2].Stages[2].Lost);
        Assert.Equal(1, ledger.Days[4].Stages[1].Reopened);
        Assert.Equal(1, ledger.Days[3].Stages[3].Activities);
        Assert.Equal([0, 0, 1, 1, 0], ledger.Days.Select(d => d.Totals.LostAtEnd));
        Assert.Equal([3, 3, 2, 2, 2], ledger.Days.Select(d => d.Totals.InWorkAtEnd));
    }
}
