using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Forecasting;
using FunnelMetrics.Metrics;
using FunnelMetrics.Tests.Support;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Forecasting;

public sealed class ForecastProperties
{
    private static readonly ForecastSettings Everything = new() { Seed = 11, MinimumDepartures = 1, HistoryWindow = TimeSpan.FromDays(3650), Runs = 400 };

    [Property(MaxTest = 100)]
    public Property AbsorptionProbabilities_AgreeWithValueIterationOfTheObservedChain() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var forecast = ForecastCalculator.Compute(h.Log(), h.AsOf, Everything);
            var won = h.Pipeline.WonStageIndex;
            var n = h.Pipeline.Stages.Count;

            // Independent oracle: count departures with ClientState, then iterate X <- R + Q X.
            var counts = new double[n, n + 1];
            var totals = new double[n];
            foreach (var client in h.Clients)
            {
                var state = ClientState.Initial(client);
                foreach (var e in h.Events.Where(e => e.ClientId == client.Id && e.OccurredAt <= h.AsOf).OrderBy(e => e.Sequence))
                {
                    if (e is StageTransition t && state.Status == ClientStatus.Open)
                    {
                        var from = h.Pipeline.IndexOf(state.Stage!.Value);
                        counts[from, t.Kind == TransitionKind.Lost ? n : h.Pipeline.IndexOf(t.ToStage!.Value)]++;
                        totals[from]++;
                    }

                    state = state.Apply(e);
                }
            }

            var x = new double[n];
            for (var iteration = 0; iteration < 20_000; iteration++)
            {
                var next = new double[n];
                for (var s = 0; s < n; s++)
                {
                    if (s == won || totals[s] == 0)
                    {
                        // A stage nobody left: its configured probability, if any, else no basis (contributes no win).
                        next[s] = s == won ? 0 : h.Pipeline.Stages[s].WinProbability ?? 0;
                        continue;
                    }

                    next[s] = counts[s, won] / totals[s];
                    for (var t = 0; t < n; t++)
                    {
                        next[s] += t == won ? 0 : counts[s, t] / totals[s] * x[t];
                    }
                }

                x = next;
            }

            foreach (var stage in forecast.Stages)
            {
                var s = h.Pipeline.IndexOf(stage.Stage);
                if (totals[s] == 0)
                {
                    Assert.Equal(h.Pipeline.Stages[s].WinProbability is null ? StageBasis.None : StageBasis.ConfiguredWinProbability, stage.Basis);
                }

                if (stage.WinProbability is { } p)
                {
                    Assert.InRange(p, 0, 1);
                    Assert.InRange(stage.LossProbability!.Value, 0, 1);
                    Assert.Equal(x[s], p, 6);
                    Assert.Equal(1.0, p + stage.LossProbability!.Value + stage.UnknownProbability!.Value, 9);
                    if (forecast.Stages.All(f => f.Basis != StageBasis.None) && stage.UnknownProbability < 1e-9)
                    {
                        Assert.Equal(1.0, p + stage.LossProbability!.Value, 9);
                    }
                }
                else
                {
                    Assert.Equal(0.0, x[s], 9);
                }
            }

            if (forecast.ExpectedWins is { } wins)
            {
                Assert.InRange(wins, 0, forecast.OpenClients - forecast.ClientsWithoutBasis + 1e-9);
            }
        });

    [Property(MaxTest = 40)]
    public Property WinsByAHorizon_NeverDecreaseAsItGrows_AndApproachTheAbsorptionForecast() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var log = h.Log();
            // With intake, a young history can mean many arrivals a day: keep those horizons short.
            var intake = h.Seed % 2 == 0;
            var horizons = (intake ? new[] { 1, 3, 10, 30 } : [1, 3, 10, 30, 100, 365, 36500]).Select(d => h.AsOf.AddDays(d)).ToArray();
            var forecasts = horizons.Select(end => ForecastCalculator.Compute(log, h.AsOf, Everything with { IncludeIntake = intake }, end)).ToArray();
            if (forecasts[0].Horizon is null)
            {
                return;
            }

            var expected = forecasts.Select(f => f.Horizon!.ExpectedWins).ToArray();
            Assert.True(expected.Zip(expected.Skip(1)).All(p => p.First <= p.Second + 1e-12), string.Join(", ", expected));
            Assert.True(forecasts.Zip(forecasts.Skip(1)).All(p => p.First.Horizon!.P90 <= p.Second.Horizon!.P90));
            if (!intake && forecasts[^1].ExpectedWins is not null)
            {
                // Without intake, a hundred years resolves every path; the simulation's mean is within five standard errors of the exact sum.
                var exact = forecasts[^1].ExpectedWins!.Value;
                var tolerance = (5 * Math.Sqrt(forecasts[^1].OpenClients * 0.25 / Everything.Runs)) + 1e-9;
                Assert.InRange(expected[^1], exact - tolerance, exact + tolerance);
            }
        });
}

/// <summary>A synthetic team whose clients move with known probabilities; the forecast must recover them.</summary>
public sealed class ForecastRecoveryTests
{
    private static readonly StageId S1 = new("s1"), S2 = new("s2"), S3 = new("s3"), Won = new("won");

    [Fact]
    public async Task EstimatedRates_AndTheForecast_RecoverTheTruth_WithinThreeHundredths()
    {
        // Truth: from s1 and s2, 70% move on and 30% are lost; from s3, 60% are won. So P(won | s1) = 0.7 x 0.7 x 0.6 = 0.294.
        var pipeline = new PipelineDefinition(new PipelineId("synthetic"), "Synthetic", [new StageDefinition(S1), new StageDefinition(S2), new StageDefinition(S3), new StageDefinition(Won)]);
        var h = new RecorderHarness();
        h.Clock.SetUtcNow(T0.AddDays(400));
        await h.Store.Pipelines.AddAsync(pipeline);
        var random = new Random(2026);
        var start = T0;
        for (var i = 0; i < 3000; i++)
        {
            var id = (await h.Recorder.AddClientAsync(new Client(new ClientId($"c{i:D4}"), pipeline.Id, Anna, start))).Id;
            var at = start.AddHours(random.Next(0, 24 * 90));
            await h.Recorder.MoveAsync(id, S1, at);
            var stages = new[] { S2, S3 };
            var alive = true;
            foreach (var next in stages)
            {
                at = at.AddHours(random.Next(1, 240));
                if (random.NextDouble() < 0.7)
                {
                    await h.Recorder.MoveAsync(id, next, at);
                }
                else
                {
                    await h.Recorder.MarkLostAsync(id, occurredAt: at);
                    alive = false;
                    break;
                }
            }

            if (alive)
            {
                at = at.AddHours(random.Next(1, 240));
                await (random.NextDouble() < 0.6 ? h.Recorder.MoveAsync(id, Won, at) : h.Recorder.MarkLostAsync(id, occurredAt: at));
            }
        }

        for (var i = 0; i < 200; i++)
        {
            var id = (await h.Recorder.AddClientAsync(new Client(new ClientId($"open{i:D3}"), pipeline.Id, Anna, start))).Id;
            await h.Recorder.MoveAsync(id, S1, T0.AddDays(120));
        }

        var log = await h.LogAsync(pipeline);
        var forecast = ForecastCalculator.Compute(log, T0.AddDays(121), new ForecastSettings { Seed = 3, HistoryWindow = TimeSpan.FromDays(365) }, T0.AddDays(121 + 3650));

        Assert.Equal(0.7, forecast.Stages[0].NextShare!.Value, 0.03);
        Assert.Equal(0.7, forecast.Stages[1].NextShare!.Value, 0.03);
        Assert.Equal(0.6, forecast.Stages[2].WonShare!.Value, 0.03);
        Assert.Equal(0.294, forecast.Stages[0].WinProbability!.Value, 0.03);
        Assert.Equal(200 * 0.294, forecast.ExpectedWins!.Value, 200 * 0.03);
        Assert.Equal(200 * 0.294, forecast.Horizon!.ExpectedWins, 200 * 0.03);
        Assert.InRange(200 * 0.294, forecast.Horizon.P10 - 10, forecast.Horizon.P90 + 10);
    }
}
