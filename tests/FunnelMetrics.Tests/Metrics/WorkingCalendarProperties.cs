using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Metrics;
using FunnelMetrics.Serialization;
using FunnelMetrics.Tests.Support;

namespace FunnelMetrics.Tests.Metrics;

/// <summary>
/// Laws of working time over generated calendars (zones with whole-hour, half-hour and midnight clock changes, any working
/// days, hours on the minute, holidays around the histories) and generated histories: against a minute-by-minute oracle,
/// additive, never more than elapsed time, and every metric under the all-hours calendar equal to its elapsed figures.
/// </summary>
public sealed class WorkingCalendarProperties
{
    private static readonly string[] Zones = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Havana", "Atlantic/Azores", "Asia/Kolkata", "America/Santiago"];

    private static readonly DateTimeOffset Origin = FunnelMetrics.Testing.Seed.T0;

    private static Gen<WorkingCalendar> Calendars() =>
        from zone in Gen.Elements(Zones)
        from days in Gen.Choose(1, 127)
        from start in Gen.Choose(0, (24 * 60) - 1)
        from length in Gen.Choose(1, 24 * 60)
        from holidays in Gen.ListOf(Gen.Choose(-30, 400))
        select new WorkingCalendar(
            zone,
            (Weekdays)days,
            TimeSpan.FromMinutes(start),
            TimeSpan.FromMinutes(Math.Min((24 * 60) - start, length) + start),
            [.. holidays.Take(8).Select(d => DateOnly.FromDateTime(Origin.UtcDateTime).AddDays(d))]);

    /// <summary>Instants on the minute from a month before the origin to a year after it, the span of the clock changes of 2026.</summary>
    private static Gen<DateTimeOffset> Instants() => Gen.Choose(-30 * 24 * 60, 400 * 24 * 60).Select(m => Origin.AddMinutes(m));

    /// <summary>Days just before the 2026 clock changes of the zones: New York and Havana 8 March, the EU 29 March, Lord Howe and Santiago 5 April, Santiago 6 September, Lord Howe 4 October, the EU 25 October, New York and Havana 1 November.</summary>
    private static readonly DateTimeOffset[] BeforeChanges = [.. new[] { "2026-03-06", "2026-03-27", "2026-04-03", "2026-09-04", "2026-10-02", "2026-10-23", "2026-10-30" }.Select(d => DateTimeOffset.Parse(d + "T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>Half the spans start at any instant, half in the three days before a clock change and run over it.</summary>
    private static Gen<(DateTimeOffset From, int Minutes)> Spans() =>
        Gen.OneOf(
            from at in Instants() from minutes in Gen.Choose(0, 20 * 24 * 60) select (at, minutes),
            from day in Gen.Elements(BeforeChanges) from offset in Gen.Choose(0, 3 * 24 * 60) from minutes in Gen.Choose(3 * 24 * 60, 6 * 24 * 60) select (day.AddMinutes(offset), minutes));

    [Property(MaxTest = 300)]
    public Property WorkingTime_EqualsAMinuteByMinuteOracle() =>
        Prop.ForAll(
            Calendars().ToArbitrary(),
            Spans().ToArbitrary(),
            (calendar, span) =>
            {
                // Every minute whose local wall-clock time is in working hours of a working, non-holiday local date counts.
                var (from, minutes) = span;
                var zone = TimeZoneInfo.FindSystemTimeZoneById(calendar.TimeZoneId);
                var to = from.AddMinutes(minutes);
                var expected = 0;
                for (var m = from; m < to; m = m.AddMinutes(1))
                {
                    var local = TimeZoneInfo.ConvertTime(m, zone).DateTime;
                    if (calendar.IsWorkingDay(DateOnly.FromDateTime(local)) && local.TimeOfDay >= calendar.Start && local.TimeOfDay < calendar.End)
                    {
                        expected++;
                    }
                }

                Assert.Equal(TimeSpan.FromMinutes(expected), calendar.WorkingTime(from, to));
            });

    [Property(MaxTest = 500)]
    public Property WorkingTime_IsAdditiveAndMonotone_AndNeverMoreThanElapsed() =>
        Prop.ForAll(Calendars().ToArbitrary(), Instants().ListOf(3).ToArbitrary(), (calendar, instants) =>
        {
            DateTimeOffset[] sorted = [.. instants.Order()];
            var (a, b, c) = (sorted[0], sorted[1].AddTicks(7), sorted[2].AddTicks(11));
            var (ab, bc, ac) = (calendar.WorkingTime(a, b), calendar.WorkingTime(b, c), calendar.WorkingTime(a, c));
            Assert.Equal(ac, ab + bc);
            Assert.InRange(ab, TimeSpan.Zero, b - a);
            Assert.InRange(bc, TimeSpan.Zero, c - b);
            Assert.InRange(ac, ab, c - a);
            Assert.Equal(c - a, WorkingCalendar.AllHours(calendar.TimeZoneId).WorkingTime(a, c));
        });

    [Property(MaxTest = 100)]
    public Property EveryMetric_UnderAllHours_EqualsItsElapsedFigures() =>
        Prop.ForAll(RecordedHistory.Arb(), Gen.Elements(Zones).ToArbitrary(), (h, zone) =>
        {
            var log = h.Log();
            var all = WorkingCalendar.AllHours(zone);
            var window = new TimeWindow(Origin, h.AsOf.AddHours(1));
            var stalls = new StallOptions { MinimumVisits = 1, Clock = h.Seed % 2 == 0 ? StallClock.TimeInStage : StallClock.LastTouch };

            var timeInStage = TimeInStageCalculator.Compute(log, TimeWindow.Until(h.AsOf), calendar: all);
            Assert.Equal(all, timeInStage.Calendar);
            Assert.Equal(Json(TimeInStageCalculator.Compute(log, TimeWindow.Until(h.AsOf))), Json(timeInStage));
            Assert.Equal(Json(TimeInStageCalculator.Compute(log, window)), Json(TimeInStageCalculator.Compute(log, window, calendar: all)));
            Assert.Equal(Json(StallCalculator.Compute(log, h.AsOf, stalls)), Json(StallCalculator.Compute(log, h.AsOf, stalls, calendar: all)));
            Assert.Equal(Json(VelocityCalculator.Compute(log, window)), Json(VelocityCalculator.Compute(log, window, calendar: all)));
            Assert.Equal(Json(StuckStagesCalculator.Compute(log, window, stalls)), Json(StuckStagesCalculator.Compute(log, window, stalls, calendar: all)));
            Assert.Equal(
                Json(FunnelTrendsCalculator.Compute(log, window, CohortPeriod.Week, zone, byOwner: true)),
                Json(FunnelTrendsCalculator.Compute(log, window, CohortPeriod.Week, zone, byOwner: true, calendar: all)));
        });

    [Property(MaxTest = 100)]
    public Property EveryMetricsDurations_UnderACalendar_AreAtMostElapsed() =>
        Prop.ForAll(RecordedHistory.Arb(), Calendars().ToArbitrary(), (h, calendar) =>
        {
            var log = h.Log();
            var window = TimeWindow.Until(h.AsOf.AddHours(1));
            var elapsed = TimeInStageCalculator.Compute(log, window);
            var working = TimeInStageCalculator.Compute(log, window, calendar: calendar);
            Assert.Null(elapsed.Calendar);
            Assert.Equal(calendar, working.Calendar);
            for (var s = 0; s < elapsed.Stages.Count; s++)
            {
                var (e, w) = (elapsed.Stages[s], working.Stages[s]);
                Assert.Equal((e.Completed.Count, e.OpenVisits, e.PerClient.Count), (w.Completed.Count, w.OpenVisits, w.PerClient.Count));
                AtMost(w.Completed, e.Completed);
                AtMost(w.PerClient, e.PerClient);
            }

            // Stalled clients: each idle time is the calendar's working time since the clock started, at most the elapsed time.
            var stalled = StallCalculator.Compute(log, h.AsOf, new StallOptions { MinimumVisits = 1, DefaultThreshold = TimeSpan.FromHours(1) }, calendar: calendar);
            Assert.Equal(calendar, stalled.Calendar);
            foreach (var client in stalled.Clients)
            {
                Assert.Equal(calendar.WorkingTime(client.VisitStart, h.AsOf), client.Idle);
                Assert.True(client.Idle > client.Threshold);
                Assert.True(client.Idle <= h.AsOf - client.VisitStart);
            }

            // Velocity: cycle times at most elapsed; the window's working days at most its length.
            var velocityWindow = new TimeWindow(Origin, h.AsOf.AddDays(60));
            var elapsedVelocity = VelocityCalculator.Compute(log, velocityWindow);
            var workingVelocity = VelocityCalculator.Compute(log, velocityWindow, calendar: calendar);
            AtMost(workingVelocity.CycleTime, elapsedVelocity.CycleTime);
            Assert.True(workingVelocity.Days * calendar.WorkingDayLength.Ticks <= velocityWindow.Duration.Ticks + 1);
            Assert.Equal(elapsedVelocity.Stages.Select(s => s.ForwardMoves), workingVelocity.Stages.Select(s => s.ForwardMoves));

            // Trends: each period's visits measured on the calendar, at most elapsed; the cohorts do not change.
            var trendWindow = new TimeWindow(Origin, h.AsOf.AddHours(1));
            var elapsedTrends = FunnelTrendsCalculator.Compute(log, trendWindow, CohortPeriod.Week, calendar.TimeZoneId);
            var workingTrends = FunnelTrendsCalculator.Compute(log, trendWindow, CohortPeriod.Week, calendar.TimeZoneId, calendar: calendar);
            Assert.Equal(calendar, workingTrends.Calendar);
            for (var p = 0; p < elapsedTrends.Periods.Count; p++)
            {
                // The same stages are listed: their visits and cohorts do not depend on the clock.
                Assert.Equal(elapsedTrends.Periods[p].Stages.Select(s => s.Stage), workingTrends.Periods[p].Stages.Select(s => s.Stage));
                for (var s = 0; s < elapsedTrends.Periods[p].Stages.Count; s++)
                {
                    var (e, w) = (elapsedTrends.Periods[p].Stages[s], workingTrends.Periods[p].Stages[s]);
                    Assert.Equal((e.Cohort, e.Advanced, e.Lost, e.OpenVisits), (w.Cohort, w.Advanced, w.Lost, w.OpenVisits));
                    AtMost(w.Completed, e.Completed);
                }
            }
        });

    private static void AtMost(DurationStats working, DurationStats elapsed)
    {
        Assert.Equal(elapsed.Count, working.Count);
        Assert.True(working.TotalDays <= elapsed.TotalDays + 1e-9, $"{working.TotalDays} > {elapsed.TotalDays}");
        foreach (var (w, e) in new[] { (working.Mean, elapsed.Mean), (working.Median, elapsed.Median), (working.P75, elapsed.P75), (working.P90, elapsed.P90) })
        {
            Assert.Equal(e is null, w is null);
            Assert.True(w is null || w <= e, $"{w} > {e}");
        }
    }

    /// <summary>The result's JSON without its calendar: the figures only.</summary>
    private static string Json<T>(T result)
    {
        var node = JsonSerializer.SerializeToNode(result, typeof(T), FunnelMetricsJsonContext.Default)!.AsObject();
        node.Remove("calendar");
        return node.ToJsonString();
    }
}
