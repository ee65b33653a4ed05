using System.Text.Json;
using FunnelMetrics.Benchmarks;
using FunnelMetrics.Forecasting;
using FunnelMetrics.Metrics;
using FunnelMetrics.Serialization;
using FunnelMetrics.Tests.Support;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Forecasting;

/// <summary>
/// The forecast against actuals month by month (<see cref="ForecastCalculator.MonthlyBacktest"/>): each point is the
/// forecast made at a local month start for the month's end, from the history up to that instant only.
/// </summary>
public sealed class MonthlyBacktestTests
{
    private static readonly StageId A = new("a"), W = new("w");
    private static readonly PipelineDefinition Aw = new(new PipelineId("aw"), "AW", [new StageDefinition(A), new StageDefinition(W)]);
    private static DateTimeOffset Utc(int month, int day) => new(2026, month, day, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1, null, false)]
    [InlineData(2, "owner-001", false)]
    [InlineData(3, null, true)]
    public void EachPoint_IsTheForecastMadeAtTheMonthStart_ForTheMonthsEnd_FromTheHistoryUpToIt(int seed, string? owner, bool intake)
    {
        var (clients, events) = HistoryGenerator.Generate(6_000, seed, owners: 4);
        var log = FunnelEventLog.Build(HistoryGenerator.Pipeline, clients, events);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Sofia");
        var options = new ForecastOptions { IncludeIntake = intake, HistoryWindow = TimeSpan.FromDays(60) };
        var filter = owner is null ? null : new FunnelFilter { Owners = [new OwnerId(owner)] };

        var backtest = ForecastCalculator.MonthlyBacktest(log, new DateOnly(2025, 1, 15), new DateOnly(2026, 1, 31), "Europe/Sofia", options, filter);

        // January 2025 starts before the history (2025-01-06): no basis, so no point.
        Assert.Equal(1, backtest.Skipped);
        Assert.Equal(12, backtest.Points.Count);
        var month = new DateOnly(2025, 2, 1);
        foreach (var point in backtest.Points)
        {
            Assert.Equal(TimeZoneDays.StartOfDay(month, zone), point.MadeAt);
            Assert.Equal(TimeZoneDays.StartOfDay(month.AddMonths(1), zone), point.HorizonEnd);
            Assert.Equal(TimeSpan.Zero, TimeZoneInfo.ConvertTime(point.MadeAt, zone).TimeOfDay);
            var forecast = ForecastCalculator.Compute(log, point.MadeAt, options, point.HorizonEnd, filter: filter).Horizon!;
            Assert.Equal((forecast.ExpectedWins, forecast.P10, forecast.P90), (point.Predicted, point.P10, point.P90));

            // Only the history up to the instant: the same forecast from the events at or before it alone.
            var cut = FunnelEventLog.Build(HistoryGenerator.Pipeline, clients, events.Where(e => e.OccurredAt <= point.MadeAt));
            var blind = ForecastCalculator.Compute(cut, point.MadeAt, options, point.HorizonEnd, filter: filter).Horizon!;
            Assert.Equal((blind.ExpectedWins, blind.P10, blind.P90), (point.Predicted, point.P10, point.P90));

            Assert.Equal(ActualWins(clients, events, point.MadeAt, point.HorizonEnd, owner is null ? null : new OwnerId(owner), intake), point.Actual);
            Assert.Equal(point.Predicted - point.Actual, point.Error);
            month = month.AddMonths(1);
        }

        Assert.Equal(backtest.Points.Average(p => Math.Abs(p.Error)), backtest.MeanAbsoluteError);
        Assert.Equal(backtest.Points.Count(p => p.P10 <= p.Actual && p.Actual <= p.P90) / 12.0, backtest.Coverage);
    }

    /// <summary>
    /// The wins of (madeAt, end], counted from the events alone: the clients open at madeAt with a kept owner, plus, with
    /// intake, those whose first entry (into the first stage, by a kept owner) came in the span; each at most once.
    /// </summary>
    private static int ActualWins(Client[] clients, ClientEvent[] events, DateTimeOffset madeAt, DateTimeOffset end, OwnerId? owner, bool intake)
    {
        var wins = 0;
        foreach (var client in clients)
        {
            var mine = events.Where(e => e.ClientId == client.Id).OrderBy(e => e.Sequence).ToList();
            var state = ClientState.Replay(client, mine.Where(e => e.OccurredAt <= madeAt));
            var openThen = state.Status == ClientStatus.Open && (owner is null || state.Owner == owner);
            var entry = mine.OfType<StageTransition>().FirstOrDefault(t => t.Kind == TransitionKind.Entered);
            var newLater = intake && entry is not null && entry.OccurredAt > madeAt && entry.OccurredAt <= end && entry.ToStage == HistoryGenerator.Pipeline.Stages[0].Key && (owner is null || entry.Owner == owner);
            if ((openThen || newLater) && mine.OfType<StageTransition>().Any(t => t.Kind == TransitionKind.Won && t.OccurredAt > madeAt && t.OccurredAt <= end))
            {
                wins++;
            }
        }

        return wins;
    }

    /// <summary>
    /// The worked example of docs/metrics.md, "Forecast against actuals": two stages a and w (won). In February four clients
    /// entered a on 02-02 and left it on 02-12, two won and two lost; two more entered a on 02-25. On 03-01 those two are
    /// 4 days into visits that last 10, each won with 0.5: 1 expected win in March, P10 0, P90 2 (Binomial(2, 0.5)). One
    /// was won on 03-07, so the error is 0. On 04-01 nothing is in work: no point for April.
    /// </summary>
    [Fact]
    public async Task MonthlyBacktest_WorkedExample()
    {
        var h = new RecorderHarness();
        await h.Store.Pipelines.AddAsync(Aw);
        async Task<ClientId> Enter(string id, DateTimeOffset at)
        {
            var c = (await h.Recorder.AddClientAsync(new Client(new ClientId(id), Aw.Id, Anna, at, 1000m))).Id;
            await h.Recorder.MoveAsync(c, A, at);
            return c;
        }

        for (var i = 1; i <= 4; i++)
        {
            var c = await Enter($"f{i}", Utc(2, 2));
            if (i <= 2)
            {
                await h.Recorder.MoveAsync(c, W, Utc(2, 12));
            }
            else
            {
                await h.Recorder.MarkLostAsync(c, occurredAt: Utc(2, 12));
            }
        }

        var m1 = await Enter("m1", Utc(2, 25));
        var m2 = await Enter("m2", Utc(2, 25));
        await h.Recorder.MoveAsync(m1, W, Utc(3, 7));
        await h.Recorder.MarkLostAsync(m2, occurredAt: Utc(3, 7));
        var log = FunnelEventLog.Build(Aw, await h.Store.Clients.ListAsync(Aw.Id).ToListAsync(), await h.Store.Events.ReadPipelineAsync(Aw.Id, FunnelMetrics.Storage.PipelineEventQuery.All).ToListAsync());

        var backtest = ForecastCalculator.MonthlyBacktest(log, new DateOnly(2026, 2, 1), new DateOnly(2026, 4, 1), "UTC");

        // February: nothing before 02-01, no basis. April: the history has a basis, but no client is in work and none enters: 0 predicted, 0 won.
        var march = backtest.Points.Single(p => p.MadeAt == Utc(3, 1));
        Assert.Equal((Utc(3, 1), Utc(4, 1)), (march.MadeAt, march.HorizonEnd));
        Assert.Equal(1.0, march.Predicted, 9);
        Assert.Equal((0, 2, 1), (march.P10, march.P90, march.Actual));
        Assert.Equal(march.Predicted - 1, march.Error);
        Assert.Equal(1, backtest.Skipped);
        var april = Assert.Single(backtest.Points, p => p.MadeAt == Utc(4, 1));
        Assert.Equal((0.0, 0, 0, 0), (april.Predicted, april.P10, april.P90, april.Actual));
        Assert.Equal(Math.Abs(march.Error) / 2, backtest.MeanAbsoluteError!.Value, 9);
        Assert.Equal(1.0, backtest.Coverage);

        var json = JsonSerializer.Serialize(backtest, FunnelMetricsJsonContext.Default.Backtest);
        Assert.Equal(backtest, JsonSerializer.Deserialize(json, FunnelMetricsJsonContext.Default.Backtest));
    }

    [Fact]
    public async Task MonthlyBacktest_BadInput_NamesTheParameter()
    {
        var log = await WorkedExample.HistoryAsync();
        Assert.Equal("lastMonth", Assert.Throws<ArgumentOutOfRangeException>(() => ForecastCalculator.MonthlyBacktest(log, new DateOnly(2026, 3, 1), new DateOnly(2026, 2, 28), "UTC")).ParamName);
        Assert.Equal("lastMonth", Assert.Throws<ArgumentOutOfRangeException>(() => ForecastCalculator.MonthlyBacktest(log, new DateOnly(1900, 1, 1), new DateOnly(2026, 2, 28), "UTC")).ParamName);
        Assert.Equal("timeZoneId", Assert.Throws<ArgumentException>(() => ForecastCalculator.MonthlyBacktest(log, new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 1), "Nowhere/Else")).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentException>(() => ForecastCalculator.MonthlyBacktest(log, new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 1), "UTC", new ForecastOptions { MinimumDepartures = 0 })).ParamName);
        // Any day names its month: the 31st to the 2nd of March is March alone.
        Assert.Equal(ForecastCalculator.MonthlyBacktest(log, new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 1), "UTC"), ForecastCalculator.MonthlyBacktest(log, new DateOnly(2026, 3, 31), new DateOnly(2026, 3, 2), "UTC"));
        var march = ForecastCalculator.MonthlyBacktest(log, new DateOnly(2026, 3, 31), new DateOnly(2026, 3, 2), "UTC");
        Assert.Equal(1, march.Points.Count + march.Skipped);
    }
}
