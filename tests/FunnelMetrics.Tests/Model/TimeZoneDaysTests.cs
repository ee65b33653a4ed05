using FunnelMetrics.Metrics;

namespace FunnelMetrics.Tests.Model;

public sealed class TimeZoneDaysTests
{
    private static TimeZoneInfo Zone(string id) => TimeZoneInfo.FindSystemTimeZoneById(id);

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    // Midnight repeats (clocks go back from 01:00 to 00:00): the day starts at the first of the two midnights.
    [InlineData("America/Havana", "2025-11-02", "2025-11-02T00:00:00-04:00", 25)]
    [InlineData("Atlantic/Azores", "2026-10-25", "2026-10-25T00:00:00+00:00", 25)]
    // Midnight is skipped (clocks go forward from 00:00 to 01:00): the day starts at the end of the gap.
    [InlineData("America/Havana", "2026-03-08", "2026-03-08T01:00:00-04:00", 23)]
    [InlineData("Atlantic/Azores", "2026-03-29", "2026-03-29T01:00:00+00:00", 23)]
    [InlineData("America/Santiago", "2026-09-06", "2026-09-06T01:00:00-03:00", 23)]
    // An ordinary day, and the day before a repeated midnight, which ends at the first of them.
    [InlineData("Europe/Sofia", "2026-03-02", "2026-03-02T00:00:00+02:00", 24)]
    [InlineData("Atlantic/Azores", "2026-10-24", "2026-10-24T00:00:00+00:00", 24)]
    public void StartOfDay_FollowsAtStartOfDayRules_AndDaysTileTime(string zoneId, string date, string start, int hours)
    {
        var zone = Zone(zoneId);
        var day = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture);

        var first = TimeZoneDays.StartOfDay(day, zone);
        var window = TimeZoneDays.Day(day, zone);

        Assert.Equal(At(start), first);
        Assert.Equal(At(start).Offset, first.Offset);
        Assert.Equal(first, window.Start);
        Assert.Equal(TimeZoneDays.StartOfDay(day.AddDays(1), zone), window.End);
        Assert.Equal(TimeSpan.FromHours(hours), window.Duration);
        Assert.Equal(day, TimeZoneDays.DateOf(window.Start, zone));
        Assert.Equal(day, TimeZoneDays.DateOf(window.End.AddTicks(-1), zone));
        Assert.Equal(day.AddDays(-1), TimeZoneDays.DateOf(window.Start.AddTicks(-1), zone));
        Assert.Equal(day.AddDays(1), TimeZoneDays.DateOf(window.End, zone));
    }

    [Fact]
    public void RepeatedMidnight_TheSecondMidnightIsInsideTheDay()
    {
        var havana = Zone("America/Havana");
        var day = TimeZoneDays.Day(new DateOnly(2025, 11, 2), havana);
        var secondMidnight = At("2025-11-02T00:00:00-05:00");

        Assert.True(day.Contains(secondMidnight));
        Assert.Equal(TimeSpan.FromHours(1), secondMidnight - day.Start);
        Assert.Equal(day.Start, TimeZoneDays.Day(new DateOnly(2025, 11, 1), havana).End);
    }

    [Fact]
    public void GapThatEndsBetweenWholeMinutes_StartsTheDayAtTheExactInstant()
    {
        // Clocks jump from 23:59:30 to 00:59:30 on 2026-03-29: midnight never happens, the day starts at 00:59:30 local.
        var rule = TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(
            new DateTime(2000, 1, 1), new DateTime(2099, 12, 31), TimeSpan.FromHours(1),
            TimeZoneInfo.TransitionTime.CreateFixedDateRule(new DateTime(1, 1, 1, 23, 59, 30), 3, 28),
            TimeZoneInfo.TransitionTime.CreateFixedDateRule(new DateTime(1, 1, 1, 1, 0, 0), 10, 30));
        var zone = TimeZoneInfo.CreateCustomTimeZone("Test/HalfMinuteGap", TimeSpan.Zero, "Test", "Test", "Test summer", [rule]);

        var start = TimeZoneDays.StartOfDay(new DateOnly(2026, 3, 29), zone);

        Assert.Equal(new DateTimeOffset(2026, 3, 29, 0, 59, 30, TimeSpan.FromHours(1)), start);
        Assert.Equal(new DateOnly(2026, 3, 28), TimeZoneDays.DateOf(start.AddTicks(-1), zone));
        Assert.Equal(TimeSpan.FromHours(24) - TimeSpan.FromSeconds(30), TimeZoneDays.Day(new DateOnly(2026, 3, 28), zone).Duration);
        // And its repeated midnight of 2026-10-30, at the first of the two.
        Assert.Equal(new DateTimeOffset(2026, 10, 30, 0, 0, 0, TimeSpan.FromHours(1)), TimeZoneDays.StartOfDay(new DateOnly(2026, 10, 30), zone));
    }

    [Fact]
    public void Days_CoverFromTheFirstDaysStartToTheStartOfTheDayAfterTheLast()
    {
        var azores = Zone("Atlantic/Azores");

        var october = TimeZoneDays.Days(new DateOnly(2026, 10, 1), new DateOnly(2026, 10, 31), azores);

        Assert.Equal(At("2026-10-01T00:00:00+00:00"), october.Start);
        Assert.Equal(At("2026-11-01T00:00:00-01:00"), october.End);
        Assert.Equal(TimeSpan.FromDays(31) + TimeSpan.FromHours(1), october.Duration);
        Assert.Equal("lastDay", Assert.Throws<ArgumentOutOfRangeException>(() => TimeZoneDays.Days(new DateOnly(2026, 10, 2), new DateOnly(2026, 10, 1), azores)).ParamName);
        Assert.Equal("lastDay", Assert.Throws<ArgumentOutOfRangeException>(() => TimeZoneDays.Day(DateOnly.MaxValue, azores)).ParamName);
        Assert.Equal("day", Assert.Throws<ArgumentOutOfRangeException>(() => TimeZoneDays.StartOfDay(DateOnly.MinValue, Zone("Asia/Tokyo"))).ParamName);
        Assert.Throws<ArgumentNullException>(() => TimeZoneDays.StartOfDay(new DateOnly(2026, 1, 1), null!));
    }

    [Theory]
    [InlineData("America/Havana", "2025-11-02")]
    [InlineData("Atlantic/Azores", "2026-10-24")]
    [InlineData("Atlantic/Azores", "2026-10-25")]
    [InlineData("Atlantic/Azores", "2026-03-29")]
    [InlineData("America/Havana", "2026-03-08")]
    public void FlowLedgerDays_AreTheHelpersDays(string zoneId, string date)
    {
        var zone = Zone(zoneId);
        var day = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture);
        var log = FunnelEventLog.Build(FunnelMetrics.Testing.Seed.Pipeline, [], []);

        var ledger = FlowLedgerCalculator.Compute(log, day.AddDays(-1), day.AddDays(1), zoneId);

        Assert.Equal(
            [TimeZoneDays.Day(day.AddDays(-1), zone), TimeZoneDays.Day(day, zone), TimeZoneDays.Day(day.AddDays(1), zone)],
            ledger.Days.Select(d => new TimeWindow(d.Start, d.End)));
    }
}
