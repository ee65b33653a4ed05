using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Metrics;
using FunnelMetrics.Tests.Support;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Metrics.StuckStagesTests;

public sealed class StuckStagesTests
{
    /// <summary>
    /// Over two 10-day windows ending 2026-03-22: in the first, one client waits at the decision maker; in the second,
    /// three wait at the meeting (threshold 7 days, all past it) and one at the decision maker (default 14 days), and boris has one of them.
    /// </summary>
    private static async Task<FunnelEventLog> HistoryAsync()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var r = h.Recorder;
        var old = (await r.AddClientAsync(NewClient("old", T0))).Id;
        await r.MoveAsync(old, DecisionMaker, T0);
        foreach (var (id, owner) in new[] { ("m1", Anna), ("m2", Anna), ("m3", Boris) })
        {
            var c = (await r.AddClientAsync(NewClient(id, T0, owner))).Id;
            await r.MoveAsync(c, DecisionMaker, T0.AddDays(10));
            await r.MoveAsync(c, Meeting, T0.AddDays(11));
        }

        var quick = (await r.AddClientAsync(NewClient("quick", T0))).Id;
        await r.MoveAsync(quick, Offer, T0.AddDays(12));
        await r.MoveAsync(quick, Terms, T0.AddDays(13));
        return await h.LogAsync();
    }

    [Fact]
    public async Task Ranking_PutsTheStageWithMostStalledClientsFirst_AndComparesWithThePreviousWindow()
    {
        var result = StuckStagesCalculator.Compute(await HistoryAsync(), TimeWindow.Ending(T0.AddDays(20), TimeSpan.FromDays(10)));

        Assert.Equal(6, result.Stages.Count);
        Assert.Equal([Meeting, DecisionMaker], result.Stages.Take(2).Select(s => s.Stage));
        Assert.Equal([1, 2, 3, 4, 5, 6], result.Stages.Select(s => s.Rank));
        var meeting = result.Stages[0];
        Assert.Equal(new StageFigures(3, 3, 1.0, new DurationEstimate(null, TimeSpan.FromDays(9)), new DurationEstimate(null, TimeSpan.FromDays(9)), 0.0), meeting.Current);
        Assert.Equal((0, 0, null), (meeting.Previous.Clients, meeting.Previous.Stalled, meeting.Previous.ConversionToNext));
        Assert.Equal((3, 3, null), (meeting.Change.Clients, meeting.Change.Stalled, meeting.Change.ConversionToNext));
        Assert.Equal(4.0, meeting.Score);

        var dm = result.Stages[1];
        Assert.Equal((1, 1), (dm.Current.Clients, dm.Current.Stalled));
        Assert.Equal(1.0, dm.Current.ConversionToNext);
        // The three arrived exactly at the previous window's end, which is this window's start: they are in this window, not
        // that one, so at the previous end only 'old' waited there, 10 days of 14.
        Assert.Equal((1, 0), (dm.Previous.Clients, dm.Previous.Stalled));
        // Their visits of the decision maker began at this window's start ([start, end) holds its start) and lasted a day;
        // 'old''s visit, begun at the previous window's start, was still running at its end, 10 days on.
        Assert.Equal(new DurationEstimate(TimeSpan.FromDays(1), null), dm.Current.Median);
        Assert.Equal(new DurationEstimate(null, TimeSpan.FromDays(10)), dm.Previous.Median);

        var offer = result.Stages.Single(s => s.Stage == Offer);
        Assert.Equal(TimeSpan.FromDays(1), offer.Current.Median.Value);
        Assert.Equal(1.0, offer.Current.ConversionToNext);
        Assert.Null(offer.Change.Median);
    }

    [Fact]
    public async Task ByOwner_RanksEachOwnersStagesForTheirOwnClients()
    {
        var result = StuckStagesCalculator.Compute(await HistoryAsync(), TimeWindow.Ending(T0.AddDays(20), TimeSpan.FromDays(10)));

        Assert.Equal(["anna", "boris"], result.ByOwner.Select(o => o.Owner.Value));
        var boris = result.ByOwner[1].Stages;
        Assert.Equal(Meeting, boris[0].Stage);
        Assert.Equal((1, 1), (boris[0].Current.Clients, boris[0].Current.Stalled));
        Assert.Equal((2, 2), (result.ByOwner[0].Stages.Single(s => s.Stage == Meeting).Current.Clients, result.ByOwner[0].Stages.Single(s => s.Stage == Meeting).Current.Stalled));
        Assert.Equal(DecisionMaker, result.ByOwner[0].Stages[1].Stage);
    }

    [Fact]
    public async Task Window_ThatIsEmpty_ThrowsNamingIt()
    {
        var log = await HistoryAsync();

        Assert.Equal("window", Assert.Throws<ArgumentException>(() => StuckStagesCalculator.Compute(log, TimeWindow.Ending(T0, TimeSpan.Zero))).ParamName);
        Assert.Equal("duration", Assert.Throws<ArgumentOutOfRangeException>(() => TimeWindow.Ending(T0, TimeSpan.FromDays(-1))).ParamName);
        Assert.Equal("window", Assert.Throws<ArgumentException>(() => StuckStagesCalculator.Compute(log, TimeWindow.Ending(DateTimeOffset.MinValue.AddDays(1), TimeSpan.FromDays(1)))).ParamName);
    }

    [Property(MaxTest = 60)]
    public Property Ranking_CoversEveryOpenStageOnce_InScoreOrder_AndAgreesWithTheStalledClients() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Gen.Choose(1, 30)), (h, days) =>
        {
            var log = h.Log();
            var settings = new StallOptions { DefaultThreshold = TimeSpan.FromDays(1) };
            // The window reads the events before its end, the stalled clients "as of" an instant those at or before it: with
            // events on whole minutes, a window ending one tick after AsOf and the stalled clients as of that tick read the same.
            var end = h.AsOf.AddTicks(1);
            var result = StuckStagesCalculator.Compute(log, TimeWindow.Ending(end, TimeSpan.FromDays(days)), settings);
            var stalled = StallCalculator.Compute(log, end, settings);

            Assert.Equal(h.Pipeline.Stages.Where(s => s.Key != h.Pipeline.WonStage).Select(s => s.Key).Order(), result.Stages.Select(s => s.Stage).Order());
            Assert.Equal(Enumerable.Range(1, result.Stages.Count), result.Stages.Select(s => s.Rank));
            Assert.True(result.Stages.Zip(result.Stages.Skip(1)).All(p => p.First.Score >= p.Second.Score));
            Assert.Equal(stalled.Clients.Count, result.Stages.Sum(s => s.Current.Stalled));
            Assert.Equal(result.Stages.Sum(s => s.Current.Stalled), result.ByOwner.Sum(o => o.Stages.Sum(s => s.Current.Stalled)));

            // Each owner's ranking, computed in the team's passes, equals the team ranking filtered to that owner.
            var json = FunnelMetrics.Serialization.FunnelMetricsJsonContext.Default.StuckStages;
            foreach (var owner in result.ByOwner)
            {
                var alone = StuckStagesCalculator.Compute(log, TimeWindow.Ending(end, TimeSpan.FromDays(days)), settings, new ConversionOptions { SkippedStagesCountAsPassed = true }, new FunnelFilter { Owners = [owner.Owner] });
                var expected = System.Text.Json.JsonSerializer.SerializeToNode(result, json)!.AsObject();
                expected["stages"] = System.Text.Json.JsonSerializer.SerializeToNode(owner.Stages, FunnelMetrics.Serialization.FunnelMetricsJsonContext.Default.IReadOnlyListStuckStage);
                expected.Remove("byOwner");
                var actual = System.Text.Json.JsonSerializer.SerializeToNode(alone, json)!.AsObject();
                actual.Remove("byOwner");
                Assert.Equal(expected.ToJsonString(), actual.ToJsonString());
            }
        });
}
