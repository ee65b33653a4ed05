using FunnelMetrics.Forecasting;
using FunnelMetrics.Metrics;
using FunnelMetrics.Tests.Support;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Forecasting;

/// <summary>
/// Hand-computed forecasts on a three-stage pipeline a, b, w (w = won). From a, 10 visits of 2 days ended: 6 went on to b,
/// 4 were lost. From b, 10 visits of 4 days ended: 5 won, 5 lost. So P(won | b) = 0.5 and P(won | a) = 0.6 x 0.5 = 0.3;
/// the expected days to close are 4 from b and 2 + 0.6 x 4 = 4.4 from a. In work at day 10: two clients in a since day 9,
/// one in b since day 8, each worth 1000.
/// </summary>
public sealed class ForecastTests
{
    private static readonly StageId A = new("a"), B = new("b"), W = new("w");
    private static readonly PipelineDefinition Abw = new(new PipelineId("abw"), "ABW", [new StageDefinition(A), new StageDefinition(B), new StageDefinition(W)]);
    private static readonly DateTimeOffset Now = T0.AddDays(10);
    private static readonly ForecastOptions Seeded = new();

    private static async Task<FunnelEventLog> HistoryAsync(PipelineDefinition? pipeline = null, bool withOpenClients = true)
    {
        pipeline ??= Abw;
        var h = new RecorderHarness();
        await h.Store.Pipelines.AddAsync(pipeline);
        async Task<ClientId> Add(string id, OwnerId? owner = null) =>
            (await h.Recorder.AddClientAsync(new Client(new ClientId(id), pipeline.Id, owner ?? Anna, T0, 1000m))).Id;

        for (var i = 1; i <= 10; i++)
        {
            var c = await Add($"h{i:D2}", i <= 2 ? Boris : Anna);
            await h.Recorder.MoveAsync(c, A, T0);
            if (i <= 6)
            {
                await h.Recorder.MoveAsync(c, B, T0.AddDays(2));
                if (i <= 3)
                {
                    await h.Recorder.MoveAsync(c, W, T0.AddDays(6));
                }
                else
                {
                    await h.Recorder.MarkLostAsync(c, occurredAt: T0.AddDays(6));
                }
            }
            else
            {
                await h.Recorder.MarkLostAsync(c, occurredAt: T0.AddDays(2));
            }
        }

        for (var i = 11; i <= 14; i++)
        {
            var c = await Add($"h{i:D2}");
            await h.Recorder.MoveAsync(c, B, T0);
            if (i <= 12)
            {
                await h.Recorder.MoveAsync(c, W, T0.AddDays(4));
            }
            else
            {
                await h.Recorder.MarkLostAsync(c, occurredAt: T0.AddDays(4));
            }
        }

        if (withOpenClients)
        {
            await h.Recorder.MoveAsync(await Add("open-a1"), A, T0.AddDays(9));
            await h.Recorder.MoveAsync(await Add("open-a2", Boris), A, T0.AddDays(9));
            await h.Recorder.MoveAsync(await Add("open-b"), B, T0.AddDays(8));
        }

        return await h.LogAsync(pipeline);
    }

    [Fact]
    public async Task Chain_GivesEachStagesWinProbabilityAndTimeToClose()
    {
        var forecast = ForecastCalculator.Compute(await HistoryAsync(), Now, Seeded);

        Assert.True(forecast.HasBasis);
        Assert.Null(forecast.Reason);
        Assert.Empty(forecast.Limitations);
        var (a, b) = (forecast.Stages[0], forecast.Stages[1]);
        Assert.Equal((StageBasis.History, 10, 0.6, 0.4), (a.Basis, a.Departures, a.NextShare!.Value, a.LostShare!.Value));
        Assert.Equal((0.0, 0.0, 0.0), (a.LaterShare!.Value, a.EarlierShare!.Value, a.WonShare!.Value));
        Assert.Equal((StageBasis.History, 10, 0.5, 0.5), (b.Basis, b.Departures, b.WonShare!.Value, b.LostShare!.Value));
        Assert.Equal(0.3, a.WinProbability!.Value, 12);
        Assert.Equal(0.7, a.LossProbability!.Value, 12);
        Assert.Equal(0.5, b.WinProbability!.Value, 12);
        Assert.Equal(4.4, a.ExpectedDaysToClose!.Value, 9);
        Assert.Equal(4.0, b.ExpectedDaysToClose!.Value, 9);
        Assert.Equal(TimeSpan.FromDays(2), a.TimeInStage.Median);
        Assert.Equal((2, 1), (a.ClientsInWork, b.ClientsInWork));
        Assert.Equal((3, 0), (forecast.OpenClients, forecast.ClientsWithoutBasis));
        Assert.Equal(1.1, forecast.ExpectedWins!.Value, 12);
        Assert.Equal(1100m, decimal.Round(forecast.ExpectedValue!.Value, 6));
    }

    [Fact]
    public async Task Horizon_CountsOnlyWinsThatCanHappenInTime()
    {
        var log = await HistoryAsync();

        // b's visits last 4 days: open-b, there for 2 days, leaves on day 12 and is won with 0.5. a's clients leave on
        // day 11 and can be won on day 15 at the earliest, with 0.6 x 0.5.
        var oneDay = ForecastCalculator.Compute(log, Now, Seeded, Now.AddDays(1)).Horizon!;
        var threeDays = ForecastCalculator.Compute(log, Now, Seeded, Now.AddDays(3)).Horizon!;
        var longRun = ForecastCalculator.Compute(log, Now, Seeded, Now.AddDays(100)).Horizon!;

        Assert.Equal((0.0, 0, 0, 0, 0m), (oneDay.ExpectedWins, oneDay.P10, oneDay.P50, oneDay.P90, oneDay.ExpectedValue));
        // One client with 0.5: P(0 wins) = 0.5 reaches the median, P90 needs the win.
        Assert.Equal((0.5, 0, 0, 1, 500m), (threeDays.ExpectedWins, threeDays.P10, threeDays.P50, threeDays.P90, decimal.Round(threeDays.ExpectedValue, 9)));
        // Every path has ended: 0.3 + 0.3 + 0.5. P(0) = 0.7² x 0.5 = 0.245, P(≤ 1) = 0.245 + 2 x 0.3 x 0.7 x 0.5 + 0.245 = 0.7,
        // P(≤ 2) = 0.7 + 0.3² x 0.5 + 2 x 0.3 x 0.7 x 0.5 = 0.955.
        Assert.Equal(1.1, longRun.ExpectedWins, 12);
        Assert.Equal((0, 1, 2), (longRun.P10, longRun.P50, longRun.P90));
        Assert.Equal(1100m, decimal.Round(longRun.ExpectedValue, 9));
        Assert.Equal(Now.AddDays(100), longRun.End);
    }

    [Fact]
    public async Task Horizon_RoundsEachVisitUpToWholeBins_SoAPathEndingAtTheHorizonMayWaitABinPerVisit()
    {
        var log = await HistoryAsync();

        // a's clients: 1 day left in a, then 4 days in b, won at exactly T + 5 days. On 512 bins of 5 days (14 min 3.75 s
        // each) that is ceil(102.4) + ceil(409.6) = 513 bins: one too many. An hour later the bins are 121 h / 512 and the
        // two visits take ceil(101.55) + ceil(406.2) = 509 of 512. open-b's single visit (2 days) is exact either way.
        var atFive = ForecastCalculator.Compute(log, Now, Seeded, Now.AddDays(5)).Horizon!;
        var anHourLater = ForecastCalculator.Compute(log, Now, Seeded, Now.AddDays(5).AddHours(1)).Horizon!;
        var justBeforeTwo = ForecastCalculator.Compute(log, Now, Seeded, Now.AddDays(2).AddTicks(-1)).Horizon!;
        var atTwo = ForecastCalculator.Compute(log, Now, Seeded, Now.AddDays(2)).Horizon!;

        Assert.Equal(0.5, atFive.ExpectedWins, 12);
        Assert.Equal(1.1, anHourLater.ExpectedWins, 12);
        Assert.Equal((0.0, 0.5), (justBeforeTwo.ExpectedWins, atTwo.ExpectedWins));
    }

    [Fact]
    public async Task Horizon_IsNotTimed_WhenAStageWithRatesHasNoDurations()
    {
        // The configured stage a has no departure and the team none at all: its rate is known, its durations are not.
        var configured = new PipelineDefinition(new PipelineId("abw"), "ABW", [new StageDefinition(A, winProbability: 0.25), new StageDefinition(B), new StageDefinition(W)]);
        var h = new RecorderHarness();
        await h.Store.Pipelines.AddAsync(configured);
        await h.Recorder.AddClientAsync(new Client(new ClientId("c"), configured.Id, Anna, T0));
        await h.Recorder.MoveAsync(new ClientId("c"), A, T0);
        var log = await h.LogAsync(configured);

        var forecast = ForecastCalculator.Compute(log, Now, Seeded, Now.AddDays(10));

        Assert.Equal(0.25, forecast.ExpectedWins);
        Assert.Null(forecast.Horizon);
        Assert.Contains("cannot be timed", forecast.Reason, StringComparison.Ordinal);
        // As data: the stage with a rate but no durations, for the forecast and for anna's, whose horizon is absent too.
        Assert.Equal(
            [(ForecastLimitationKind.HorizonNotTimed, (OwnerId?)null, A), (ForecastLimitationKind.HorizonNotTimed, Anna, A)],
            forecast.Limitations.Select(l => (l.Kind, l.Owner, Assert.Single(l.Stages))));
        Assert.Null(Assert.Single(forecast.ByOwner).Horizon);
        Assert.Equal(forecast.Reason, forecast.Limitations[0].Message);
    }

    [Fact]
    public async Task Target_GivesTheDailyIntakeThatReachesIt()
    {
        var forecast = ForecastCalculator.Compute(await HistoryAsync(), Now, Seeded, Now.AddDays(30), targetWins: 5);

        var goal = forecast.Target!;
        Assert.Equal(5, goal.TargetWins);
        Assert.Equal(1.1, goal.ExpectedWinsFromPipeline, 12);
        Assert.Equal(0.3, goal.FirstStageWinProbability!.Value, 12);
        Assert.Equal(3.9 / (30 * 0.3), goal.SteadyStateDailyIntake!.Value, 12);
        // A new client is won 2 + 4 days after arriving, with 0.3: arrivals in the first 24 of the 30 days, q = 0.3 x 24/30.
        // On 512 bins of 30 days the two visits take ceil(34.13) + ceil(68.27) = 104 bins, so an arrival wins when at
        // least 104 of its bins are left: 408 of the 512, q = 0.3 x 408/512 = 0.2390625.
        Assert.Equal(3.9 / (30 * 0.3 * 408 / 512), goal.WithinHorizonDailyIntake!.Value, 12);
        var none = ForecastCalculator.Compute(await HistoryAsync(), Now, Seeded, Now.AddDays(30), targetWins: 0).Target!;
        Assert.Equal((0.0, 0.0), (none.SteadyStateDailyIntake, none.WithinHorizonDailyIntake));
    }

    [Fact]
    public async Task Intake_AddsNewClientsAtTheRecentDailyRate()
    {
        var log = await HistoryAsync();

        var without = ForecastCalculator.Compute(log, Now, Seeded, Now.AddDays(60)).Horizon!;
        var with = ForecastCalculator.Compute(log, Now, new ForecastOptions { IncludeIntake = true }, Now.AddDays(60)).Horizon!;

        // 12 new clients entered a in the history, which covers 10 of the window's 180 days: 1.2 a day.
        Assert.Equal(1.2, with.IntakePerDay!.Value, 12);
        Assert.Null(without.IntakePerDay);
        // 60 days x 1.2 = 72 arrivals, each won with 0.3 if it arrives in time: the two visits take ceil(17.07) + ceil(34.13)
        // = 53 of 512 bins, so 459 of the 512 arrival bins are in time: λ = 72 x 0.3 x 459/512 (about 19.36; 19.44 exactly in
        // continuous time).
        var lambda = 72 * 0.3 * 459 / 512;
        Assert.Equal(1.1, without.ExpectedWins, 12);
        Assert.Equal(1.1 + lambda, with.ExpectedWins, 12);
        Assert.Equal(without.ExpectedValue, with.ExpectedValue);
        // The count is the three clients' (0.3, 0.3, 0.5) plus a Poisson(λ): its percentiles, by adding the two.
        double[] clients = [0.245, 0.455, 0.255, 0.045];
        int Percentile(double level)
        {
            double cdf = 0;
            for (var k = 0; ; k++)
            {
                for (var c = 0; c <= Math.Min(k, 3); c++)
                {
                    cdf += clients[c] * Math.Exp(-lambda + ((k - c) * Math.Log(lambda)) - LogFactorial(k - c));
                }

                if (cdf >= level)
                {
                    return k;
                }
            }
        }

        Assert.Equal((Percentile(0.1), Percentile(0.5), Percentile(0.9)), (with.P10, with.P50, with.P90));
        Assert.Equal((15, 20, 26), (with.P10, with.P50, with.P90));
    }

    private static double LogFactorial(int n) => Enumerable.Range(1, n).Sum(i => Math.Log(i));

    [Fact]
    public async Task ByOwner_FallsBackToTeamRatesWhereTheOwnerHasTooLittleHistory()
    {
        // boris had 2 departures from each stage and anna 8; with a minimum of 8, anna's own rates count and boris gets the team's.
        var forecast = ForecastCalculator.Compute(await HistoryAsync(), Now, new ForecastOptions { MinimumDepartures = 8 });

        var boris = forecast.ByOwner.Single(o => o.Owner == Boris);
        Assert.Equal([StageBasis.TeamHistory, StageBasis.TeamHistory], boris.Stages.Select(s => s.Basis));
        Assert.Equal((1, 0, 0.3), (boris.OpenClients, boris.ClientsWithoutBasis, Math.Round(boris.ExpectedWins!.Value, 12)));
        var anna = forecast.ByOwner.Single(o => o.Owner == Anna);
        Assert.Equal([StageBasis.History, StageBasis.History], anna.Stages.Select(s => s.Basis));
        Assert.Equal((8, 8), (anna.Stages[0].Departures, anna.Stages[1].Departures));
        // anna's own a: 4 of 8 to b, 4 lost; b: 3 of 8 won (h03 + h11, h12). So P(won | b) = 3/8 and P(won | a) = 0.5 x 3/8.
        Assert.Equal((3 / 8.0) + (0.5 * 3 / 8.0), anna.ExpectedWins!.Value, 12);
    }

    [Fact]
    public async Task StageWithTooLittleHistory_FallsBackToItsConfiguredWinProbability_OrSaysItIsSparse()
    {
        var configured = new PipelineDefinition(new PipelineId("abw"), "ABW", [new StageDefinition(A, winProbability: 0.25), new StageDefinition(B), new StageDefinition(W)]);

        var withProbability = ForecastCalculator.Compute(await HistoryAsync(configured), Now, new ForecastOptions { MinimumDepartures = 11 });
        var sparse = ForecastCalculator.Compute(await HistoryAsync(), Now, new ForecastOptions { MinimumDepartures = 11 });

        Assert.Equal(StageBasis.ConfiguredWinProbability, withProbability.Stages[0].Basis);
        Assert.Equal(0.25, withProbability.Stages[0].WinProbability);
        Assert.Equal(StageBasis.SparseHistory, sparse.Stages[0].Basis);
        Assert.Contains("Stage(s) a, b had fewer than 11 departures", sparse.Reason, StringComparison.Ordinal);
        var sparseStages = Assert.Single(sparse.Limitations, l => l.Owner is null);
        Assert.Equal((ForecastLimitationKind.SparseHistory, null), (sparseStages.Kind, sparseStages.Clients));
        Assert.Equal([A, B], sparseStages.Stages);
        Assert.Equal(sparse.Reason, sparseStages.Message);
        // Each owner's chain is sparse at both stages too (neither owner nor team reaches 11), and says so for the owner.
        Assert.Equal([Anna, Boris], sparse.Limitations.Where(l => l.Kind == ForecastLimitationKind.SparseHistory && l.Owner is not null).Select(l => l.Owner!.Value));
        // With a configured probability for a, only b is sparse.
        Assert.Equal([B], Assert.Single(withProbability.Limitations, l => l.Owner is null).Stages);
        Assert.Equal(0.3, sparse.Stages[0].WinProbability!.Value, 12);
    }

    [Fact]
    public async Task StageWithoutBasisDownstream_MakesTheFateUnknown_AndTheForecastSaysSo()
    {
        // Only a's departures are in the window: b (where 6 of 10 went) has no basis, so a's wins are unknown.
        var forecast = ForecastCalculator.Compute(await HistoryAsync(), T0.AddDays(3), Seeded);

        Assert.Equal(StageBasis.None, forecast.Stages[1].Basis);
        Assert.Equal((0.0, 0.4, 0.6), (forecast.Stages[0].WinProbability!.Value, forecast.Stages[0].LossProbability!.Value, Math.Round(forecast.Stages[0].UnknownProbability!.Value, 12)));
        Assert.Contains("no basis", forecast.Reason, StringComparison.Ordinal);
        Assert.Equal(6 + 4, forecast.ClientsWithoutBasis); // the six clients in b and the four who entered b directly
        var withoutBasis = Assert.Single(forecast.Limitations, l => l.Owner is null);
        Assert.Equal((ForecastLimitationKind.ClientsWithoutBasis, 10), (withoutBasis.Kind, withoutBasis.Clients));
        Assert.Equal([B], withoutBasis.Stages);
        // The same per owner: boris's two clients in b and anna's eight.
        Assert.Equal(
            [(Anna, 8), (Boris, 2)],
            forecast.Limitations.Where(l => l.Owner is not null).Select(l => (l.Owner!.Value, l.Clients!.Value)));
        Assert.Null(forecast.ExpectedWins); // every client in work is without basis: no number is presented as a prediction

    }

    [Fact]
    public async Task ClientHeadingForAStageWithoutBasis_HasAnUnknownFate_AndTheForecastSaysSo()
    {
        var h = new RecorderHarness();
        await h.Store.Pipelines.AddAsync(Abw);
        for (var i = 0; i < 10; i++)
        {
            var c = (await h.Recorder.AddClientAsync(new Client(new ClientId($"c{i}"), Abw.Id, Anna, T0))).Id;
            await h.Recorder.MoveAsync(c, A, T0);
            await (i < 6 ? h.Recorder.MoveAsync(c, B, T0.AddDays(2)) : h.Recorder.MarkLostAsync(c, occurredAt: T0.AddDays(2)));
        }

        var waiting = (await h.Recorder.AddClientAsync(new Client(new ClientId("waiting"), Abw.Id, Anna, T0))).Id;
        await h.Recorder.MoveAsync(waiting, A, T0.AddDays(2.5));
        var log = await h.LogAsync(Abw);

        var forecast = ForecastCalculator.Compute(log, T0.AddDays(3), Seeded);

        Assert.Equal(0.6, forecast.Stages[0].UnknownProbability!.Value, 12);
        Assert.Equal(0.0, forecast.ExpectedWins); // the client in a has a basis; its chance of a win through b is unknown, not a prediction of zero...
        Assert.Contains("1 client(s) in work may reach a stage with no basis", forecast.Reason, StringComparison.Ordinal); // ...and the forecast says so
        // As data: the six clients in b count in no figure; the one in a has a partly unknown fate.
        Assert.Equal(
            [(ForecastLimitationKind.ClientsWithoutBasis, 6, B), (ForecastLimitationKind.UnknownFate, 1, A)],
            forecast.Limitations.Where(l => l.Owner is null).Select(l => (l.Kind, l.Clients!.Value, Assert.Single(l.Stages))));
    }

    [Fact]
    public async Task PipelineWithoutHistory_SaysThereIsNoBasis_InsteadOfPredictingZero()
    {
        var h = new RecorderHarness();
        await h.Store.Pipelines.AddAsync(Abw);
        await h.Recorder.AddClientAsync(new Client(new ClientId("c"), Abw.Id, Anna, T0));
        await h.Recorder.MoveAsync(new ClientId("c"), A, T0);
        var log = FunnelEventLog.Build(Abw, await h.Store.Clients.ListAsync(Abw.Id).ToListAsync(), await h.EventsOfAsync(new ClientId("c")));

        var forecast = ForecastCalculator.Compute(log, Now, Seeded, Now.AddDays(10), 3);

        Assert.False(forecast.HasBasis);
        Assert.Contains("nothing to forecast from", forecast.Reason, StringComparison.Ordinal);
        var nothing = Assert.Single(forecast.Limitations);
        Assert.Equal((ForecastLimitationKind.NoBasis, 1, (OwnerId?)null, forecast.Reason), (nothing.Kind, nothing.Clients, nothing.Owner, nothing.Message));
        Assert.Empty(nothing.Stages);
        Assert.Null(forecast.ExpectedWins);
        Assert.Null(forecast.Horizon);
        Assert.Null(forecast.Target);
        Assert.Equal(1, forecast.ClientsWithoutBasis);
        Assert.All(forecast.Stages, s => Assert.Equal(StageBasis.None, s.Basis));
    }

    [Fact]
    public async Task BadInput_ThrowsNamingTheSetting()
    {
        var log = await HistoryAsync();

        Assert.Equal("horizonEnd", Assert.Throws<ArgumentOutOfRangeException>(() => ForecastCalculator.Compute(log, Now, Seeded, Now)).ParamName);
        Assert.Equal("targetWins", Assert.Throws<ArgumentOutOfRangeException>(() => ForecastCalculator.Compute(log, Now, Seeded, Now.AddDays(1), -1)).ParamName);
        Assert.Equal("targetWins", Assert.Throws<ArgumentOutOfRangeException>(() => ForecastCalculator.Compute(log, Now, Seeded, null, 3)).ParamName);
        Assert.Equal("instants", Assert.Throws<ArgumentException>(() => ForecastCalculator.Backtest(log, new TimeWindow(Now, Now), TimeSpan.FromDays(1), TimeSpan.FromDays(7), Seeded)).ParamName);
        var window = Assert.Throws<ArgumentException>(() => ForecastCalculator.Compute(log, Now, new ForecastOptions { HistoryWindow = TimeSpan.Zero }));
        Assert.Equal("options", window.ParamName);
        Assert.Contains("Forecast.HistoryWindow must be between 1 day and 3650 days, both inclusive; got 00:00:00.", window.Message, StringComparison.Ordinal);
        var departures = Assert.Throws<ArgumentException>(() => ForecastCalculator.Backtest(log, new TimeWindow(T0, Now), TimeSpan.FromDays(1), TimeSpan.FromDays(7), new ForecastOptions { MinimumDepartures = 0 }));
        Assert.Equal("options", departures.ParamName);
        Assert.Contains("Forecast.MinimumDepartures", departures.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backtest_ComparesPastForecastsWithTheWinsThatFollowed()
    {
        var log = await HistoryAsync(withOpenClients: false);

        // At day 5 the six clients in b have been there 3 days; b's 4 sparse departures say 4-day visits, half won: each
        // leaves a day later and is won with 0.5, so 3 expected, a Binomial(6, 0.5) with P(≤ 1) = 7/64 and P(≤ 4) = 57/64;
        // 3 were won on day 6.
        var backtest = ForecastCalculator.Backtest(log, TimeWindow.Starting(T0.AddDays(5), TimeSpan.FromDays(1)), TimeSpan.FromDays(1), TimeSpan.FromDays(2), Seeded);

        var point = Assert.Single(backtest.Points);
        Assert.Equal(3, point.Actual);
        Assert.Equal((3.0, 1, 5), (point.Predicted, point.P10, point.P90));
        Assert.Equal(Math.Abs(point.Error), backtest.MeanAbsoluteError);
        Assert.Equal(1.0, backtest.Coverage);
        Assert.Equal(0, backtest.Skipped);
        Assert.Equal("step", Assert.Throws<ArgumentOutOfRangeException>(() => ForecastCalculator.Backtest(log, new TimeWindow(T0, Now), TimeSpan.FromMinutes(1), TimeSpan.FromDays(2), Seeded)).ParamName);
    }
}
