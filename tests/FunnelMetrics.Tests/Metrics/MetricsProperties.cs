using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Metrics;
using FunnelMetrics.Serialization;
using FunnelMetrics.Tests.Support;

namespace FunnelMetrics.Tests.Metrics;

/// <summary>Laws the metrics obey over generated valid histories.</summary>
public sealed class MetricsProperties
{
    private const string Zone = "Europe/Sofia";

    [Property(MaxTest = 200)]
    public Property Counts_OverAllStagesPlusLost_EqualClientsEnteredByT() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var counts = StageCountsCalculator.Compute(h.Log(), h.AsOf);
            var entered = h.Clients.Count(c => h.Events.Any(e => e.ClientId == c.Id && e.OccurredAt <= h.AsOf && e is StageTransition { Kind: TransitionKind.Entered }));

            Assert.Equal(entered, counts.Stages.Sum(s => s.Clients) + counts.Lost);
            Assert.Equal(entered, counts.Entered);
            Assert.Equal(counts.InWork + counts.Won, counts.Stages.Sum(s => s.Clients));
            Assert.Equal(counts.Entered, counts.ByOwner.Sum(o => o.InWork + o.Won + o.Lost));
        });

    [Property(MaxTest = 200)]
    public Property Counts_AsOfT_EqualAFoldOfTheHistoryCutAtT() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var counts = StageCountsCalculator.Compute(h.Log(), h.AsOf);
            var cut = FunnelEventLog.Build(h.Pipeline, h.Clients, h.Events.Where(e => e.OccurredAt <= h.AsOf));
            var fromCut = StageCountsCalculator.Compute(cut, DateTimeOffset.MaxValue);

            // An independent oracle: fold each client's events up to T with ClientState.
            var expected = new Dictionary<(string Owner, string Stage), int>();
            foreach (var client in h.Clients)
            {
                var state = ClientState.Replay(client, h.Events.Where(e => e.ClientId == client.Id && e.OccurredAt <= h.AsOf).OrderBy(e => e.Sequence));
                if (state.Status != ClientStatus.NotEntered)
                {
                    var key = (state.Owner.Value, state.Status == ClientStatus.Lost ? "(lost)" : state.Stage!.Value.Value);
                    expected[key] = expected.GetValueOrDefault(key) + 1;
                }
            }

            var actual = counts.ByOwner
                .SelectMany(o => o.Stages.Where(s => s.Clients > 0).Select(s => ((o.Owner.Value, s.Stage.Value), s.Clients)).Append(((o.Owner.Value, "(lost)"), o.Lost)))
                .Where(kv => kv.Item2 > 0)
                .ToDictionary(kv => kv.Item1, kv => kv.Item2);
            Assert.Equal(expected.OrderBy(kv => kv.Key), actual.OrderBy(kv => kv.Key));
            Assert.Equal(JsonWithoutAsOf(counts), JsonWithoutAsOf(fromCut));
        });

    [Property(MaxTest = 100)]
    public Property EveryMetric_IsUnchangedByShufflingTheInput() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var random = new Random(h.Seed);
            var shuffled = FunnelEventLog.Build(h.Pipeline, h.Clients.OrderBy(_ => random.Next()), h.Events.OrderBy(_ => random.Next()));
            Assert.Equal(AllMetrics(h.Log(), h), AllMetrics(shuffled, h));
        });

    [Property(MaxTest = 100)]
    public Property AdditiveMetrics_OfTwoGroupsOfClients_AddUpToTheWhole() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var log = h.Log();
            var even = FunnelFilter.All;
            bool InA(Client c) => (c.Id.Value[^1] + h.Seed) % 2 == 0;
            var a = FunnelEventLog.Build(h.Pipeline, h.Clients.Where(InA), h.Events.Where(e => InA(h.Clients.First(c => c.Id == e.ClientId))));
            var b = FunnelEventLog.Build(h.Pipeline, h.Clients.Where(c => !InA(c)), h.Events.Where(e => !InA(h.Clients.First(c => c.Id == e.ClientId))));
            var (from, to) = Window(h);

            var counts = new[] { log, a, b }.Select(l => StageCountsCalculator.Compute(l, h.AsOf, even)).ToArray();
            Assert.Equal(counts[0].Stages.Select(s => s.Clients), counts[1].Stages.Zip(counts[2].Stages, (x, y) => x.Clients + y.Clients));
            Assert.Equal(counts[0].Lost, counts[1].Lost + counts[2].Lost);

            var days = new[] { log, a, b }.Select(l => FlowLedgerCalculator.Compute(l, Day(from), Day(to), Zone).Days).ToArray();
            for (var d = 0; d < days[0].Count; d++)
            {
                Assert.Equal(days[0][d].Totals, Add(days[1][d].Totals, days[2][d].Totals));
            }

            var times = new[] { log, a, b }.Select(l => TimeInStageCalculator.Compute(l, TimeWindow.Until(h.AsOf))).ToArray();
            for (var s = 0; s < times[0].Stages.Count; s++)
            {
                Assert.Equal(times[0].Stages[s].Completed.Count, times[1].Stages[s].Completed.Count + times[2].Stages[s].Completed.Count);
                Assert.Equal(times[0].Stages[s].Completed.TotalDays, times[1].Stages[s].Completed.TotalDays + times[2].Stages[s].Completed.TotalDays, 9);
                Assert.Equal(times[0].Stages[s].OpenVisits, times[1].Stages[s].OpenVisits + times[2].Stages[s].OpenVisits);
            }

            var conversions = new[] { log, a, b }.Select(l => ConversionCalculator.Compute(l, new TimeWindow(from, to), h.AsOf > to ? h.AsOf : to)).ToArray();
            for (var s = 0; s < conversions[0].Stages.Count; s++)
            {
                var (all, x, y) = (conversions[0].Stages[s], conversions[1].Stages[s], conversions[2].Stages[s]);
                Assert.Equal((all.Cohort, all.Advanced, all.Lost, all.Remaining), (x.Cohort + y.Cohort, x.Advanced + y.Advanced, x.Lost + y.Lost, x.Remaining + y.Remaining));
            }

            Assert.Equal(conversions[0].WinRate.Won, conversions[1].WinRate.Won + conversions[2].WinRate.Won);
            var velocities = new[] { log, a, b }.Select(l => VelocityCalculator.Compute(l, new TimeWindow(from, to))).ToArray();
            Assert.Equal(velocities[0].Stages.Select(s => s.ForwardMoves), velocities[1].Stages.Zip(velocities[2].Stages, (x, y) => x.ForwardMoves + y.ForwardMoves));
            Assert.Equal(velocities[0].CycleTime.Count, velocities[1].CycleTime.Count + velocities[2].CycleTime.Count);
            Assert.Equal(velocities[0].SalesVelocity.OpenClients, velocities[1].SalesVelocity.OpenClients + velocities[2].SalesVelocity.OpenClients);
        });

    [Property(MaxTest = 150)]
    public Property FlowLedger_ArrivalsMinusDepartures_EqualTheChangeInEachCount() =>
        Prop.ForAll(RecordedHistory.Arb(), h => AssertLedgerBalances(h.Log(), h));

    [Property(MaxTest = 150)]
    public Property FlowLedger_OfAnImportedHistoryWhoseEventsCarryAnyOwner_StillBalances() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            // An import: no reassignment events, but each move or activity carries whichever owner the CRM had on it.
            var random = new Random(h.Seed);
            var owners = new[] { new OwnerId("o0"), new OwnerId("o1"), new OwnerId("o2") };
            var imported = h.Events.Where(e => e is not OwnerReassignment).GroupBy(e => e.ClientId).SelectMany(g => g.OrderBy(e => e.Sequence).Select((e, k) => e switch
            {
                StageTransition t => (ClientEvent)new StageTransition(t.Id, t.ClientId, t.PipelineId, k + 1, t.Kind, t.FromStage, t.ToStage, t.OccurredAt, t.RecordedAt, owners[random.Next(3)], t.LostReason, t.Note),
                _ => new ClientActivity(e.Id, e.ClientId, e.PipelineId, k + 1, e.OccurredAt, e.RecordedAt, owners[random.Next(3)], e.Note),
            }));
            AssertLedgerBalances(FunnelEventLog.Build(h.Pipeline, h.Clients, imported), h);
        });

    private static void AssertLedgerBalances(FunnelEventLog log, RecordedHistory h)
    {
        var (from, to) = Window(h);
        var ledger = FlowLedgerCalculator.Compute(log, Day(from), Day(to), Zone);
        var before = StageCountsCalculator.Compute(log, ledger.Days[0].Start.AddTicks(-1));
        var previous = before.Stages.ToDictionary(s => s.Stage, s => s.Clients);
        var previousByOwner = before.ByOwner.SelectMany(o => o.Stages.Select(s => ((o.Owner, s.Stage), s.Clients))).ToDictionary(x => x.Item1, x => x.Clients);
        foreach (var day in ledger.Days)
        {
            foreach (var row in day.Stages)
            {
                Assert.Equal(row.CountAtEnd - previous[row.Stage], Net(row));
                previous[row.Stage] = row.CountAtEnd;
            }

            foreach (var owner in day.ByOwner)
            {
                foreach (var row in owner.Stages)
                {
                    Assert.Equal(row.CountAtEnd - previousByOwner.GetValueOrDefault((owner.Owner, row.Stage)), Net(row));
                }
            }

            foreach (var row in day.ByOwner.SelectMany(o => o.Stages.Select(r => (o.Owner, r))))
            {
                previousByOwner[(row.Owner, row.r.Stage)] = row.r.CountAtEnd;
            }

            foreach (var key in previousByOwner.Keys.Where(k => !day.ByOwner.Any(o => o.Owner == k.Owner)).ToList())
            {
                Assert.Equal(0, previousByOwner[key]);
            }

            var atEnd = StageCountsCalculator.Compute(log, day.End.AddTicks(-1));
            Assert.Equal(atEnd.Stages.Select(s => s.Clients), day.Stages.Select(r => r.CountAtEnd));
            Assert.Equal((atEnd.InWork, atEnd.Won, atEnd.Lost), (day.Totals.InWorkAtEnd, day.Totals.WonAtEnd, day.Totals.LostAtEnd));
        }
    }

    [Property(MaxTest = 200)]
    public Property ConversionShares_AreInTheUnitInterval_AndPartitionEachCohort() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Gen.Elements(true, false)), (h, passSkipped) =>
        {
            var (from, to) = Window(h);
            var conversion = ConversionCalculator.Compute(h.Log(), new TimeWindow(from, to), h.AsOf > to ? h.AsOf : to, null, new ConversionOptions { SkippedStagesCountAsPassed = passSkipped });
            foreach (var s in conversion.Stages)
            {
                Assert.Equal(s.Cohort, s.Advanced + s.AdvancedLate + s.Lost + s.Remaining);
                Assert.True(s.Advanced >= 0 && s.Lost >= 0 && s.Remaining >= 0 && s.AdvancedLate == 0, s.ToString());
                if (s.Cohort > 0)
                {
                    Assert.All(new[] { s.AdvancedShare!.Value, s.LostShare!.Value, s.RemainingShare!.Value }, x => Assert.InRange(x, 0, 1));
                    Assert.Equal(1.0, s.AdvancedShare!.Value + s.LostShare!.Value + s.RemainingShare!.Value, 9);
                }
                else
                {
                    Assert.Null(s.AdvancedShare);
                }

                if (s.CumulativeFromFirstStage is { } cumulative)
                {
                    Assert.InRange(cumulative, 0, 1);
                }
            }

            Assert.True(conversion.WinRate.Rate is null or >= 0 and <= 1);
        });

    [Property(MaxTest = 200)]
    public Property ConversionOutcomes_AgreeWithADirectReadingOfEachHistory() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Gen.Elements(true, false)), (h, passSkipped) =>
        {
            var (from, to) = Window(h);
            var asOf = h.AsOf > to ? h.AsOf : to;
            var conversion = ConversionCalculator.Compute(h.Log(), new TimeWindow(from, to), asOf, null, new ConversionOptions { SkippedStagesCountAsPassed = passSkipped });
            var won = h.Pipeline.WonStageIndex;
            var expected = new (int Cohort, int Advanced, int Lost, int Remaining)[h.Pipeline.Stages.Count];
            foreach (var client in h.Clients)
            {
                var moves = h.Events.OfType<StageTransition>().Where(e => e.ClientId == client.Id && e.OccurredAt < asOf).OrderBy(e => e.Sequence).ToList();
                var lostAtEnd = moves.Count > 0 && moves[^1].Kind == TransitionKind.Lost;
                var reaches = new List<(int Stage, int Move, bool Passed)>();
                var current = -1;
                for (var k = 0; k < moves.Count; k++)
                {
                    if (moves[k].Kind == TransitionKind.Lost)
                    {
                        continue;
                    }

                    var target = h.Pipeline.IndexOf(moves[k].ToStage!.Value);
                    if (passSkipped && moves[k].Kind is TransitionKind.Skipped or TransitionKind.Won)
                    {
                        reaches.AddRange(Enumerable.Range(current + 1, Math.Max(0, target - current - 1)).Where(x => x != won).Select(x => (x, k, true)));
                    }

                    reaches.Add((target, k, false));
                    current = target;
                }

                for (var stage = 0; stage < expected.Length; stage++)
                {
                    var firsts = reaches.Where(r => r.Stage == stage).ToList();
                    if (stage == won || firsts.Count == 0)
                    {
                        continue;
                    }

                    var first = firsts.MinBy(r => r.Move);
                    var at = moves[first.Move].OccurredAt;
                    if (at < from || at >= to)
                    {
                        continue;
                    }

                    var passed = first.Passed || moves.Skip(first.Move + 1).Any(m => m.Kind == TransitionKind.Won || (m.ToStage is { } t && h.Pipeline.IndexOf(t) > stage));
                    var e = expected[stage];
                    expected[stage] = (e.Cohort + 1, e.Advanced + (passed ? 1 : 0), e.Lost + (!passed && lostAtEnd ? 1 : 0), e.Remaining + (!passed && !lostAtEnd ? 1 : 0));
                }
            }

            Assert.Equal(expected, conversion.Stages.Select(x => (x.Cohort, x.Advanced, x.Lost, x.Remaining)));
        });

    [Property(MaxTest = 200)]
    public Property CompletedVisits_AreNonNegative_AndSumToTheTimeSpentInEachStage() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var time = TimeInStageCalculator.Compute(h.Log(), TimeWindow.Until(h.AsOf));

            // Independent oracle: walk each client's states before the window's end T and add up finished stays per open stage.
            var spent = new Dictionary<StageId, (TimeSpan Total, int Count, int Open)>();
            foreach (var client in h.Clients)
            {
                var state = ClientState.Initial(client);
                foreach (var e in h.Events.Where(e => e.ClientId == client.Id && e.OccurredAt < h.AsOf).OrderBy(e => e.Sequence))
                {
                    var next = state.Apply(e);
                    if (e is StageTransition && state.Status == ClientStatus.Open)
                    {
                        var v = spent.GetValueOrDefault(state.Stage!.Value);
                        spent[state.Stage!.Value] = (v.Total + (e.OccurredAt - state.StageEnteredAt!.Value), v.Count + 1, v.Open);
                    }

                    state = next;
                }

                if (state.Status == ClientStatus.Open)
                {
                    var v = spent.GetValueOrDefault(state.Stage!.Value);
                    spent[state.Stage!.Value] = (v.Total, v.Count, v.Open + 1);
                }
            }

            foreach (var stage in time.Stages)
            {
                var expected = spent.GetValueOrDefault(stage.Stage);
                Assert.Equal(expected.Total.TotalDays, stage.Completed.TotalDays, 9);
                Assert.Equal(expected.Count, stage.Completed.Count);
                Assert.Equal(expected.Open, stage.OpenVisits);
                Assert.True(stage.Completed.Median is null || stage.Completed.Median >= TimeSpan.Zero);
                Assert.True(stage.Completed.Median <= stage.Completed.P75 || stage.Completed.Count == 0);
                Assert.True(stage.Completed.P75 <= stage.Completed.P90 || stage.Completed.Count == 0);
            }

            var won = time.Stages[h.Pipeline.WonStageIndex];
            Assert.Equal((0, 0, 0), (won.Completed.Count, won.OpenVisits, won.PerClient.Count));
        });

    [Property(MaxTest = 200)]
    public Property KaplanMeier_WithNoOpenVisit_EqualsThePlainPercentiles() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var time = TimeInStageCalculator.Compute(h.Log(), TimeWindow.Until(h.AsOf));
            foreach (var stage in time.Stages.Where(s => s.OpenVisits == 0))
            {
                Assert.Equal(stage.Completed.Median, stage.Median.Value);
                Assert.Equal(stage.Completed.P90, stage.P90.Value);
                Assert.Null(stage.Median.MoreThan);
            }

            foreach (var stage in time.Stages.Where(s => s.OpenVisits > 0))
            {
                Assert.True(stage.Median.Value is not null ^ stage.Median.MoreThan is not null);
            }
        });

    [Property(MaxTest = 200)]
    public Property KaplanMeier_AgreesWithADirectEvaluationOfTheEstimator() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var log = h.Log();
            var time = TimeInStageCalculator.Compute(log, TimeWindow.Until(h.AsOf));
            foreach (var stage in time.Stages)
            {
                // Observations from the oracle fold: (duration, completed) per visit of the stage.
                var observations = new List<(TimeSpan Duration, bool Completed)>();
                foreach (var client in h.Clients)
                {
                    var state = ClientState.Initial(client);
                    foreach (var e in h.Events.Where(e => e.ClientId == client.Id && e.OccurredAt < h.AsOf).OrderBy(e => e.Sequence))
                    {
                        if (e is StageTransition && state.Status == ClientStatus.Open && state.Stage == stage.Stage)
                        {
                            observations.Add((e.OccurredAt - state.StageEnteredAt!.Value, true));
                        }

                        state = state.Apply(e);
                    }

                    if (state.Status == ClientStatus.Open && state.Stage == stage.Stage)
                    {
                        observations.Add((h.AsOf - state.StageEnteredAt!.Value, false));
                    }
                }

                // S(t) = product over completion times u <= t of (1 - completions at u / visits still running just before u).
                double Survival(TimeSpan t) => observations.Where(o => o.Completed && o.Duration <= t).Select(o => o.Duration).Distinct()
                    .Aggregate(1.0, (s, u) => s * (1.0 - ((double)observations.Count(o => o.Completed && o.Duration == u) / observations.Count(o => o.Duration >= u))));
                DurationEstimate Expected(double p)
                {
                    foreach (var t in observations.Where(o => o.Completed).Select(o => o.Duration).Order())
                    {
                        if (Survival(t) <= 1 - p + 1e-9)
                        {
                            return new DurationEstimate(t, null);
                        }
                    }

                    return observations.Count == 0 ? DurationEstimate.None : new DurationEstimate(null, observations.Max(o => o.Duration));
                }

                Assert.Equal(Expected(0.5), stage.Median);
                Assert.Equal(Expected(0.9), stage.P90);
            }
        });

    private static (DateTimeOffset From, DateTimeOffset To) Window(RecordedHistory h)
    {
        var to = h.AsOf > Seed.T0 ? h.AsOf : Seed.T0.AddDays(1);
        return (Seed.T0.AddDays(-1), to);
    }

    private static DateOnly Day(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, TimeZoneInfo.FindSystemTimeZoneById(Zone)).DateTime);

    private static int Net(StageFlow r) => r.Entered - r.AdvancedOut - r.RegressedOut - r.Lost - r.ReopenedOut + r.ReassignedIn - r.ReassignedOut;

    private static FlowTotals Add(FlowTotals x, FlowTotals y) => new(x.New + y.New, x.ForwardMoves + y.ForwardMoves, x.Regressions + y.Regressions, x.Wins + y.Wins, x.Losses + y.Losses, x.Reopens + y.Reopens, x.Activities + y.Activities, x.InWorkAtEnd + y.InWorkAtEnd, x.WonAtEnd + y.WonAtEnd, x.LostAtEnd + y.LostAtEnd);

    private static string AllMetrics(FunnelEventLog log, RecordedHistory h)
    {
        var (from, to) = Window(h);
        var json = FunnelMetricsJsonContext.Default;
        return string.Join(
            '\n',
            JsonSerializer.Serialize(StageCountsCalculator.Compute(log, h.AsOf), json.StageCounts),
            JsonSerializer.Serialize(FlowLedgerCalculator.Compute(log, Day(from), Day(to), Zone), json.FlowLedger),
            JsonSerializer.Serialize(TimeInStageCalculator.Compute(log, TimeWindow.Until(h.AsOf)), json.TimeInStage),
            JsonSerializer.Serialize(ConversionCalculator.Compute(log, new TimeWindow(from, to), h.AsOf > to ? h.AsOf : to, TimeSpan.FromDays(3)), json.Conversion),
            JsonSerializer.Serialize(VelocityCalculator.Compute(log, new TimeWindow(from, to)), json.Velocity));
    }

    /// <summary>Every figure of the counts but the instant (results are read-only, so the instant is left out of the JSON).</summary>
    private static string JsonWithoutAsOf(StageCounts counts)
    {
        var node = JsonSerializer.SerializeToNode(counts, FunnelMetricsJsonContext.Default.StageCounts)!.AsObject();
        Assert.True(node.Remove("asOf"));
        return node.ToJsonString();
    }
}
