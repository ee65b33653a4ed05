using System.Text.Json;
using FunnelMetrics.Metrics;
using FunnelMetrics.Serialization;
using static FunnelMetrics.Testing.Seed;
using static FunnelMetrics.Tests.Support.DocsWorkedExample;

namespace FunnelMetrics.Tests.Metrics.TrendsTests;

/// <summary>Trends in the worked example of docs/metrics.md (<see cref="Support.DocsWorkedExample"/>), figure by figure.</summary>
public sealed class DocsWorkedExampleTests
{
    private static readonly TimeWindow Week = new(At(2, 0), At(7, 0));

    [Fact]
    public async Task Trends_ByDay_SplitTheWeeksVisitsAndCohortsByTheDayTheyBegan()
    {
        var log = await Log.Value;
        var trends = FunnelTrendsCalculator.Compute(log, Week, CohortPeriod.Day, "UTC");

        Assert.Equal(["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"], trends.Periods.Select(p => p.Key));
        Assert.Equal((At(2, 0), At(7, 0), At(7, 0)), (trends.From, trends.To, trends.AsOf));
        Assert.Equal((At(3, 0), At(4, 0)), (trends.Periods[1].From, trends.Periods[1].To));

        // Each day lists the open stages with a visit begun or a cohort member that day, in pipeline order; 03-06 has only acme's win.
        Assert.Equal(
            new StageId[][] { [DecisionMaker, Interest], [DecisionMaker, Interest, Meeting, Requirements], [Meeting, Requirements, Offer], [Meeting, Terms], [] },
            trends.Periods.Select(p => p.Stages.Select(s => s.Stage).ToArray()));
        Assert.All(trends.Periods, p => Assert.All(p.Stages, s => Assert.Same(s, p.Stage(s.Stage))));

        // meeting: 03-03 bolt 23 h and cobalt 22 h, both completed; 03-04 delta, still open at 56 h; 03-05 bolt 24 h and cobalt's reopen, open at 38 h.
        var meeting = trends.Periods.Select(p => p.Stage(Meeting)).ToArray();
        Assert.Null(meeting[0]);
        Assert.Null(meeting[4]);
        Assert.Equal((2, 0, TimeSpan.FromHours(22), TimeSpan.FromHours(23)), (meeting[1]!.Completed.Count, meeting[1]!.OpenVisits, meeting[1]!.Completed.Median!.Value, meeting[1]!.Completed.P90!.Value));
        Assert.Equal(new DurationEstimate(TimeSpan.FromHours(22), null), meeting[1]!.Median);
        Assert.Equal(new DurationEstimate(TimeSpan.FromHours(23), null), meeting[1]!.P90);
        Assert.Equal((0, 1), (meeting[2]!.Completed.Count, meeting[2]!.OpenVisits));
        Assert.Equal(new DurationEstimate(null, TimeSpan.FromHours(56)), meeting[2]!.Median);
        Assert.Equal((1, 1), (meeting[3]!.Completed.Count, meeting[3]!.OpenVisits));
        Assert.Equal(new DurationEstimate(TimeSpan.FromHours(24), null), meeting[3]!.Median);
        Assert.Equal(new DurationEstimate(null, TimeSpan.FromHours(38)), meeting[3]!.P90);

        // meeting's cohorts: 03-03 acme (through the skip), bolt, cobalt: 2 advanced, cobalt remains; 03-04 delta remains.
        Assert.Equal((3, 2, 0, 1), (meeting[1]!.Cohort, meeting[1]!.Advanced, meeting[1]!.Lost, meeting[1]!.Remaining));
        Assert.Equal((2 / 3.0, 0.0), (meeting[1]!.AdvancedShare!.Value, meeting[1]!.DropOff!.Value));
        Assert.Equal((1, 0, 0, 1), (meeting[2]!.Cohort, meeting[2]!.Advanced, meeting[2]!.Lost, meeting[2]!.Remaining));

        // 03-05: visits only (bolt's regression, cobalt's reopen), no new cohort member; the row is listed, its shares null.
        Assert.Equal((0, (double?)null, (double?)null), (meeting[3]!.Cohort, meeting[3]!.AdvancedShare, meeting[3]!.DropOff));

        // requirements: acme reached it on 03-03 and passed it; bolt reached it on 03-04, never passed it and is lost: a drop-off of 1.
        var requirements = trends.Periods.Select(p => p.Stage(Requirements)).ToArray();
        Assert.Equal((1, 1, 0.0), (requirements[1]!.Cohort, requirements[1]!.Advanced, requirements[1]!.DropOff!.Value));
        Assert.Equal((1, 0, 1, 1.0), (requirements[2]!.Cohort, requirements[2]!.Advanced, requirements[2]!.Lost, requirements[2]!.DropOff!.Value));

        // interest: 03-02 acme 20 h and cobalt 27 h; 03-03 bolt 0 h and delta 24 h.
        Assert.Equal((TimeSpan.FromHours(20), TimeSpan.FromHours(27)), (trends.Periods[0].Stage(Interest)!.Median.Value!.Value, trends.Periods[0].Stage(Interest)!.P90.Value!.Value));
        Assert.Equal((TimeSpan.Zero, TimeSpan.FromHours(24)), (trends.Periods[1].Stage(Interest)!.Median.Value!.Value, trends.Periods[1].Stage(Interest)!.P90.Value!.Value));

        // The first stage's cohorts: acme and bolt on 03-02 (acme won), delta on 03-03.
        Assert.Equal([2, 1, 0, 0, 0], trends.Periods.Select(p => p.FirstStageCohort));
        Assert.Equal([1, 0, 0, 0, 0], trends.Periods.Select(p => p.WonFromFirstStage));
        Assert.Equal([0.5, 0.0, null, null, null], trends.Periods.Select(p => p.WonFromFirstStageShare));

        // The won stage is terminal: never listed.
        Assert.All(trends.Periods, p => Assert.Null(p.Stage(Contract)));
        Assert.Empty(trends.ByOwner);
    }

    [Fact]
    public async Task Trends_ByWeek_OfOneWholeWeek_AreTheWeeksTimeInStageAndConversion()
    {
        var log = await Log.Value;
        var week = Assert.Single(FunnelTrendsCalculator.Compute(log, Week, CohortPeriod.Week, "UTC").Periods);
        Assert.Equal("2026-W10", week.Key);

        var time = TimeInStageCalculator.Compute(log, Week).Stages[2];
        var conversion = ConversionCalculator.Compute(log, Week).Stages[2];
        var meeting = week.Stage(Meeting)!;
        Assert.Equal((time.Completed, time.OpenVisits, time.Median, time.P90), (meeting.Completed, meeting.OpenVisits, meeting.Median, meeting.P90));
        Assert.Equal(new DurationEstimate(TimeSpan.FromHours(24), null), meeting.Median);
        Assert.Equal((conversion.Cohort, conversion.Advanced, conversion.Lost, conversion.Remaining, conversion.LostShare), (meeting.Cohort, meeting.Advanced, meeting.Lost, meeting.Remaining, meeting.DropOff));
        Assert.Equal((4, 2, 2), (meeting.Cohort, meeting.Advanced, meeting.Remaining));
    }

    [Fact]
    public async Task Trends_ByOwner_FollowTheOwnerWhoBeganEachVisitAndFirstReachedEachStage()
    {
        var log = await Log.Value;
        var trends = FunnelTrendsCalculator.Compute(log, Week, CohortPeriod.Day, "UTC", byOwner: true);

        Assert.Equal([Anna, Boris], trends.ByOwner.Select(o => o.Owner));
        var anna = trends.ByOwner[0].Periods[1].Stage(Meeting)!;
        var boris = trends.ByOwner[1].Periods[1].Stage(Meeting)!;
        Assert.Equal((TimeSpan.FromHours(23), 2, 2), (anna.Median.Value!.Value, anna.Cohort, anna.Advanced));
        Assert.Equal((TimeSpan.FromHours(22), 1, 1), (boris.Median.Value!.Value, boris.Cohort, boris.Remaining));

        // delta's meeting visit began with boris, before the hand-over to anna.
        Assert.Equal(1, trends.ByOwner[1].Periods[2].Stage(Meeting)!.OpenVisits);
        Assert.Null(trends.ByOwner[0].Periods[2].Stage(Meeting));
        Assert.Equal(FunnelTrendsCalculator.Compute(log, Week, CohortPeriod.Day, "UTC", filter: new FunnelFilter { Owners = [Boris] }).Periods, trends.ByOwner[1].Periods);
    }

    [Fact]
    public async Task Trends_LaterOutcomes_ResolveTheCensoredVisits_AndTheLastPeriodIsCut()
    {
        var log = await Log.Value;

        // Cut at 03-04 12:00: the 03-04 period is half a day, and bolt's requirements visit (begun 09:00) runs 3 h.
        var cut = FunnelTrendsCalculator.Compute(log, new TimeWindow(At(2, 0), At(4, 12)), CohortPeriod.Day, "UTC");
        Assert.Equal((At(4, 0), At(4, 12)), (cut.Periods[^1].From, cut.Periods[^1].To));
        Assert.Equal(new DurationEstimate(null, TimeSpan.FromHours(3)), cut.Periods[^1].Stage(Requirements)!.Median);
        Assert.Equal(0, cut.Periods[^1].Stage(Requirements)!.Lost);

        // The same periods as of 03-07: the visit ended at 24 h, and bolt was lost by then.
        var later = FunnelTrendsCalculator.Compute(log, new TimeWindow(At(2, 0), At(4, 12)), CohortPeriod.Day, "UTC", asOf: At(7, 0));
        Assert.Equal(new DurationEstimate(TimeSpan.FromHours(24), null), later.Periods[^1].Stage(Requirements)!.Median);
        Assert.Equal(1, later.Periods[^1].Stage(Requirements)!.Lost);
    }

    [Fact]
    public async Task Trends_BadInput_NamesTheParameter()
    {
        var log = await Log.Value;
        Assert.Equal("window", Assert.Throws<ArgumentException>(() => FunnelTrendsCalculator.Compute(log, new TimeWindow(At(2, 0), At(2, 0)), CohortPeriod.Day, "UTC")).ParamName);
        Assert.Equal("asOf", Assert.Throws<ArgumentException>(() => FunnelTrendsCalculator.Compute(log, Week, CohortPeriod.Day, "UTC", asOf: At(6, 0))).ParamName);
        Assert.Equal("timeZoneId", Assert.Throws<ArgumentException>(() => FunnelTrendsCalculator.Compute(log, Week, CohortPeriod.Day, "Mars/Olympus")).ParamName);
        Assert.Equal("period", Assert.Throws<ArgumentOutOfRangeException>(() => FunnelTrendsCalculator.Compute(log, Week, (CohortPeriod)7, "UTC")).ParamName);
        Assert.Equal("window", Assert.Throws<ArgumentOutOfRangeException>(() => FunnelTrendsCalculator.Compute(log, TimeWindow.Ending(At(7, 0), TimeSpan.FromDays(1001)), CohortPeriod.Day, "UTC")).ParamName);
        Assert.Equal("window", Assert.Throws<ArgumentOutOfRangeException>(() => FunnelTrendsCalculator.Compute(log, TimeWindow.Until(At(7, 0)), CohortPeriod.Month, "UTC")).ParamName);
        Assert.Single(FunnelTrendsCalculator.Compute(log, TimeWindow.Ending(At(7, 0), TimeSpan.FromDays(1000)), CohortPeriod.Day, "UTC").Periods, p => p.FirstStageCohort == 2);
    }

    [Fact]
    public async Task Trends_InSofia_FollowLocalMidnights_AndRoundTripThroughJson()
    {
        var log = await Log.Value;

        // Sofia is UTC+2 in March: the local day 03-03 is [03-02 22:00Z, 03-03 22:00Z); the window's first period is cut at its start.
        var trends = FunnelTrendsCalculator.Compute(log, Week, CohortPeriod.Day, "Europe/Sofia");
        Assert.Equal(["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06", "2026-03-07"], trends.Periods.Select(p => p.Key));
        Assert.Equal(At(2, 22), trends.Periods[1].From.ToUniversalTime());
        Assert.Equal(TimeSpan.FromHours(2), trends.Periods[1].From.Offset);
        Assert.Equal(At(7, 0), trends.Periods[^1].To);

        var json = JsonSerializer.Serialize(trends, FunnelMetricsJsonContext.Default.FunnelTrends);
        Assert.Equal(trends, JsonSerializer.Deserialize(json, FunnelMetricsJsonContext.Default.FunnelTrends));
        Assert.Contains("\"period\":\"Day\"", json, StringComparison.Ordinal);
        Assert.Contains("\"dropOff\":", json, StringComparison.Ordinal);
    }
}
