using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Metrics;
using FunnelMetrics.Recording;
using FunnelMetrics.Tests.Support;

namespace FunnelMetrics.Tests.Metrics.WaterfallTests;

/// <summary>
/// The waterfall's laws over generated histories with value and expected-close-date updates: the parts add up exactly to
/// the end, by count, by value and by unknown values, per stage, per owner and for the team; the open lines are the stage
/// counts at both instants; the matrix's rows and columns are the states at both instants; the owners sum to the team.
/// </summary>
public sealed class PipelineWaterfallProperties
{
    private static readonly DateOnly Day0 = DateOnly.FromDateTime(FunnelMetrics.Testing.Seed.T0.UtcDateTime);

    /// <summary>Updates of the value (sometimes to unknown) and of the expected close date (sometimes to unknown), around the seed's start.</summary>
    internal static ClientChanges? ValuesAndDates(Client client, Random random)
    {
        var changes = ClientChanges.None;
        if (random.Next(2) == 0)
        {
            changes = changes.WithValue(random.Next(4) == 0 ? null : 50m * random.Next(0, 40));
        }

        if (random.Next(2) == 0)
        {
            changes = changes.WithExpectedCloseDate(random.Next(5) == 0 ? null : Day0.AddDays(random.Next(-3, 12)));
        }

        return changes;
    }

    internal static FunnelEventLog LogWithUpdates(RecordedHistory h) => FunnelEventLog.Build(h.Pipeline, h.Clients, WithUpdates.Insert(h, ValuesAndDates));

    private static (DateTimeOffset Start, DateTimeOffset End) Period(RecordedHistory h, int split)
    {
        var end = h.AsOf > FunnelMetrics.Testing.Seed.T0 ? h.AsOf : FunnelMetrics.Testing.Seed.T0.AddDays(1);
        var first = FunnelMetrics.Testing.Seed.T0.AddHours(-1);
        return (first + ((end - first) * split / 5), end);
    }

    private static IEnumerable<FunnelFilter?> Filters(RecordedHistory h) =>
        [null, .. h.Clients.Select(c => c.Owner).Distinct().Order().Take(2).Select(o => new FunnelFilter { Owners = [o] })];

    private static (long Clients, decimal Value, long Unknown) Sum(StageWaterfall s, bool withValueChanges = true)
    {
        var ins = new[] { s.OpenAtStart, s.New, s.Reopened, s.HandedOverIn, s.MovedInTotal };
        var outs = new[] { s.MovedOutTotal, s.Won, s.Lost, s.HandedOverOut };
        var clients = ins.Sum(l => (long)l.Clients) - outs.Sum(l => (long)l.Clients);
        var value = ins.Sum(l => l.Value) - outs.Sum(l => l.Value);
        var unknown = ins.Sum(l => (long)l.UnknownValues) - outs.Sum(l => (long)l.UnknownValues);
        if (withValueChanges)
        {
            value += s.ValueIncreased.Value - s.ValueDecreased.Value + s.ValueBecameKnown.Value - s.ValueBecameUnknown.Value;
            unknown += s.ValueBecameUnknown.Clients - s.ValueBecameKnown.Clients;
        }

        return (clients, value, unknown);
    }

    private static void AssertAddsUp(StageWaterfall s)
    {
        Assert.Equal(((long)s.OpenAtEnd.Clients, s.OpenAtEnd.Value, (long)s.OpenAtEnd.UnknownValues), Sum(s));
        Assert.Equal(s.MovedIn.Sum(m => m.Line.Clients), s.Stage is null ? 0 : s.MovedInTotal.Clients);
        Assert.Equal(s.MovedOut.Sum(m => m.Line.Value), s.Stage is null ? 0 : s.MovedOutTotal.Value);
    }

    [Property(MaxTest = 200)]
    public Property Waterfall_StartPlusParts_IsTheEnd_ByCountValueAndUnknowns_PerStageOwnerAndTeam() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Gen.Choose(0, 4)), (h, split) =>
        {
            var log = LogWithUpdates(h);
            var (start, end) = Period(h, split);
            foreach (var filter in Filters(h))
            {
                var w = PipelineWaterfallCalculator.Compute(log, start, end, "UTC", filter);
                foreach (var s in w.Stages.Append(w.Total).Concat(w.ByOwner.SelectMany(o => o.Stages.Append(o.Total))))
                {
                    AssertAddsUp(s);
                }

                Assert.Equal(w.Total.MovedInTotal, w.Total.MovedOutTotal);
            }
        });

    [Property(MaxTest = 200)]
    public Property OpenLines_AreTheStageCounts_AndTheMatrixRowsAndColumnsAreTheStatesAtBothInstants() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Gen.Choose(0, 4)), (h, split) =>
        {
            var log = LogWithUpdates(h);
            var (start, end) = Period(h, split);
            foreach (var filter in Filters(h))
            {
                var w = PipelineWaterfallCalculator.Compute(log, start, end, "UTC", filter);
                var (atStart, atEnd) = (StageCountsCalculator.Compute(log, start, filter), StageCountsCalculator.Compute(log, end, filter));
                foreach (var stage in OpenStages(h))
                {
                    // A stage the list leaves out reads as zero on every line.
                    var s = w.Stage(stage);
                    var (openAtStart, openAtEnd) = (s?.OpenAtStart ?? WaterfallLine.Zero, s?.OpenAtEnd ?? WaterfallLine.Zero);
                    Assert.Equal(atStart.Stages.Single(c => c.Stage == stage).Clients, openAtStart.Clients);
                    Assert.Equal(atEnd.Stages.Single(c => c.Stage == stage).Clients, openAtEnd.Clients);
                    var (from, to) = (w.Matrix.Where(c => c.From.Kind == WaterfallStateKind.Open && c.From.Stage == stage).ToList(), w.Matrix.Where(c => c.To.Kind == WaterfallStateKind.Open && c.To.Stage == stage).ToList());
                    Assert.Equal(openAtStart.Clients, from.Sum(c => c.Clients));
                    Assert.Equal(openAtEnd.Clients, to.Sum(c => c.Clients));
                    Assert.Equal((openAtStart.Value, openAtStart.UnknownValues), (from.Sum(c => c.ValueAtStart!.Value), from.Sum(c => c.UnknownAtStart!.Value)));
                    Assert.Equal((openAtEnd.Value, openAtEnd.UnknownValues), (to.Sum(c => c.ValueAtEnd!.Value), to.Sum(c => c.UnknownAtEnd!.Value)));
                }

                Assert.Equal((atStart.Won, atStart.Lost), (w.Matrix.Where(c => c.From.Kind == WaterfallStateKind.Won).Sum(c => c.Clients), w.Matrix.Where(c => c.From.Kind == WaterfallStateKind.Lost).Sum(c => c.Clients)));
                Assert.Equal((atEnd.Won, atEnd.Lost), (w.Matrix.Where(c => c.To.Kind == WaterfallStateKind.Won).Sum(c => c.Clients), w.Matrix.Where(c => c.To.Kind == WaterfallStateKind.Lost).Sum(c => c.Clients)));
                Assert.Equal(atStart.InWork, w.Total.OpenAtStart.Clients);
                Assert.Equal(atEnd.InWork, w.Total.OpenAtEnd.Clients);
            }
        });

    [Property(MaxTest = 200)]
    public Property Owners_SumToTheTeam_AndStagesSumToTheTotal_LineByLine() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Gen.Choose(0, 4)), (h, split) =>
        {
            var log = LogWithUpdates(h);
            var (start, end) = Period(h, split);
            var w = PipelineWaterfallCalculator.Compute(log, start, end, "UTC");
            foreach (var stage in OpenStages(h))
            {
                // Rows looked up by stage, a stage an owner's list leaves out read as zero.
                Assert.Equal(Lines(w.Stage(stage)), Added(w.ByOwner.Select(o => Lines(o.Stage(stage)))));
                Assert.Equal(Moves(w.Stage(stage)), w.ByOwner.SelectMany(o => Moves(o.Stage(stage))).GroupBy(m => m.Key).Select(g => (g.Key, g.Sum(m => m.Clients), g.Sum(m => m.Value))).Order().ToArray());
            }

            Assert.Equal(Lines(w.Total), Added(w.Stages.Select(Lines)));
            Assert.Equal(Lines(w.Total), Added(w.ByOwner.Select(o => Lines(o.Total))));
            Assert.Equal((w.EnteredAndWon.Clients, w.EnteredAndLost.Value), (w.ByOwner.Sum(o => o.EnteredAndWon.Clients), w.ByOwner.Sum(o => o.EnteredAndLost.Value)));

            // Without an owner condition a handed-over client is both handed in and out: the team's sides are equal.
            Assert.Equal(w.Total.HandedOverIn, w.Total.HandedOverOut);
        });

    [Property(MaxTest = 200)]
    public Property Stages_ListExactlyTheStagesWithALineNotZero_InPipelineOrder_AndLookUpByStage() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Gen.Choose(0, 4)), (h, split) =>
        {
            var log = LogWithUpdates(h);
            var (start, end) = Period(h, split);
            var open = OpenStages(h);
            foreach (var filter in Filters(h))
            {
                var w = PipelineWaterfallCalculator.Compute(log, start, end, "UTC", filter);
                foreach (var (stages, find) in w.ByOwner.Select(o => (o.Stages, (Func<StageId, StageWaterfall?>)o.Stage)).Prepend((w.Stages, w.Stage)))
                {
                    // Present rows: some line not zero; in pipeline order, each stage once; the lookup finds each and nothing else.
                    Assert.All(stages, s => Assert.True(Lines(s).Any(l => l != default) || s.MovedIn.Count > 0 || s.MovedOut.Count > 0));
                    Assert.Equal(open.Where(stages.Select(s => s.Stage!.Value).Contains), stages.Select(s => s.Stage!.Value));
                    Assert.All(open, stage => Assert.Same(stages.SingleOrDefault(s => s.Stage == stage), find(stage)));
                    Assert.Null(find(h.Pipeline.WonStage));
                    Assert.All(stages, s => Assert.All(s.MovedIn.Concat(s.MovedOut), m => Assert.True(m.Line.Clients > 0)));
                }

                if (filter is null)
                {
                    // Independently of the lines: without an owner condition a stage is listed iff some client was open
                    // there at one of the two instants, which is iff a matrix cell starts or ends open there.
                    Assert.Equal(
                        open.Where(stage => w.Matrix.Any(c => (c.From.Kind == WaterfallStateKind.Open && c.From.Stage == stage) || (c.To.Kind == WaterfallStateKind.Open && c.To.Stage == stage))),
                        w.Stages.Select(s => s.Stage!.Value));
                }
            }
        });

    [Property(MaxTest = 100)]
    public Property Waterfall_OnAnyDegree_EqualsTheSequentialOne() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Gen.Choose(2, 5)), (h, degree) =>
        {
            var log = LogWithUpdates(h);
            var (start, end) = Period(h, 2);
            foreach (var filter in Filters(h))
            {
                Assert.Equal(
                    PipelineWaterfallCalculator.Compute(log, start, end, "UTC", filter, new ParallelismOptions { MaxDegreeOfParallelism = 1 }),
                    PipelineWaterfallCalculator.Compute(log, start, end, "UTC", filter, new ParallelismOptions { MaxDegreeOfParallelism = degree, MinimumClientsPerPartition = 1 }));
            }
        });

    private static StageId[] OpenStages(RecordedHistory h) => [.. h.Pipeline.Stages.Select(s => s.Key).Where(k => k != h.Pipeline.WonStage)];

    /// <summary>A row's moves, in and out, keyed by direction and the other stage; none for a stage the list leaves out.</summary>
    private static ((bool In, StageId Stage) Key, int Clients, decimal Value)[] Moves(StageWaterfall? s) =>
        s is null ? [] : [.. s.MovedIn.Select(m => ((true, m.Stage), m.Line.Clients, m.Line.Value)).Concat(s.MovedOut.Select(m => ((false, m.Stage), m.Line.Clients, m.Line.Value))).Order()];

    /// <summary>The fourteen lines of a row; a stage the list leaves out (<see langword="null"/>) is zero on every one.</summary>
    private static (int, decimal, int)[] Lines(StageWaterfall? s) =>
        s is null ? new (int, decimal, int)[14] : [.. new[]
        {
            s.OpenAtStart, s.New, s.Reopened, s.HandedOverIn, s.Won, s.Lost, s.HandedOverOut, s.ValueIncreased, s.ValueDecreased,
            s.ValueBecameKnown, s.ValueBecameUnknown, s.OpenAtEnd, s.CloseDatePushedOut, s.CloseDatePulledIn,
        }.Select(l => (l.Clients, l.Value, l.UnknownValues))];

    private static (int, decimal, int)[] Added(IEnumerable<(int, decimal, int)[]> rows) =>
        rows.Aggregate(new (int, decimal, int)[14], (sum, row) => [.. sum.Zip(row, (a, b) => (a.Item1 + b.Item1, a.Item2 + b.Item2, a.Item3 + b.Item3))]);
}
