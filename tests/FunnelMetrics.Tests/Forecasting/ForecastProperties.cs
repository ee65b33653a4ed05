using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Forecasting;
using FunnelMetrics.Tests.Support;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Forecasting;

public sealed class ForecastProperties
{
    private static readonly ForecastOptions Everything = new() { MinimumDepartures = 1, HistoryWindow = TimeSpan.FromDays(3650) };

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
                    Assert.Equal(x[s], p, 1e-6); // a tolerance, not decimal places: rounding to places flips at .5
                    Assert.Equal(1.0, p + stage.LossProbability!.Value + stage.UnknownProbability!.Value, 1e-9);
                    if (forecast.Stages.All(f => f.Basis != StageBasis.None) && stage.UnknownProbability < 1e-9)
                    {
                        Assert.Equal(1.0, p + stage.LossProbability!.Value, 1e-9);
                    }
                }
                else
                {
                    Assert.Equal(0.0, x[s], 1e-9);
                }
            }

            if (forecast.ExpectedWins is { } wins)
            {
                Assert.InRange(wins, 0, forecast.OpenClients - forecast.ClientsWithoutBasis + 1e-9);
            }
        });

    [Property(MaxTest = 100)]
    public Property Limitations_AreTheReasonAsData_ForTheForecastAndEachOwner() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var settings = new ForecastOptions { MinimumDepartures = 1 + (h.Seed % 6), HistoryWindow = TimeSpan.FromDays(30 + (h.Seed % 200)) };
            var horizon = h.Seed % 2 == 0 ? h.AsOf.AddDays(1 + (h.Seed % 40)) : (DateTimeOffset?)null;
            var forecast = ForecastCalculator.Compute(h.Log(), h.AsOf, settings, horizon);
            var own = forecast.Limitations.Where(l => l.Owner is null).ToList();

            // The prose is the forecast's own limitations joined; the owners' follow them, in ByOwner order.
            Assert.Equal(own.Count == 0 ? null : string.Join(' ', own.Select(l => l.Message)), forecast.Reason);
            Assert.Equal(own, forecast.Limitations.Take(own.Count));
            Assert.Equal(
                forecast.Limitations.Skip(own.Count).Select(l => l.Owner!.Value).Distinct(),
                forecast.ByOwner.Select(o => o.Owner).Where(o => forecast.Limitations.Any(l => l.Owner == o)));
            foreach (var limitation in forecast.Limitations)
            {
                var places = limitation.Stages.Select(h.Pipeline.IndexOf).ToList();
                Assert.Equal(places.Order().Distinct(), places);
                Assert.DoesNotContain(-1, places);
                Assert.True(limitation.Kind == ForecastLimitationKind.NoBasis ? limitation.Clients >= 0 : limitation.Clients is null or > 0, limitation.ToString());
            }

            if (!forecast.HasBasis)
            {
                var none = Assert.Single(forecast.Limitations);
                Assert.Equal((ForecastLimitationKind.NoBasis, forecast.OpenClients), (none.Kind, none.Clients));
                return;
            }

            void Matches(OwnerId? owner, IReadOnlyList<StageForecast> stages, int withoutBasis, bool untimed)
            {
                var mine = forecast.Limitations.Where(l => l.Owner == owner).ToList();
                Assert.Equal(mine.Select(l => l.Kind).Order(), mine.Select(l => l.Kind));
                ForecastLimitation? Of(ForecastLimitationKind kind) => mine.SingleOrDefault(l => l.Kind == kind);
                Assert.Equal(withoutBasis > 0 ? withoutBasis : null, Of(ForecastLimitationKind.ClientsWithoutBasis)?.Clients);
                Assert.Equal(
                    stages.Where(s => s.ClientsInWork > 0 && s.Basis == StageBasis.None).Select(s => s.Stage),
                    Of(ForecastLimitationKind.ClientsWithoutBasis)?.Stages ?? []);
                Assert.Equal(stages.Where(s => s.Basis == StageBasis.SparseHistory).Select(s => s.Stage), Of(ForecastLimitationKind.SparseHistory)?.Stages ?? []);
                var unknown = stages.Where(s => s.ClientsInWork > 0 && s.UnknownProbability is > 1e-9).ToList();
                Assert.Equal(unknown.Count > 0 ? unknown.Sum(s => s.ClientsInWork) : null, Of(ForecastLimitationKind.UnknownFate)?.Clients);
                Assert.Equal(unknown.Select(s => s.Stage), Of(ForecastLimitationKind.UnknownFate)?.Stages ?? []);
                Assert.Equal(untimed, Of(ForecastLimitationKind.HorizonNotTimed) is not null);
            }

            Matches(null, forecast.Stages, forecast.ClientsWithoutBasis, horizon is not null && forecast.Horizon is null);
            foreach (var owner in forecast.ByOwner)
            {
                Matches(owner.Owner, owner.Stages, owner.ClientsWithoutBasis, horizon is not null && owner.Horizon is null);
            }
        });

    [Property(MaxTest = 60)]
    public Property WinsByAHorizon_NeverDecreaseAsItGrows_AndApproachTheAbsorptionForecast() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var log = h.Log();
            // With intake, a young history can mean many arrivals a day: keep those horizons short.
            var intake = h.Seed % 2 == 0;
            var days = intake ? new[] { 0.01, 0.5, 1, 3, 10, 30 } : [0.01, 0.5, 1, 1.5, 3, 10, 30, 100, 365, 36500];
            var forecasts = days.Select(d => ForecastCalculator.Compute(log, h.AsOf, new ForecastOptions { MinimumDepartures = Everything.MinimumDepartures, HistoryWindow = Everything.HistoryWindow, IncludeIntake = intake }, h.AsOf.AddDays(d))).ToArray();
            if (forecasts[0].Horizon is null)
            {
                return;
            }

            var horizons = forecasts.Select(f => f.Horizon!).ToArray();
            foreach (var (earlier, later) in horizons.Zip(horizons.Skip(1)))
            {
                Assert.True(earlier.ExpectedWins <= later.ExpectedWins + 1e-12, string.Join(", ", horizons.Select(x => x.ExpectedWins)));
                Assert.True(earlier.ExpectedValue <= later.ExpectedValue + 1e-9m);
                Assert.True(earlier.P10 <= later.P10 && earlier.P50 <= later.P50 && earlier.P90 <= later.P90, string.Join(", ", horizons.Select(x => (x.P10, x.P50, x.P90))));
            }

            if (!intake && forecasts[^1].ExpectedWins is { } exact)
            {
                // A hundred years resolves every path that fits in the grid's G bins (a visit takes at least one): the gap to
                // the absorbing chain's figure is at most the chance of needing more than G visits.
                var longer = LongerThanBins(h, HorizonGrid.DefaultBins);
                Assert.InRange(horizons[^1].ExpectedWins, exact - longer - 1e-9, exact + 1e-9);
            }
        });

    [Property(MaxTest = 100)]
    public Property WinsByAHorizon_AgreeWithASimulationOfTheSameChainOnTheSameGrid_AndNeverExceedItsTrueWins() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var intake = h.Seed % 3 == 0;
            var settings = new ForecastOptions { MinimumDepartures = Everything.MinimumDepartures, HistoryWindow = Everything.HistoryWindow, IncludeIntake = intake };
            var days = (intake ? new[] { 0.2, 1, 3 } : [0.2, 1, 3, 10, 30])[h.Seed % (intake ? 3 : 5)];
            var forecast = ForecastCalculator.Compute(h.Log(), h.AsOf, settings, h.AsOf.AddDays(days));
            var oracle = MonteCarloOracle.Estimate(h, settings.HistoryWindow);
            Assert.Equal(oracle.HasTiming && forecast.HasBasis, forecast.Horizon is not null);
            if (forecast.Horizon is not { } horizon || (horizon.IntakePerDay ?? 0) * days > 200)
            {
                return;
            }

            const int Runs = 4000;
            var span = TimeSpan.FromDays(days).Ticks;
            var (trueWins, onGrid, variance) = oracle.Wins(span, oracle.Bins(span, horizon.IntakePerDay is > 0), Runs, h.Seed, horizon.IntakePerDay ?? 0);
            // Five standard errors, plus 8 / Runs: a count expected 8 times over all the runs shows with 99.97%, a rarer one
            // may not show at all.
            var tolerance = (5 * Math.Sqrt(Math.Max(variance, 0) / Runs)) + (8.0 / Runs);
            Assert.InRange(horizon.ExpectedWins, onGrid - tolerance, onGrid + tolerance);
            // Rounding visits up never adds wins: the exact grid figure is at most the true one, up to the noise.
            Assert.True(horizon.ExpectedWins <= trueWins + (2 * tolerance), $"{horizon.ExpectedWins} > {trueWins}");
        });

    [Property(MaxTest = 100)]
    public Property Percentiles_AreOrdered_AndWithinTheClientsAndTheIntake() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var log = h.Log();
            var end = h.AsOf.AddDays(1 + (h.Seed % 20));
            var without = ForecastCalculator.Compute(log, h.AsOf, Everything, end);
            var with = ForecastCalculator.Compute(log, h.AsOf, new ForecastOptions { MinimumDepartures = Everything.MinimumDepartures, HistoryWindow = Everything.HistoryWindow, IncludeIntake = true }, end);
            if (without.Horizon is not { } a || with.Horizon is not { } b)
            {
                return;
            }

            var lambda = b.ExpectedWins - a.ExpectedWins;
            Assert.True(lambda >= -1e-9);
            foreach (var (horizon, extra) in new[] { (a, 0.0), (b, lambda) })
            {
                Assert.True(horizon.P10 >= 0 && horizon.P10 <= horizon.P50 && horizon.P50 <= horizon.P90, $"{horizon}");
                Assert.True(horizon.P90 <= without.OpenClients - without.ClientsWithoutBasis + Math.Ceiling(extra + (3 * Math.Sqrt(extra)) + 3), $"{horizon}");
                Assert.InRange(horizon.P50, horizon.ExpectedWins - 1, horizon.ExpectedWins + 1);
            }

            foreach (var owner in without.ByOwner.Where(o => o.Horizon is not null))
            {
                Assert.True(owner.Horizon!.P10 <= owner.Horizon.P50 && owner.Horizon.P50 <= owner.Horizon.P90 && owner.Horizon.P90 <= owner.OpenClients - owner.ClientsWithoutBasis);
            }
        });

    /// <summary>Σ over the clients in work of the chance that their path, in the observed chain, makes more than <paramref name="visits"/> visits.</summary>
    private static double LongerThanBins(RecordedHistory h, int visits)
    {
        var n = h.Pipeline.Stages.Count;
        var counts = new double[n, n + 1];
        var totals = new double[n];
        var inWork = new List<int>();
        foreach (var client in h.Clients)
        {
            var state = ClientState.Initial(client);
            foreach (var e in h.Events.Where(e => e.ClientId == client.Id && e.OccurredAt <= h.AsOf).OrderBy(e => e.Sequence))
            {
                if (e is StageTransition t && state.Status == ClientStatus.Open)
                {
                    counts[h.Pipeline.IndexOf(state.Stage!.Value), t.Kind == TransitionKind.Lost ? n : h.Pipeline.IndexOf(t.ToStage!.Value)]++;
                    totals[h.Pipeline.IndexOf(state.Stage!.Value)]++;
                }

                state = state.Apply(e);
            }

            if (state.Status == ClientStatus.Open)
            {
                inWork.Add(h.Pipeline.IndexOf(state.Stage!.Value));
            }
        }

        // still[s]: the chance of being in an open stage with departures after m more visits.
        var still = Enumerable.Range(0, n).Select(s => s != h.Pipeline.WonStageIndex && (totals[s] > 0 || h.Pipeline.Stages[s].WinProbability is not null) ? 1.0 : 0).ToArray();
        for (var m = 0; m < visits; m++)
        {
            var next = new double[n];
            for (var s = 0; s < n; s++)
            {
                for (var k = 0; k < n && totals[s] > 0; k++)
                {
                    next[s] += k == h.Pipeline.WonStageIndex ? 0 : counts[s, k] / totals[s] * still[k];
                }
            }

            still = next;
        }

        return inWork.Sum(s => still[s]);
    }
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
        var forecast = ForecastCalculator.Compute(log, T0.AddDays(121), new ForecastOptions { HistoryWindow = TimeSpan.FromDays(365) }, T0.AddDays(121 + 3650));

        Assert.Equal(0.7, forecast.Stages[0].NextShare!.Value, 0.03);
        Assert.Equal(0.7, forecast.Stages[1].NextShare!.Value, 0.03);
        Assert.Equal(0.6, forecast.Stages[2].WonShare!.Value, 0.03);
        Assert.Equal(0.294, forecast.Stages[0].WinProbability!.Value, 0.03);
        Assert.Equal(200 * 0.294, forecast.ExpectedWins!.Value, 200 * 0.03);
        Assert.Equal(200 * 0.294, forecast.Horizon!.ExpectedWins, 200 * 0.03);
        Assert.InRange(200 * 0.294, forecast.Horizon.P10 - 10, forecast.Horizon.P90 + 10);
    }
}
