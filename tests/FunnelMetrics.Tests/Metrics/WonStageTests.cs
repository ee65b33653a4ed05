using FunnelMetrics.Metrics;
using FunnelMetrics.Tests.Support;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Metrics;

/// <summary>Hand-computed figures where the won stage is not last, and where a win is reopened and won again.</summary>
public sealed class WonStageTests
{
    private static readonly StageId A = new("a"), Won = new("won"), After = new("after"), B = new("b");

    private static async Task<FunnelEventLog> RecordAsync(PipelineDefinition pipeline, Func<FunnelMetrics.Recording.FunnelRecorder, ClientId, Task> history)
    {
        var h = new RecorderHarness();
        await h.Store.Pipelines.AddAsync(pipeline);
        var client = (await h.Recorder.AddClientAsync(new Client(new ClientId("x"), pipeline.Id, Anna, T0, 500m))).Id;
        await history(h.Recorder, client);
        return FunnelEventLog.Build(pipeline, [.. await h.Store.Clients.ListAsync(pipeline.Id).ToListAsync()], await h.EventsOfAsync(client));
    }

    /// <summary>a → after (a skip past the won stage) → won → reopened into a → won again.</summary>
    private static Task<FunnelEventLog> WonInTheMiddleAsync() => RecordAsync(
        new PipelineDefinition(new PipelineId("p"), "P", [new StageDefinition(A), new StageDefinition(Won), new StageDefinition(After)], wonStage: Won),
        async (r, c) =>
        {
            await r.MoveAsync(c, A, T0);
            await r.MoveAsync(c, After, T0.AddDays(1));
            await r.MoveAsync(c, Won, T0.AddDays(2));
            await r.ReopenAsync(c, A, T0.AddDays(3));
            await r.MoveAsync(c, Won, T0.AddDays(4));
        });

    [Fact]
    public async Task Ledger_CountsTheReopenOutOfTheWonStage()
    {
        var ledger = FlowLedgerCalculator.Compute(await WonInTheMiddleAsync(), DateOnly.FromDateTime(T0.UtcDateTime), DateOnly.FromDateTime(T0.AddDays(4).UtcDateTime), "UTC");

        Assert.Equal([0, 0, 1, 0, 1], ledger.Days.Select(d => d.Totals.Wins));
        Assert.Equal(new StageFlow(Won, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0), ledger.Days[3].Stages[1]);
        Assert.Equal(new StageFlow(A, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1), ledger.Days[3].Stages[0]);
        Assert.Equal(1, ledger.Days[3].Totals.Reopens);
        Assert.Equal([0, 0, 1, 0, 1], ledger.Days.Select(d => d.Totals.WonAtEnd));
        Assert.Equal(1, ledger.Days[1].Stages[0].AdvancedOut);
        Assert.Equal(1, ledger.Days[2].Stages[2].AdvancedOut);
    }

    [Fact]
    public async Task Velocity_CountsOnlyWinsStillStandingAtTheWindowsEnd()
    {
        var log = await WonInTheMiddleAsync();

        var whole = VelocityCalculator.Compute(log, new TimeWindow(T0, T0.AddDays(5)));
        var beforeTheSecondWin = VelocityCalculator.Compute(log, new TimeWindow(T0, T0.AddDays(3.5)));

        Assert.Equal([2, 0, 1], whole.Stages.Select(s => s.ForwardMoves));
        Assert.Equal((1, TimeSpan.FromDays(4)), (whole.CycleTime.Count, whole.CycleTime.Median!.Value));
        Assert.Equal((1.0, 500m), (whole.SalesVelocity.WinRate!.Value, whole.SalesVelocity.AverageWonValue!.Value));
        Assert.Equal(0, beforeTheSecondWin.CycleTime.Count);
        Assert.Null(beforeTheSecondWin.SalesVelocity.WinRate);
        Assert.Equal(1, beforeTheSecondWin.SalesVelocity.OpenClients);
    }

    [Fact]
    public async Task Conversion_CountsTheSkipPastTheWonStageAsAdvancing()
    {
        var conversion = ConversionCalculator.Compute(await WonInTheMiddleAsync(), new TimeWindow(T0, T0.AddDays(1)), T0.AddDays(5));

        Assert.Equal([(1, 1), (0, 0), (0, 0)], conversion.Stages.Select(s => (s.Cohort, s.Advanced)));
        Assert.Equal((1, 1), (conversion.FirstStageCohort, conversion.WonFromFirstStage));
        Assert.Equal(new WinRate(0, 0, null), conversion.WinRate);
    }

    [Fact]
    public async Task StageCounts_CountTheWonStageWhereverItStands()
    {
        var log = await WonInTheMiddleAsync();

        Assert.Equal([0, 1, 0], StageCountsCalculator.Compute(log, T0.AddDays(2.5)).Stages.Select(s => s.Clients));
        Assert.Equal([0, 0, 1], StageCountsCalculator.Compute(log, T0.AddDays(1.5)).Stages.Select(s => s.Clients));
        Assert.Equal(1, StageCountsCalculator.Compute(log, T0.AddDays(1.5)).InWork);
    }

    [Fact]
    public async Task Conversion_WithTheWonStageFirst_StartsTheCumulativeFunnelAtTheFirstOpenStage()
    {
        var log = await RecordAsync(
            new PipelineDefinition(new PipelineId("q"), "Q", [new StageDefinition(Won), new StageDefinition(A), new StageDefinition(B)], wonStage: Won),
            async (r, c) =>
            {
                await r.MoveAsync(c, A, T0);
                await r.MoveAsync(c, B, T0.AddDays(1));
                await r.MoveAsync(c, Won, T0.AddDays(2));
            });

        var conversion = ConversionCalculator.Compute(log, new TimeWindow(T0, T0.AddDays(1)), T0.AddDays(3));

        Assert.Equal((1, 1, 1.0), (conversion.FirstStageCohort, conversion.WonFromFirstStage, conversion.WonFromFirstStageShare!.Value));
        Assert.Equal([1, 1, 1], conversion.Stages.Select(s => s.ReachedFromFirstStage));
        Assert.Equal((1, 1), (conversion.Stages[1].Cohort, conversion.Stages[1].Advanced));
    }
}
