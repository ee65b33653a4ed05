using FunnelMetrics.Metrics;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Metrics.TrendsTests;

/// <summary>A long pipeline with few clients: each period lists only the stages observed in it, and looks them up by id.</summary>
public sealed class SparseStagesTests
{
    private static readonly PipelineDefinition Long = new(new PipelineId("long"), "Long", [.. Enumerable.Range(0, 40).Select(i => new StageDefinition(new StageId($"s{i}")))]);

    private static StageId S(int i) => new($"s{i}");

    [Fact]
    public void Trends_OfALongPipeline_ListOnlyTheStagesWithAVisitOrACohortMember_AndFindThemById()
    {
        // c1 enters s0 at T0 and advances hourly to s34 (open at the end); c2 enters s37 the next day. s39 is won.
        var c1 = new Client(new ClientId("c1"), Long.Id, Anna, T0);
        var c2 = new Client(new ClientId("c2"), Long.Id, Boris, T0);
        var events = new List<ClientEvent>();
        for (var s = 0; s < 35; s++)
        {
            var at = T0.AddHours(s);
            events.Add(new StageTransition(new ClientEventId($"c1-{s}"), c1.Id, Long.Id, s + 1, s == 0 ? TransitionKind.Entered : TransitionKind.Advanced, s == 0 ? null : S(s - 1), S(s), at, at, Anna));
        }

        events.Add(new StageTransition(new ClientEventId("c2-0"), c2.Id, Long.Id, 1, TransitionKind.Entered, null, S(37), T0.AddDays(1), T0.AddDays(1), Boris));
        var log = FunnelEventLog.Build(Long, [c1, c2], events);

        var day = T0.AddHours(-9);
        var trends = FunnelTrendsCalculator.Compute(log, new TimeWindow(day, day.AddDays(3)), CohortPeriod.Day, "UTC", byOwner: true);

        // c1's hourly moves from 03-02 09:00 reach s14 at 23:00 and s15 to s34 on 03-03, where c2 enters s37: 21 rows, looked up through an index.
        Assert.Equal(Enumerable.Range(0, 15).Select(S), trends.Periods[0].Stages.Select(s => s.Stage));
        Assert.Equal([.. Enumerable.Range(15, 20).Select(S), S(37)], trends.Periods[1].Stages.Select(s => s.Stage));
        Assert.Empty(trends.Periods[2].Stages);

        foreach (var period in trends.Periods.Concat(trends.ByOwner.SelectMany(o => o.Periods)))
        {
            for (var s = 0; s < Long.Stages.Count; s++)
            {
                var row = period.Stage(S(s));
                Assert.Equal(period.Stages.SingleOrDefault(r => r.Stage == S(s)), row);
                Assert.True(row is null || ReferenceEquals(row, period.Stages.Single(r => r.Stage == S(s))));
            }

            Assert.Null(period.Stage(new StageId("nowhere")));
            Assert.Null(period.Stage(Long.WonStage));
        }

        // The open last visit: s34 began 03-03 10:00, open at the window's end; s14 completed in one hour.
        Assert.Equal((0, 1, 1), (trends.Periods[1].Stage(S(34))!.Completed.Count, trends.Periods[1].Stage(S(34))!.OpenVisits, trends.Periods[1].Stage(S(34))!.Cohort));
        Assert.Equal(TimeSpan.FromHours(1), trends.Periods[0].Stage(S(14))!.Median.Value);
        Assert.Null(trends.Periods[0].Stage(S(15)));

        // Per owner: anna has c1's stages, boris only s37.
        Assert.Equal([Anna, Boris], trends.ByOwner.Select(o => o.Owner));
        Assert.Equal(35, trends.ByOwner[0].Periods.Sum(p => p.Stages.Count));
        Assert.Equal([S(37)], trends.ByOwner[1].Periods.SelectMany(p => p.Stages).Select(s => s.Stage));
    }
}
