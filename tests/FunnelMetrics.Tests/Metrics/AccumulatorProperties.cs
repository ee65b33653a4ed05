using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Metrics;
using FunnelMetrics.Tests.Support;

namespace FunnelMetrics.Tests.Metrics;

/// <summary>
/// The merge law of the kernel's accumulators (docs/architecture.md): over disjoint sets of clients, each in its own log
/// (so with its own owner indexes), folding all the clients gives what merging the folds of any split gives, and the merge
/// is associative and commutative, with the fold of no client as its identity.
/// </summary>
public sealed class AccumulatorProperties
{
    private static readonly StallOptions FixedStalls = new() { DefaultThreshold = TimeSpan.FromHours(20), MinimumVisits = 2, Percentile = 60 };

    /// <summary>The history split into <paramref name="parts"/> logs of disjoint clients (some possibly empty), chosen by the seed.</summary>
    private static FunnelEventLog[] Split(RecordedHistory h, int parts)
    {
        var random = new Random(h.Seed);
        var part = h.Clients.ToDictionary(c => c.Id, _ => random.Next(parts));
        return [.. Enumerable.Range(0, parts).Select(p => FunnelEventLog.Build(h.Pipeline, h.Clients.Where(c => part[c.Id] == p), h.Events.Where(e => part[e.ClientId] == p)))];
    }

    private static StageCountsAccumulator Counts(FunnelEventLog log, DateTimeOffset asOf) =>
        StageCountsAccumulator.Fold(log, asOf.UtcTicks, log.AllClientsMask, log.AllOwnersMask);

    private static StallIndex Stalls(FunnelEventLog log, DateTimeOffset asOf, StallClock clock, IReadOnlyList<StallThreshold> thresholds) =>
        StallIndex.Fold(log, asOf.UtcTicks, asOf, log.AllClientsMask, log.AllOwnersMask, clock, thresholds);

    private static T MergeInRandomOrder<T>(IReadOnlyList<T> parts, Random random, Func<T, T, T> merge)
    {
        // Any grouping and order: merge two random neighbours of a shuffled list until one is left.
        var list = parts.OrderBy(_ => random.Next()).ToList();
        while (list.Count > 1)
        {
            var i = random.Next(list.Count - 1);
            list[i] = merge(list[i], list[i + 1]);
            list.RemoveAt(i + 1);
        }

        return list[0];
    }

    [Property(MaxTest = 150)]
    public Property StageCounts_FoldOfAllClients_EqualsTheMergeOfTheFoldsOfAnySplit() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Gen.Choose(1, 5)), (h, parts) =>
        {
            var whole = Counts(h.Log(), h.AsOf).Shape(h.AsOf);
            var folds = Split(h, parts).Select(l => Counts(l, h.AsOf)).ToList();
            var merged = MergeInRandomOrder(folds, new Random(h.Seed + 1), (a, b) => a.Merge(b)).Shape(h.AsOf);

            Assert.Equal(whole, merged);
            Assert.Equal(whole, StageCountsCalculator.Compute(h.Log(), h.AsOf));
        });

    [Property(MaxTest = 150)]
    public Property StageCounts_Merge_IsAssociativeAndCommutative_WithTheEmptyFoldAsIdentity() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var logs = Split(h, 3);
            var (a, b, c) = (Counts(logs[0], h.AsOf), Counts(logs[1], h.AsOf), Counts(logs[2], h.AsOf));
            var empty = Counts(FunnelEventLog.Build(h.Pipeline, [], []), h.AsOf);

            Assert.Equal(a.Merge(b).Merge(c).Shape(h.AsOf), a.Merge(b.Merge(c)).Shape(h.AsOf));
            Assert.Equal(a.Merge(b).Shape(h.AsOf), b.Merge(a).Shape(h.AsOf));
            Assert.Equal(a.Shape(h.AsOf), a.Merge(empty).Shape(h.AsOf));
            Assert.Equal(a.Shape(h.AsOf), empty.Merge(a).Shape(h.AsOf));
        });

    [Property(MaxTest = 150)]
    public Property StallIndex_FoldOfAllClients_EqualsTheMergeOfTheFoldsOfAnySplit() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Gen.Choose(1, 5)), Arb.From(Gen.Elements(StallClock.TimeInStage, StallClock.LastTouch)), (h, parts, clock) =>
        {
            // The thresholds are an input of the index: statistical ones come from the whole team's history, as in the calculator.
            var log = h.Log();
            var thresholds = StallCalculator.Thresholds(log, h.AsOf, FixedStalls);
            var whole = Stalls(log, h.AsOf, clock, thresholds).Shape(h.AsOf);
            var folds = Split(h, parts).Select(l => Stalls(l, h.AsOf, clock, thresholds)).ToList();
            var merged = MergeInRandomOrder(folds, new Random(h.Seed + 1), (a, b) => a.Merge(b)).Shape(h.AsOf);

            Assert.Equal(whole, merged);
            Assert.Equal(StallCalculator.Compute(log, h.AsOf, new StallOptions { Clock = clock, DefaultThreshold = FixedStalls.DefaultThreshold, MinimumVisits = FixedStalls.MinimumVisits, Percentile = FixedStalls.Percentile }), whole);
        });

    [Property(MaxTest = 150)]
    public Property StallIndex_Merge_IsAssociativeAndCommutative_WithTheEmptyFoldAsIdentity() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var thresholds = StallCalculator.Thresholds(h.Log(), h.AsOf, FixedStalls);
            var logs = Split(h, 3);
            var (a, b, c) = (Stalls(logs[0], h.AsOf, StallClock.TimeInStage, thresholds), Stalls(logs[1], h.AsOf, StallClock.TimeInStage, thresholds), Stalls(logs[2], h.AsOf, StallClock.TimeInStage, thresholds));
            var empty = Stalls(FunnelEventLog.Build(h.Pipeline, [], []), h.AsOf, StallClock.TimeInStage, thresholds);

            Assert.Equal(a.Merge(b).Merge(c).Shape(h.AsOf), a.Merge(b.Merge(c)).Shape(h.AsOf));
            Assert.Equal(a.Merge(b).Shape(h.AsOf), b.Merge(a).Shape(h.AsOf));
            Assert.Equal(a.Shape(h.AsOf), a.Merge(empty).Shape(h.AsOf));
        });

    [Fact]
    public void StallIndexes_AtDifferentInstants_DoNotMerge()
    {
        var pipeline = new PipelineDefinition(new PipelineId("p"), "P", [new StageDefinition(new StageId("a")), new StageDefinition(new StageId("won"))]);
        var thresholds = new[] { new StallThreshold(new StageId("a"), TimeSpan.FromDays(1), StallThresholdSource.Default) };
        var now = FunnelMetrics.Testing.Seed.T0;
        var a = StallIndex.At(pipeline, StallClock.TimeInStage, thresholds, OwnerTable.Empty(), now);
        var b = StallIndex.At(pipeline, StallClock.TimeInStage, thresholds, OwnerTable.Empty(), now.AddDays(1));

        Assert.Throws<ArgumentException>(() => a.Merge(b));
        Assert.Throws<ArgumentException>(() => a.Shape(now.AddDays(1)));
    }
}
