using System.Globalization;
using System.Text.Json;
using FunnelMetrics.Serialization;

namespace FunnelMetrics.Tests.Model;

/// <summary>Working time of <see cref="WorkingCalendar"/>, hand-computed: nights, weekends, holidays and daylight-saving days.</summary>
public sealed class WorkingCalendarTests
{
    private static readonly TimeSpan Nine = TimeSpan.FromHours(9);
    private static readonly TimeSpan Eighteen = TimeSpan.FromHours(18);

    private static readonly WorkingCalendar Berlin = new("Europe/Berlin", Weekdays.MondayToFriday, Nine, Eighteen);

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    [Fact]
    public void WorkingTime_FromFriday1800ToMonday0900_IsZero()
    {
        // The issue's example: Friday 6 March 2026 18:00 to Monday 9 March 09:00, Berlin time (UTC+1).
        Assert.Equal(TimeSpan.Zero, Berlin.WorkingTime(At("2026-03-06T18:00:00+01:00"), At("2026-03-09T09:00:00+01:00")));
        Assert.Equal(TimeSpan.FromHours(63), At("2026-03-09T09:00:00+01:00") - At("2026-03-06T18:00:00+01:00"));

        // One minute either side is one minute of work.
        Assert.Equal(TimeSpan.FromMinutes(1), Berlin.WorkingTime(At("2026-03-06T17:59:00+01:00"), At("2026-03-09T09:00:00+01:00")));
        Assert.Equal(TimeSpan.FromMinutes(1), Berlin.WorkingTime(At("2026-03-06T18:00:00+01:00"), At("2026-03-09T09:01:00+01:00")));
    }

    [Theory]
    // Within one day: the hours themselves.
    [InlineData("2026-03-03T10:00:00+01:00", "2026-03-03T15:30:00+01:00", "05:30:00")]
    // Before opening and after closing count nothing.
    [InlineData("2026-03-03T07:00:00+01:00", "2026-03-03T10:00:00+01:00", "01:00:00")]
    [InlineData("2026-03-03T17:00:00+01:00", "2026-03-03T23:00:00+01:00", "01:00:00")]
    // Monday 17:00 to Wednesday 10:00: one hour, a whole day of nine, one hour.
    [InlineData("2026-03-02T17:00:00+01:00", "2026-03-04T10:00:00+01:00", "11:00:00")]
    // A whole week from Monday 00:00: five days of nine hours.
    [InlineData("2026-03-02T00:00:00+01:00", "2026-03-09T00:00:00+01:00", "1.21:00:00")]
    // The same instant: nothing.
    [InlineData("2026-03-03T12:00:00+01:00", "2026-03-03T12:00:00+01:00", "00:00:00")]
    // The instants are read in the calendar's zone whatever their offset: 08:00Z is 09:00 in Berlin.
    [InlineData("2026-03-03T08:00:00+00:00", "2026-03-03T09:00:00+00:00", "01:00:00")]
    public void WorkingTime_MondayToFriday9To18_IsHandComputed(string from, string to, string expected) =>
        Assert.Equal(TimeSpan.Parse(expected, CultureInfo.InvariantCulture), Berlin.WorkingTime(At(from), At(to)));

    [Fact]
    public void WorkingTime_SkipsHolidays_OnWorkingWeekdaysOnly()
    {
        // Friday 25 December 2026 is a holiday, Saturday 26 December is one too but is not worked anyway.
        var calendar = new WorkingCalendar("Europe/Berlin", Weekdays.MondayToFriday, Nine, Eighteen, [new DateOnly(2026, 12, 26), new DateOnly(2026, 12, 25), new DateOnly(2026, 12, 25)]);

        // Thursday 16:00 to Monday 10:00: two hours on Thursday, one on Monday.
        Assert.Equal(TimeSpan.FromHours(3), calendar.WorkingTime(At("2026-12-24T16:00:00+01:00"), At("2026-12-28T10:00:00+01:00")));
        Assert.Equal(TimeSpan.FromHours(12), Berlin.WorkingTime(At("2026-12-24T16:00:00+01:00"), At("2026-12-28T10:00:00+01:00")));
        Assert.Equal([new DateOnly(2026, 12, 25), new DateOnly(2026, 12, 26)], calendar.Holidays);
        Assert.False(calendar.IsWorkingDay(new DateOnly(2026, 12, 25)));
        Assert.False(calendar.IsWorkingDay(new DateOnly(2026, 12, 26)));
        Assert.True(calendar.IsWorkingDay(new DateOnly(2026, 12, 28)));
    }

    [Theory]
    // Europe/Berlin springs forward on Sunday 29 March 2026 at 02:00 (to 03:00) and falls back on Sunday 25 October at 03:00 (to 02:00).
    // Every hour of every day: the day is 23 and 25 hours long.
    [InlineData("00:00", "24:00", "2026-03-29", 23)]
    [InlineData("00:00", "24:00", "2026-10-25", 25)]
    [InlineData("00:00", "24:00", "2026-03-28", 24)]
    // 01:00-04:00: the skipped hour 02:00-03:00 is not worked, the repeated one is worked twice.
    [InlineData("01:00", "04:00", "2026-03-29", 2)]
    [InlineData("01:00", "04:00", "2026-10-25", 4)]
    // 09:00-18:00: the change is outside the hours, the day is nine hours as any other.
    [InlineData("09:00", "18:00", "2026-03-29", 9)]
    [InlineData("09:00", "18:00", "2026-10-25", 9)]
    // 02:30-03:30: half of it skipped in March (02:30-03:00 does not exist); in October 02:30-03:00 happens twice.
    [InlineData("02:30", "03:30", "2026-03-29", 0.5)]
    [InlineData("02:30", "03:30", "2026-10-25", 1.5)]
    public void WorkingTime_OfADaylightSavingDay_FollowsTheWallClock(string start, string end, string day, double hours)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var calendar = new WorkingCalendar("Europe/Berlin", Weekdays.All, Time(start), Time(end));
        var window = TimeZoneDays.Day(DateOnly.Parse(day, CultureInfo.InvariantCulture), zone);

        Assert.Equal(TimeSpan.FromHours(hours), calendar.WorkingTime(window.Start, window.End));

        // The day's working time is the same whichever neighbouring instants bound it.
        Assert.Equal(TimeSpan.FromHours(hours), calendar.WorkingTime(window.Start.AddHours(-5), window.End.AddHours(5)) - calendar.WorkingTime(window.Start.AddHours(-5), window.Start) - calendar.WorkingTime(window.End, window.End.AddHours(5)));
    }

    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("America/New_York")]
    [InlineData("Australia/Lord_Howe")]
    [InlineData("UTC")]
    public void AllHours_IsElapsedTime_AcrossAYearOfClockChanges(string zone)
    {
        var calendar = WorkingCalendar.AllHours(zone);
        var from = At("2026-01-01T00:00:00Z");
        for (var hours = 0; hours < 24 * 400; hours += 37)
        {
            var to = from.AddHours(hours).AddMinutes(hours % 60);
            Assert.Equal(to - from, calendar.WorkingTime(from, to));
        }
    }

    [Fact]
    public void WorkingTime_FarFromTheFirstInstantAsked_GrowsItsTableWithoutChangingEarlierAnswers()
    {
        var calendar = new WorkingCalendar("Europe/Berlin", Weekdays.MondayToFriday, Nine, Eighteen);
        var week = calendar.WorkingTime(At("2026-03-02T00:00:00+01:00"), At("2026-03-09T00:00:00+01:00"));
        Assert.Equal(TimeSpan.FromHours(45), calendar.WorkingTime(At("1990-03-05T00:00:00+01:00"), At("1990-03-12T00:00:00+01:00")));
        Assert.Equal(TimeSpan.FromHours(45), calendar.WorkingTime(At("2090-03-06T00:00:00+01:00"), At("2090-03-13T00:00:00+01:00")));
        Assert.Equal(week, calendar.WorkingTime(At("2026-03-02T00:00:00+01:00"), At("2026-03-09T00:00:00+01:00")));
    }

    [Fact]
    public void Constructor_RefusesBadSettings_NamingTheParameter()
    {
        Assert.Equal("timeZoneId", Assert.Throws<ArgumentException>(() => new WorkingCalendar("Mars/Olympus", Weekdays.MondayToFriday, Nine, Eighteen)).ParamName);
        Assert.Equal("workingDays", Assert.Throws<ArgumentOutOfRangeException>(() => new WorkingCalendar("UTC", Weekdays.None, Nine, Eighteen)).ParamName);
        Assert.Equal("workingDays", Assert.Throws<ArgumentOutOfRangeException>(() => new WorkingCalendar("UTC", (Weekdays)128, Nine, Eighteen)).ParamName);
        Assert.Equal("start", Assert.Throws<ArgumentOutOfRangeException>(() => new WorkingCalendar("UTC", Weekdays.All, TimeSpan.FromDays(1), TimeSpan.FromDays(1))).ParamName);
        Assert.Equal("start", Assert.Throws<ArgumentOutOfRangeException>(() => new WorkingCalendar("UTC", Weekdays.All, TimeSpan.FromHours(-1), Nine)).ParamName);
        var end = Assert.Throws<ArgumentOutOfRangeException>(() => new WorkingCalendar("UTC", Weekdays.All, Eighteen, Nine));
        Assert.Equal("end", end.ParamName);
        Assert.Contains("after they start (18:00)", end.Message, StringComparison.Ordinal);
        Assert.Equal("end", Assert.Throws<ArgumentOutOfRangeException>(() => new WorkingCalendar("UTC", Weekdays.All, Nine, Nine)).ParamName);
        Assert.Equal("end", Assert.Throws<ArgumentOutOfRangeException>(() => new WorkingCalendar("UTC", Weekdays.All, Nine, TimeSpan.FromHours(25))).ParamName);
        Assert.Equal("to", Assert.Throws<ArgumentOutOfRangeException>(() => Berlin.WorkingTime(At("2026-03-03T12:00:00Z"), At("2026-03-03T11:00:00Z"))).ParamName);
    }

    [Fact]
    public void Calendar_IsAValue_AndRoundTripsThroughJson()
    {
        var calendar = new WorkingCalendar("Europe/Berlin", Weekdays.MondayToFriday, Nine, TimeSpan.FromDays(1), [new DateOnly(2026, 12, 25)]);
        var same = new WorkingCalendar("Europe/Berlin", Weekdays.Monday | Weekdays.Tuesday | Weekdays.Wednesday | Weekdays.Thursday | Weekdays.Friday, Nine, TimeSpan.FromDays(1), [new DateOnly(2026, 12, 25), new DateOnly(2026, 12, 25)]);
        Assert.Equal(calendar, same);
        Assert.Equal(calendar.GetHashCode(), same.GetHashCode());
        Assert.NotEqual(calendar, new WorkingCalendar("Europe/Berlin", Weekdays.MondayToFriday, Nine, TimeSpan.FromDays(1)));
        Assert.Equal("MondayToFriday 09:00-24:00 Europe/Berlin, 1 holiday", calendar.ToString());

        var json = JsonSerializer.Serialize(calendar, FunnelMetricsJsonContext.Default.WorkingCalendar);
        Assert.Equal("""{"timeZoneId":"Europe/Berlin","workingDays":"MondayToFriday","start":32400,"end":86400,"holidays":["2026-12-25"]}""", json);
        Assert.Equal(calendar, JsonSerializer.Deserialize(json, FunnelMetricsJsonContext.Default.WorkingCalendar));
        Assert.Throws<ArgumentOutOfRangeException>(() => JsonSerializer.Deserialize("""{"timeZoneId":"UTC","workingDays":"Monday","start":32400,"end":3600}""", FunnelMetricsJsonContext.Default.WorkingCalendar));
    }

    private static TimeSpan Time(string hhmm) => hhmm == "24:00" ? TimeSpan.FromDays(1) : TimeSpan.ParseExact(hhmm, @"hh\:mm", CultureInfo.InvariantCulture);
}
