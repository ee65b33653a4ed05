using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Forecasting;
using FunnelMetrics.Metrics;
using FunnelMetrics.Tests.Support;

namespace FunnelMetrics.Tests.Metrics;

/// <summary>
/// Laws of money per stage, conversion by value and drop-off over generated histories with value updates inserted
/// (values changed, set to unknown and back, at instants shared with other events or between them).
/// </summary>
public sealed class PipelineValueProperties
{
    private static FunnelEventLog WithValueUpdates(RecordedHistory h) => FunnelEventLog.Build(h.Pipeline, h.Clients, WithUpdates.Insert(h, ClientUpdateProperties.Changing));

    /// <summary>All clients, or only the first client's owner.</summary>
    private static FunnelFilter? FilterOf(RecordedHistory h, bool filtered) =>
        filtered && h.Clients.Count > 0 ? new FunnelFilter { Owners = [h.Clients[0].Owner] } : null;

    [Property(MaxTest = 150)]
    public Property PipelineValue_OwnersRowsAddUpToTheTeams_AndEveryCountIsValuedPlusMissing() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var log = WithValueUpdates(h);
            var value = PipelineValueCalculator.Compute(log, h.AsOf, chainWinProbabilities: ForecastCalculator.WinProbabilities(log, h.AsOf));

            for (var s = 0; s < value.Stages.Count; s++)
            {
                var team = value.Stages[s];
                var owners = value.ByOwner.Select(o => o.Stages[s]).ToList();
                Assert.Equal(team.Clients, owners.Sum(o => o.Clients));
                Assert.Equal(team.Valued, owners.Sum(o => o.Valued));
                Assert.Equal(team.Missing, owners.Sum(o => o.Missing));
                Assert.Equal(team.Value, owners.Sum(o => o.Value));
                Assert.Equal(team.WeightedByStageProbability, team.StageWinProbability is null ? null : owners.Sum(o => o.WeightedByStageProbability!.Value));
                Assert.Equal(team.WeightedByChain, team.ChainWinProbability is null ? null : owners.Sum(o => o.WeightedByChain!.Value));
                Assert.All(owners, o => Assert.Equal((team.StageWinProbability, team.ChainWinProbability), (o.StageWinProbability, o.ChainWinProbability)));
            }

            Assert.Equal(value.Open.Value, value.ByOwner.Sum(o => o.Open.Value));
            Assert.Equal(value.Open.Clients, value.ByOwner.Sum(o => o.Open.Clients));
            Assert.Equal(value.Won.Value, value.ByOwner.Sum(o => o.Won.Value));
            Assert.Equal(value.Lost.Missing, value.ByOwner.Sum(o => o.Lost.Missing));
            Assert.Equal(value.Open.WeightedByChain ?? 0m, value.ByOwner.Sum(o => o.Open.WeightedByChain ?? 0m));
            Assert.Equal(value.Open.WeightedByStageProbability ?? 0m, value.ByOwner.Sum(o => o.Open.WeightedByStageProbability ?? 0m));

            foreach (var row in value.ByOwner.SelectMany(o => o.Stages).Concat(value.Stages))
            {
                Assert.Equal(row.Clients, row.Valued + row.Missing);
            }

            foreach (var tally in value.ByOwner.SelectMany(o => new[] { o.Won, o.Lost }).Concat([value.Won, value.Lost]))
            {
                Assert.Equal(tally.Clients, tally.Valued + tally.Missing);
            }

            foreach (var open in value.ByOwner.Select(o => o.Open).Append(value.Open))
            {
                Assert.Equal(open.Clients, open.Valued + open.Missing);
            }
        });

    [Property(MaxTest = 150)]
    public Property PipelineValue_CountsAreTheStageCounts_AndValuesTheClientsAsOfT() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Gen.Elements(false, true)), (h, filtered) =>
        {
            var events = WithUpdates.Insert(h, ClientUpdateProperties.Changing);
            var log = FunnelEventLog.Build(h.Pipeline, h.Clients, events);
            var filter = FilterOf(h, filtered);
            var value = PipelineValueCalculator.Compute(log, h.AsOf, filter);
            var counts = StageCountsCalculator.Compute(log, h.AsOf, filter);

            var open = counts.Stages.Where(s => s.Stage != h.Pipeline.WonStage).ToList();
            Assert.Equal(open.Select(s => (s.Stage, s.Clients)), value.Stages.Select(s => (s.Stage, s.Clients)));
            Assert.Equal((counts.InWork, counts.Won, counts.Lost), (value.Open.Clients, value.Won.Clients, value.Lost.Clients));
            Assert.Equal(counts.ByOwner.Select(o => (o.Owner, o.InWork, o.Won, o.Lost)), value.ByOwner.Select(o => (o.Owner, o.Open.Clients, o.Won.Clients, o.Lost.Clients)));

            // An independent oracle of the values: each client's state and record folded from its events up to T.
            var expected = new Dictionary<string, (int Valued, decimal Value)>();
            foreach (var client in h.Clients)
            {
                var mine = events.Where(e => e.ClientId == client.Id && e.OccurredAt <= h.AsOf).OrderBy(e => e.Sequence).ToList();
                var state = ClientState.Replay(client, mine);
                if (state.Status == ClientStatus.NotEntered || (filter?.Owners is { } owners && !owners.Contains(state.Owner)))
                {
                    continue;
                }

                var key = state.Status == ClientStatus.Lost ? "(lost)" : state.Stage!.Value.Value;
                var v = WithUpdates.AsOf(client, events, h.AsOf).Value;
                var (valued, sum) = expected.GetValueOrDefault(key);
                expected[key] = (valued + (v is null ? 0 : 1), sum + (v ?? 0m));
            }

            var actual = value.Stages.Select(s => (s.Stage.Value, s.Valued, s.Value))
                .Append((h.Pipeline.WonStage.Value, value.Won.Valued, value.Won.Value))
                .Append(("(lost)", value.Lost.Valued, value.Lost.Value))
                .Where(r => expected.ContainsKey(r.Item1) || r.Item2 != 0 || r.Item3 != 0m)
                .OrderBy(r => r.Item1, StringComparer.Ordinal);
            Assert.Equal(expected.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value.Valued, kv.Value.Value)), actual);
        });

    [Property(MaxTest = 100)]
    public Property PipelineValue_WeightedIsAtMostTheValue_WhenProbabilitiesAreAtMostOne() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var log = WithValueUpdates(h);
            var random = new Random(h.Seed);
            var chain = h.Pipeline.Stages.Where(s => s.Key != h.Pipeline.WonStage && random.Next(4) != 0).ToDictionary(s => s.Key, _ => random.Next(3) switch { 0 => 0.0, 1 => 1.0, _ => random.NextDouble() });
            var value = PipelineValueCalculator.Compute(log, h.AsOf, chainWinProbabilities: chain);

            foreach (var row in value.ByOwner.SelectMany(o => o.Stages).Concat(value.Stages))
            {
                Assert.True(row.Value >= 0m);
                Assert.True((row.WeightedByChain ?? 0m) <= row.Value, row.ToString());
                Assert.True((row.WeightedByStageProbability ?? 0m) <= row.Value, row.ToString());
                Assert.Equal(chain.TryGetValue(row.Stage, out var p) ? p : null, row.ChainWinProbability);
            }

            foreach (var open in value.ByOwner.Select(o => o.Open).Append(value.Open))
            {
                Assert.True((open.WeightedByChain ?? 0m) <= open.Value - open.ValueWithoutChainProbability, open.ToString());
                Assert.True((open.WeightedByStageProbability ?? 0m) <= open.Value - open.ValueWithoutStageProbability, open.ToString());
                Assert.True(open.ValueWithoutChainProbability <= open.Value);
            }
        });

    [Property(MaxTest = 60)]
    public Property ChainWinProbabilities_AreTheForecastsStageProbabilities() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Gen.Elements(false, true)), (h, filtered) =>
        {
            var log = h.Log();
            var filter = FilterOf(h, filtered);
            var options = new ForecastOptions { MinimumDepartures = 1 + (h.Seed % 4) };

            var alone = ForecastCalculator.WinProbabilities(log, h.AsOf, options, filter);
            var fromForecast = ForecastCalculator.Compute(log, h.AsOf, options, filter: filter).WinProbabilities();

            Assert.Equal(fromForecast.OrderBy(kv => kv.Key.Value, StringComparer.Ordinal), alone.OrderBy(kv => kv.Key.Value, StringComparer.Ordinal));
            Assert.Equal(
                PipelineValueCalculator.Compute(log, h.AsOf, filter, fromForecast),
                PipelineValueCalculator.Compute(log, h.AsOf, filter, alone));
        });

    [Property(MaxTest = 150)]
    public Property ConversionValueParts_AddUpToTheCohortValue_AndDropOffIsTheLostFigure() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Gen.Elements(false, true)), (h, filtered) =>
        {
            var log = WithValueUpdates(h);
            var cohorts = new TimeWindow(FunnelMetrics.Testing.Seed.T0.AddHours(-1), h.AsOf.AddMinutes(1));
            var conversion = ConversionCalculator.Compute(log, cohorts, cohorts.End.AddDays(1), TimeSpan.FromHours(10), filter: FilterOf(h, filtered));

            foreach (var s in conversion.Stages)
            {
                Assert.Equal(s.CohortValue, s.AdvancedValue + s.AdvancedLateValue + s.LostValue + s.RemainingValue);
                Assert.InRange(s.CohortWithoutValue, 0, s.Cohort);
                Assert.True(s.CohortValue >= 0m);
                Assert.True(s.CohortWithoutValue == s.Cohort ? s.CohortValue == 0m : true);
            }

            var won = h.Pipeline.WonStageIndex;
            var open = conversion.Stages.Where((_, i) => i != won).ToList();
            Assert.Equal(open.Count, conversion.DropOffs.Count);
            for (var i = 0; i < open.Count; i++)
            {
                var (stage, drop) = (open[i], conversion.DropOffs[i]);
                Assert.Equal(stage.Stage, drop.Stage);
                Assert.Equal((stage.Lost, stage.LostShare, stage.LostValue, stage.LostValueShare), (drop.Dropped, drop.Share, drop.DroppedValue, drop.ValueShare));
                Assert.Equal(drop.Cohort, drop.Passed + drop.Dropped + drop.StillOpen);
                Assert.Equal(drop.CohortValue, drop.PassedValue + drop.DroppedValue + drop.StillOpenValue);
                Assert.Equal(i + 1 < open.Count ? open[i + 1].Stage : h.Pipeline.WonStage, drop.NextStage);
            }
        });

    /// <summary>With every client worth exactly 1 and no update, each value figure is its count: the value outcomes are the count outcomes.</summary>
    [Property(MaxTest = 150)]
    public Property ConversionByValue_WhenEveryClientIsWorthOne_EqualsConversionByCount() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var ones = h.Clients.Select(c => new Client(c.Id, c.PipelineId, c.Owner, c.CreatedAt, 1m, c.Attributes)).ToList();
            var log = FunnelEventLog.Build(h.Pipeline, ones, h.Events);
            var cohorts = new TimeWindow(FunnelMetrics.Testing.Seed.T0.AddHours(-1), h.AsOf.AddMinutes(1));
            var conversion = ConversionCalculator.Compute(log, cohorts, cohorts.End.AddDays(1), TimeSpan.FromHours(10));

            foreach (var s in conversion.Stages)
            {
                Assert.Equal((s.Cohort, s.Advanced, s.AdvancedLate, s.Lost, s.Remaining, 0), ((int)s.CohortValue, (int)s.AdvancedValue, (int)s.AdvancedLateValue, (int)s.LostValue, (int)s.RemainingValue, s.CohortWithoutValue));
                Assert.Equal(s.LostShare is null, s.LostValueShare is null);
                Assert.Equal(s.LostShare ?? 0, s.LostValueShare ?? 0, 12);
            }

            var value = PipelineValueCalculator.Compute(log, h.AsOf);
            Assert.All(value.Stages, s => Assert.Equal((s.Clients, 0), ((int)s.Value, s.Missing)));
        });
}
