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
                foreach (var s in w.Stages)
                {
                    Assert.Equal(atStart.Stages.Single(c => c.Stage == s.Stage).Clients, s.OpenAtStart.Clients);
                    Assert.Equal(atEnd.Stages.Single(c => c.Stage == s.Stage).Clients, s.OpenAtEnd.Clients);
                    Assert.Equal(s.OpenAtStart.Clients, w.Matrix.Where(c => c.From.Kind == WaterfallStateKind.Open && c.From.Stage == s.Stage).Sum(c => c.Clients));
                    Assert.Equal(s.OpenAtEnd.Clients, w.Matrix.Where(c => c.To.Kind == WaterfallStateKind.Open && c.To.Stage == s.Stage).Sum(c => c.Clients));
                    Assert.Equal((s.OpenAtStart.Value, s.OpenAtStart.UnknownValues), (w.Matrix.Where(c => c.From.Kind == WaterfallStateKind.Open && c.From.Stage == s.Stage).Sum(c => c.ValueAtStart!.Value), w.Matrix.Where(c => c.From.Kind == WaterfallStateKind.Open && c.From.Stage == s.Stage).Sum(c => c.UnknownAtStart!.Value)));
                    Assert.Equal((s.OpenAtEnd.Value, s.OpenAtEnd.UnknownValues), (w.Matrix.Where(c => c.To.Kind == WaterfallStateKind.Open && c.To.Stage == s.Stage).Sum(c => c.ValueAtEnd!.Value), w.Matrix.Where(c => c.To.Kind == WaterfallStateKind.Open && c.To.Stage == s.Stage).Sum(c => c.UnknownAtEnd!.Value)));
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
            for (var i = 0; i < w.Stages.Count; i++)
            {
                Assert.Equal(Lines(w.Stages[i]), Added(w.ByOwner.Select(o => Lines(o.Stages[i]))));
            }

            Assert.Equal(Lines(w.Total), Added(w.Stages.Select(Lines)));
            Assert.Equal(Lines(w.Total), Added(w.ByOwner.Select(o => Lines(o.Total))));
            Assert.Equal((w.EnteredAndWon.Clients, w.EnteredAndLost.Value), (w.ByOwner.Sum(o => o.EnteredAndWon.Clients), w.ByOwner.Sum(o => o.EnteredAndLost.Value)));

            // Without an owner condition a handed-over client is both handed in and out: the team's sides are equal.
            Assert.Equal(w.Total.HandedOverIn, w.Total.HandedOverOut);
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

    private static (int, decimal, int)[] Lines(StageWaterfall s) =>
        [.. new[]
        {
            s.OpenAtStart, s.New, s.Reopened, s.HandedOverIn, s.Won, s.Lost, s.HandedOverOut, s.ValueIncreased, s.ValueDecreased,
            s.ValueBecameKnown, s.ValueBecameUnknown, s.OpenAtEnd, s.CloseDatePushedOut, s.CloseDatePulledIn,
        }.Select(l => (l.Clients, l.Value, l.UnknownValues))];

    private static (int, decimal, int)[] Added(IEnumerable<(int, decimal, int)[]> rows) =>
        rows.Aggregate(new (int, decimal, int)[14], (sum, row) => [.. sum.Zip(row, (a, b) => (a.Item1 + b.Item1, a.Item2 + b.Item2, a.Item3 + b.Item3))]);
}
