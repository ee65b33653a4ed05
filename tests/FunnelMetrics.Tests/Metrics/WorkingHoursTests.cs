using System.Globalization;
using System.Text.Json;
using FunnelMetrics.Analytics;
using FunnelMetrics.Metrics;
using FunnelMetrics.Serialization;
using FunnelMetrics.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static FunnelMetrics.Testing.Seed;
using static FunnelMetrics.Tests.Support.DocsWorkedExample;

namespace FunnelMetrics.Tests.Metrics;

/// <summary>The metrics under a working calendar, hand-computed: time in stage, stalls, velocity, the options and the service.</summary>
public sealed class WorkingHoursTests
{
    private static readonly WorkingCalendar UtcNineToSix = new("UTC", Weekdays.MondayToFriday, TimeSpan.FromHours(9), TimeSpan.FromHours(18));

    private static readonly WorkingCalendar BerlinNineToSix = new("Europe/Berlin", Weekdays.MondayToFriday, TimeSpan.FromHours(9), TimeSpan.FromHours(18));

    private static DateTimeOffset Berlin(string local) => DateTimeOffset.Parse(local + "+01:00", CultureInfo.InvariantCulture);

    [Fact]
    public async Task TimeInStage_OfAVisitFromFriday1800ToMonday0900_IsZeroWorkingHours()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1", Berlin("2026-03-02T08:00:00"));
        await h.Recorder.MoveAsync(c, DecisionMaker, Berlin("2026-03-06T18:00:00"));
        await h.Recorder.MoveAsync(c, Interest, Berlin("2026-03-09T09:00:00"));
        var log = await h.LogAsync();
        var window = TimeWindow.Until(Berlin("2026-03-10T00:00:00"));

        var working = TimeInStageCalculator.Compute(log, window, calendar: BerlinNineToSix);
        var elapsed = TimeInStageCalculator.Compute(log, window);

        Assert.Equal(new DurationStats(1, 0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero), working.Stages[0].Completed);
        Assert.Equal(TimeSpan.FromHours(63), elapsed.Stages[0].Completed.Median);

        // The open visit of interest, Monday 09:00 to Tuesday 00:00: nine working hours of fifteen.
        Assert.Equal(new DurationEstimate(null, TimeSpan.FromHours(9)), working.Stages[1].Median);
        Assert.Equal(new DurationEstimate(null, TimeSpan.FromHours(15)), elapsed.Stages[1].Median);
        Assert.Equal(BerlinNineToSix, working.Calendar);
        Assert.Null(elapsed.Calendar);
    }

    [Fact]
    public async Task DocsWorkedExample_TimeInStageOfMeeting_UnderMondayToFriday9To18Utc()
    {
        var log = await Log.Value;

        // docs/metrics.md, "Working-hours clocks": bolt 8 h and 9 h, cobalt 7 h, all completed; cobalt 17 h and delta 20 h still running.
        var meeting = TimeInStageCalculator.Compute(log, TimeWindow.Until(At(7, 0)), calendar: UtcNineToSix).Stages[2];
        Assert.Equal(new DurationStats(3, 1, TimeSpan.FromHours(8), TimeSpan.FromHours(8), TimeSpan.FromHours(9), TimeSpan.FromHours(9)), meeting.Completed);
        Assert.Equal(2, meeting.OpenVisits);
        Assert.Equal(new DurationEstimate(TimeSpan.FromHours(9), null), meeting.Median);
        Assert.Equal(new DurationEstimate(null, TimeSpan.FromHours(20)), meeting.P90);
        Assert.Equal((3, TimeSpan.FromMinutes((61 * 60) / 3), TimeSpan.FromHours(20)), (meeting.PerClient.Count, meeting.PerClient.Mean!.Value, meeting.PerClient.Median!.Value));
    }

    [Fact]
    public async Task DocsWorkedExample_Velocity_UnderMondayToFriday9To18Utc()
    {
        var log = await Log.Value;

        // The window's five days hold 45 working hours: five working days. acme's cycle, Monday 09:00 to Friday 11:00, is 38 working hours.
        var velocity = VelocityCalculator.Compute(log, new TimeWindow(At(2, 0), At(7, 0)), calendar: UtcNineToSix);
        Assert.Equal(5, velocity.Days, 12);
        Assert.Equal([0.6, 0.8, 0.2, 0.2, 0.2, 0.2, 0], velocity.Stages.Select(s => Math.Round(s.PerDay, 12)));
        Assert.Equal((1, TimeSpan.FromHours(38)), (velocity.CycleTime.Count, velocity.CycleTime.Median!.Value));
        Assert.Equal(38 / 9.0, velocity.SalesVelocity.AverageCycleDays!.Value, 12);
        Assert.Equal(9 / 38.0, velocity.SalesVelocity.ClientsPerDay!.Value, 12);
        Assert.Equal(2368.42m, decimal.Round(velocity.SalesVelocity.ValuePerDay!.Value, 2));
        Assert.Equal(UtcNineToSix, velocity.Calendar);
    }

    [Fact]
    public async Task Velocity_OverAWindowWithNoWorkingTime_Throws()
    {
        var log = await Log.Value;
        var weekend = new TimeWindow(At(7, 0), At(9, 0));

        var ex = Assert.Throws<ArgumentException>(() => VelocityCalculator.Compute(log, weekend, calendar: UtcNineToSix));
        Assert.Equal("window", ex.ParamName);
        Assert.Contains("no working time", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, VelocityCalculator.Compute(log, weekend).Days);
    }

    [Fact]
    public async Task Stalls_UnderACalendar_CountOnlyWorkingTime_AgainstTheThreshold()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var friday = await h.AddClientAsync("friday", Berlin("2026-03-02T08:00:00"));
        var monday = await h.AddClientAsync("monday", Berlin("2026-03-02T08:00:00"));
        await h.Recorder.MoveAsync(friday, DecisionMaker, Berlin("2026-03-06T17:00:00"));
        await h.Recorder.MoveAsync(monday, DecisionMaker, Berlin("2026-03-09T09:00:00"));
        var log = await h.LogAsync();
        var options = new StallOptions { StageThresholds = { [DecisionMaker.Value] = TimeSpan.FromHours(4) } };
        var asOf = Berlin("2026-03-09T12:00:00");

        // Elapsed: friday has waited 67 hours, monday 3: only friday is past 4 hours.
        var elapsed = StallCalculator.Compute(log, asOf, options);
        Assert.Equal([(new ClientId("friday"), TimeSpan.FromHours(67))], elapsed.Clients.Select(s => (s.ClientId, s.Idle)));

        // Working hours: friday has waited 1 hour on Friday and 3 on Monday, exactly the threshold, so it is not stalled; an hour later it is (5 > 4), monday is not (4).
        Assert.Empty(StallCalculator.Compute(log, asOf, options, calendar: BerlinNineToSix).Clients);
        var later = StallCalculator.Compute(log, asOf.AddHours(1), options, calendar: BerlinNineToSix);
        var stalled = Assert.Single(later.Clients);
        Assert.Equal((new ClientId("friday"), TimeSpan.FromHours(5), 1.25), (stalled.ClientId, stalled.Idle, stalled.Overdue));
        Assert.Equal(BerlinNineToSix, later.Calendar);

        // The live view measures on the same clock.
        Assert.Equal(later, FunnelLiveView.Create(log, asOf, options, BerlinNineToSix).Stalled(asOf.AddHours(1)));
    }

    [Fact]
    public async Task Results_WithoutACalendar_WriteNoCalendar_AndWithOneRoundTrip()
    {
        var log = await Log.Value;
        var elapsed = JsonSerializer.Serialize(TimeInStageCalculator.Compute(log, TimeWindow.Until(At(7, 0))), FunnelMetricsJsonContext.Default.TimeInStage);
        Assert.DoesNotContain("calendar", elapsed, StringComparison.Ordinal);

        var working = TimeInStageCalculator.Compute(log, TimeWindow.Until(At(7, 0)), calendar: UtcNineToSix);
        var json = JsonSerializer.Serialize(working, FunnelMetricsJsonContext.Default.TimeInStage);
        Assert.Contains("\"calendar\":{\"timeZoneId\":\"UTC\",\"workingDays\":\"MondayToFriday\",\"start\":32400,\"end\":64800,\"holidays\":[]}", json, StringComparison.Ordinal);
        Assert.Equal(working, JsonSerializer.Deserialize(json, FunnelMetricsJsonContext.Default.TimeInStage));

        var velocity = VelocityCalculator.Compute(log, new TimeWindow(At(2, 0), At(7, 0)), calendar: UtcNineToSix);
        Assert.Equal(velocity, JsonSerializer.Deserialize(JsonSerializer.Serialize(velocity, FunnelMetricsJsonContext.Default.Velocity), FunnelMetricsJsonContext.Default.Velocity));
        var stalls = StallCalculator.Compute(log, At(7, 0), calendar: UtcNineToSix);
        Assert.Equal(stalls, JsonSerializer.Deserialize(JsonSerializer.Serialize(stalls, FunnelMetricsJsonContext.Default.StalledClients), FunnelMetricsJsonContext.Default.StalledClients));
        var stuck = StuckStagesCalculator.Compute(log, new TimeWindow(At(4, 0), At(7, 0)), calendar: UtcNineToSix);
        Assert.Equal(UtcNineToSix, stuck.Calendar);
        Assert.Equal(stuck, JsonSerializer.Deserialize(JsonSerializer.Serialize(stuck, FunnelMetricsJsonContext.Default.StuckStages), FunnelMetricsJsonContext.Default.StuckStages));
    }

    [Fact]
    public async Task Options_BindTheCalendar_AndTheServiceMeasuresInIt()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FunnelMetrics:TimeZone"] = "Europe/Berlin",
            ["FunnelMetrics:WorkingCalendar:Enabled"] = "true",
            ["FunnelMetrics:WorkingCalendar:WorkingDays"] = "Monday, Tuesday, Wednesday, Thursday, Friday",
            ["FunnelMetrics:WorkingCalendar:Start"] = "09:00",
            ["FunnelMetrics:WorkingCalendar:End"] = "18:00",
            ["FunnelMetrics:WorkingCalendar:Holidays:0"] = "2026-12-25",
        }).Build();
        var services = new ServiceCollection();
        services.AddFunnelMetrics(configuration.GetSection("FunnelMetrics"));
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<FunnelMetricsOptions>>().Value;
        var expected = new WorkingCalendar("Europe/Berlin", Weekdays.MondayToFriday, TimeSpan.FromHours(9), TimeSpan.FromHours(18), [new DateOnly(2026, 12, 25)]);
        Assert.Equal(expected, options.WorkingCalendar.ToCalendar(options.TimeZone));
        Assert.Same(options.WorkingCalendar.ToCalendar(options.TimeZone), options.WorkingCalendar.ToCalendar(options.TimeZone));

        using var scope = provider.CreateScope();
        var analytics = scope.ServiceProvider.GetRequiredService<FunnelAnalytics>();
        Assert.Equal(expected, analytics.Calendar);
        Assert.Null(new FunnelMetricsOptions().WorkingCalendar.ToCalendar("UTC"));
    }

    [Theory]
    [InlineData("Start", "9am", "WorkingCalendar.Start")]
    [InlineData("Start", "24:00", "WorkingCalendar.Start")]
    [InlineData("End", "25:00", "WorkingCalendar.End")]
    [InlineData("End", "08:00", "WorkingCalendar.End")]
    [InlineData("Holidays:0", "25.12.2026", "WorkingCalendar.Holidays[0]")]
    [InlineData("WorkingDays", "128", "WorkingCalendar.WorkingDays")]
    public void Options_RefuseABadCalendar_NamingTheSetting(string key, string value, string setting)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FunnelMetrics:WorkingCalendar:Enabled"] = "true",
            [$"FunnelMetrics:WorkingCalendar:{key}"] = value,
        }).Build();
        using var provider = new ServiceCollection().AddFunnelMetrics(configuration.GetSection("FunnelMetrics")).Services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<FunnelMetricsOptions>>().Value);

        Assert.True(ex.Message.Contains(setting, StringComparison.Ordinal), ex.Message);
        Assert.Contains(value, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_WithAnUnknownWeekday_FailToBind_NamingTheSetting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["FunnelMetrics:WorkingCalendar:WorkingDays"] = "Monday, Funday" }).Build();
        using var provider = new ServiceCollection().AddFunnelMetrics(configuration.GetSection("FunnelMetrics")).Services.BuildServiceProvider();

        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IOptions<FunnelMetricsOptions>>().Value);

        Assert.Contains("FunnelMetrics:WorkingCalendar:WorkingDays", ex.Message, StringComparison.Ordinal);
    }
}
