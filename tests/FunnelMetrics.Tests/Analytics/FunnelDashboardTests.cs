using System.Text.Json;
using FunnelMetrics.Analytics;
using FunnelMetrics.Metrics;
using FunnelMetrics.Serialization;
using FunnelMetrics.Tests.Support;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Analytics;

/// <summary>The dashboard on the worked example (Support/WorkedExample.cs), its figures computed by hand.</summary>
public sealed class FunnelDashboardTests
{
    private static readonly DateTimeOffset Mon = WorkedExample.Mon;

    private static FunnelMetricsOptions Options(int workingDays = 3) => new() { Dashboard = new DashboardOptions { WorkingDays = workingDays } };

    [Fact]
    public async Task AtTheEndOfFriday_TodayIsFriday_AgainstTuesdayToThursday()
    {
        var log = await WorkedExample.HistoryAsync();

        var dashboard = FunnelDashboard.Compute(log, Mon.AddDays(5), null, Options());

        // Read at Saturday's midnight, "today" is the Friday that ends there.
        Assert.Equal(new DateOnly(2026, 3, 6), dashboard.Day);
        Assert.Equal(new TimeWindow(Mon.AddDays(4), Mon.AddDays(5)), dashboard.TodayWindow);
        var team = dashboard.Today[0];
        Assert.Null(team.Owner);
        // Friday: A wins out of requirements, B is reopened into interest.
        Assert.Equal((0, 1, 0, 1, 0, 1), (team.Today.New, team.Today.ForwardMoves, team.Today.Regressions, team.Today.Wins, team.Today.Losses, team.Today.Reopens));
        // Tuesday 3 forward moves, Wednesday 2 and a loss, Thursday a regression: per working day over 3.
        var avg = team.AveragePerWorkingDay;
        Assert.Equal(3, avg.Days);
        Assert.Equal((0d, 5 / 3d, 1 / 3d, 0d, 1 / 3d), (avg.New, avg.ForwardMoves, avg.Regressions, avg.Wins, avg.Losses));
        var stages = team.Stages.ToDictionary(s => s.Stage);
        Assert.Equal((1, 2 / 3d, 1), (stages[Interest].Entered, stages[Interest].AveragePerWorkingDay, stages[Interest].CountAtEnd));
        Assert.Equal((0, 2 / 3d, 1), (stages[Meeting].Entered, stages[Meeting].AveragePerWorkingDay, stages[Meeting].CountAtEnd));
        Assert.Equal((0, 1 / 3d, 0), (stages[Offer].Entered, stages[Offer].AveragePerWorkingDay, stages[Offer].CountAtEnd));
        Assert.Equal((1, 0d, 1), (stages[Contract].Entered, stages[Contract].AveragePerWorkingDay, stages[Contract].CountAtEnd));

        Assert.Equal((2, 1, 0), (dashboard.Funnel.InWork, dashboard.Funnel.Won, dashboard.Funnel.Lost));
        // The recent pace: the wins of Tuesday to Friday, one; March has it already.
        Assert.Equal((new DateOnly(2026, 3, 1), 1, false, 1, false), (dashboard.Month.Month, dashboard.Month.TargetWins, dashboard.Month.TargetGiven, dashboard.Month.WonSoFar, dashboard.Month.Closed));
        Assert.Equal(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero), dashboard.Month.ForecastEnd);
        Assert.Equal(TimeWindow.Ending(Mon.AddDays(5), TimeSpan.FromDays(90)), dashboard.SpeedWindow);
    }

    [Fact]
    public async Task TheRevenueParts_AreTheirCalculators_OverTheMonthAndTheLastThirteenWeeks()
    {
        var log = await WorkedExample.HistoryAsync();
        var asOf = Mon.AddDays(5);
        var options = Options();

        var dashboard = FunnelDashboard.Compute(log, asOf, null, options);

        // Money per stage on the forecast's own chain probabilities; the waterfall from March's first midnight.
        Assert.Equal(PipelineValueCalculator.Compute(log, asOf, null, dashboard.Forecast.WinProbabilities(), options.Parallelism), dashboard.Value);
        var march = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(PipelineWaterfallCalculator.Compute(log, march, asOf, "UTC"), dashboard.Waterfall);
        // The week began on Monday 03-02: nothing was open on March 1st, the two clients in work entered since, A entered and won.
        var total = dashboard.Waterfall.Total;
        Assert.Equal((0, 2, 0, 2, 1), (total.OpenAtStart.Clients, total.New.Clients, total.Won.Clients, total.OpenAtEnd.Clients, dashboard.Waterfall.EnteredAndWon.Clients));
        Assert.Equal(SlippedClientsCalculator.Compute(log, asOf, "UTC", null, options.Dashboard.OverdueClients), dashboard.Slipped);

        // Thirteen ISO weeks, the current one (2026-W10, from Monday 03-02) last and cut at the instant.
        var weeks = new TimeWindow(Mon.AddDays(-7 * 12), asOf);
        Assert.Equal(FunnelTrendsCalculator.Compute(log, weeks, CohortPeriod.Week, "UTC", asOf, options: options.Conversion, parallelism: options.Parallelism), dashboard.Trends);
        Assert.Equal((13, "2025-W50", "2026-W10"), (dashboard.Trends.Periods.Count, dashboard.Trends.Periods[0].Key, dashboard.Trends.Periods[^1].Key));

        // By month instead: the window starts on the first of the month TrendPeriods - 1 months back.
        var monthly = FunnelDashboard.Compute(log, asOf, null, new FunnelMetricsOptions { Dashboard = new DashboardOptions { WorkingDays = 3, TrendPeriod = CohortPeriod.Month, TrendPeriods = 3 } });
        Assert.Equal(("2026-01", "2026-03", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)), (monthly.Trends.Periods[0].Key, monthly.Trends.Periods[^1].Key, monthly.Trends.From));
    }

    [Fact]
    public async Task InTheMiddleOfADay_NothingAfterTheInstantIsCounted()
    {
        var log = await WorkedExample.HistoryAsync();

        // Friday 09:30: A has won, B's reopen at 10:00 has not happened yet.
        var dashboard = FunnelDashboard.Compute(log, Mon.AddDays(4).AddHours(9.5), new DashboardRequest { TargetWins = 3 }, Options());

        Assert.Equal(new DateOnly(2026, 3, 6), dashboard.Day);
        Assert.Equal((1, 0), (dashboard.Today[0].Today.Wins, dashboard.Today[0].Today.Reopens));
        Assert.Equal((1, 1, 1), (dashboard.Funnel.InWork, dashboard.Funnel.Won, dashboard.Funnel.Lost));
        Assert.Equal(0, dashboard.Today[0].Stages.Single(s => s.Stage == Interest).CountAtEnd);
        Assert.Equal((3, true), (dashboard.Month.TargetWins, dashboard.Month.TargetGiven));
    }

    [Fact]
    public async Task ForOneManager_OnlyTheirClientsAndMovesCount()
    {
        var log = await WorkedExample.HistoryAsync();

        var dashboard = FunnelDashboard.Compute(log, Mon.AddDays(5), new DashboardRequest { Filter = new FunnelFilter { Owners = [Boris] } }, Options());

        // Boris handed C to Anna on Tuesday: nothing of Friday is his, and no client is in work for him.
        Assert.Equal(0, dashboard.Funnel.InWork);
        Assert.Equal((0, 0), (dashboard.Today[0].Today.Wins, dashboard.Today[0].Today.Reopens));
    }

    [Fact]
    public async Task OutOfRangeOptions_AreRefused_NamingTheSetting()
    {
        var log = await WorkedExample.HistoryAsync();

        var days = Assert.Throws<ArgumentException>(() => FunnelDashboard.Compute(log, Mon.AddDays(5), null, Options(workingDays: 0)));
        var weekdays = Assert.Throws<ArgumentException>(() => FunnelDashboard.Compute(log, Mon.AddDays(5), null, new FunnelMetricsOptions { Dashboard = new DashboardOptions { WorkingWeekdays = Weekdays.None } }));

        Assert.Contains("Dashboard.WorkingDays", days.Message, StringComparison.Ordinal);
        Assert.Contains("Dashboard.WorkingWeekdays", weekdays.Message, StringComparison.Ordinal);
        var periods = Assert.Throws<ArgumentException>(() => FunnelDashboard.Compute(log, Mon.AddDays(5), null, new FunnelMetricsOptions { Dashboard = new DashboardOptions { TrendPeriods = 0 } }));
        var period = Assert.Throws<ArgumentException>(() => FunnelDashboard.Compute(log, Mon.AddDays(5), null, new FunnelMetricsOptions { Dashboard = new DashboardOptions { TrendPeriod = (CohortPeriod)7 } }));
        Assert.Contains("Dashboard.TrendPeriods is 0; it must be from 1 to 104", periods.Message, StringComparison.Ordinal);
        Assert.Contains("Dashboard.TrendPeriod is '7'", period.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DashboardRequest { TargetWins = -1 });
    }

    [Fact]
    public async Task WorkingWeekdays_DecideWhichPreviousDaysAreAveraged()
    {
        var log = await WorkedExample.HistoryAsync();

        // Only Tuesdays and Thursdays work: the two before Friday are Thursday 5 and Tuesday 3 March.
        var dashboard = FunnelDashboard.Compute(log, Mon.AddDays(5), null, new FunnelMetricsOptions { Dashboard = new DashboardOptions { WorkingDays = 2, WorkingWeekdays = Weekdays.Tuesday | Weekdays.Thursday } });

        var avg = dashboard.Today[0].AveragePerWorkingDay;
        Assert.Equal((2, 3 / 2d, 1 / 2d, 0d), (avg.Days, avg.ForwardMoves, avg.Regressions, avg.Losses));
    }

    [Fact]
    public async Task Json_IsTheContract_DurationsInSeconds_EnumsAsStrings()
    {
        var log = await WorkedExample.HistoryAsync();
        var dashboard = FunnelDashboard.Compute(log, Mon.AddDays(5), null, Options());

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(dashboard, FunnelMetricsJsonContext.Default.FunnelDashboard));

        var root = json.RootElement;
        Assert.Equal("2026-03-06", root.GetProperty("day").GetString());
        Assert.Equal(90 * 86400, root.GetProperty("speedWindow").GetProperty("duration").GetInt32());
        Assert.False(root.GetProperty("speedWindow").TryGetProperty("previous", out _));
        Assert.Equal("TimeInStage", root.GetProperty("stalled").GetProperty("clock").GetString());
        Assert.Equal(3, root.GetProperty("today")[0].GetProperty("averagePerWorkingDay").GetProperty("days").GetInt32());
    }
}
