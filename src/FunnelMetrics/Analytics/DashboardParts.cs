using FunnelMetrics.Metrics;

namespace FunnelMetrics.Analytics;

/// <summary>One manager's day (or the team's) next to their average of the previous working days.</summary>
public sealed class DashboardDay
{
    internal DashboardDay(OwnerId? owner, FlowTotals today, DayAverages average, IReadOnlyList<DashboardStageDay> stages) =>
        (Owner, Today, AveragePerWorkingDay, Stages) = (owner, today, average, stages);

    /// <summary>The manager; <see langword="null"/> for the whole team (the clients the dashboard's filter keeps).</summary>
    public OwnerId? Owner { get; }

    /// <summary>Today's figures: the flow ledger's totals of the dashboard's day (<see cref="FlowTotals"/>).</summary>
    public FlowTotals Today { get; }

    /// <summary>The same counts' average per working day over the previous working days.</summary>
    public DayAverages AveragePerWorkingDay { get; }

    /// <summary>Per stage, in pipeline order: today's entries, their average, and the clients there at the end of today.</summary>
    public IReadOnlyList<DashboardStageDay> Stages { get; }
}

/// <summary>One stage's row of a <see cref="DashboardDay"/>.</summary>
public sealed class DashboardStageDay
{
    internal DashboardStageDay(StageId stage, int entered, double average, int countAtEnd) =>
        (Stage, Entered, AveragePerWorkingDay, CountAtEnd) = (stage, entered, average, countAtEnd);

    /// <summary>The stage.</summary>
    public StageId Stage { get; }

    /// <summary>Today's moves into the stage, first entries and reopens included (<see cref="StageFlow.Entered"/>).</summary>
    public int Entered { get; }

    /// <summary>The average of <see cref="Entered"/> per previous working day.</summary>
    public double AveragePerWorkingDay { get; }

    /// <summary>The clients in the stage at the end of today, or at the dashboard's instant if earlier (<see cref="StageFlow.CountAtEnd"/>).</summary>
    public int CountAtEnd { get; }
}

/// <summary>
/// Averages per working day of <see cref="FlowTotals"/>' counts. A day on which a manager had nothing to count is a
/// zero, not a missing day: every average divides by <see cref="Days"/>.
/// </summary>
public sealed class DayAverages
{
    internal DayAverages(int days, double @new, double forwardMoves, double regressions, double wins, double losses) =>
        (Days, New, ForwardMoves, Regressions, Wins, Losses) = (days, @new, forwardMoves, regressions, wins, losses);

    /// <summary>The working days averaged: <see cref="DashboardOptions.WorkingDays"/>.</summary>
    public int Days { get; }

    /// <summary>New clients (first entries) per day.</summary>
    public double New { get; }

    /// <summary>Forward moves (advances, skips, wins) per day.</summary>
    public double ForwardMoves { get; }

    /// <summary>Regressions per day.</summary>
    public double Regressions { get; }

    /// <summary>Wins per day.</summary>
    public double Wins { get; }

    /// <summary>Losses per day.</summary>
    public double Losses { get; }
}

/// <summary>The month's target, the wins it has brought so far, and the month the forecast runs to the end of.</summary>
public sealed class DashboardMonth
{
    internal DashboardMonth(DateOnly month, int targetWins, bool targetGiven, int wonSoFar, bool closed, DateOnly forecastMonth, DateTimeOffset forecastEnd) =>
        (Month, TargetWins, TargetGiven, WonSoFar, Closed, ForecastMonth, ForecastEnd) = (month, targetWins, targetGiven, wonSoFar, closed, forecastMonth, forecastEnd);

    /// <summary>The first day of the month "today" is in.</summary>
    public DateOnly Month { get; }

    /// <summary>The wins the month should bring: <see cref="DashboardRequest.TargetWins"/>, or the recent pace.</summary>
    public int TargetWins { get; }

    /// <summary>Whether the target was given in the request (else it is the recent pace).</summary>
    public bool TargetGiven { get; }

    /// <summary>The month's wins up to the dashboard's instant.</summary>
    public int WonSoFar { get; }

    /// <summary>
    /// Whether the dashboard is read at the month's end (the end of its last day): the month's result is final, and the
    /// forecast looks at the next month instead, with the same target and no win yet.
    /// </summary>
    public bool Closed { get; }

    /// <summary>The first day of the month the forecast runs to the end of.</summary>
    public DateOnly ForecastMonth { get; }

    /// <summary>The instant that month ends in the time zone: the forecast's horizon.</summary>
    public DateTimeOffset ForecastEnd { get; }
}

/// <summary>The stalled clients in summary: how many, per stage and per owner, and the most overdue.</summary>
public sealed class DashboardStalls
{
    internal DashboardStalls(StalledClients stalled, int listed)
    {
        Total = stalled.Clients.Count;
        Clock = stalled.Clock;
        ByStage = stalled.ByStage;
        ByOwner = stalled.ByOwner;
        MostOverdue = listed >= stalled.Clients.Count ? stalled.Clients : [.. stalled.Clients.Take(listed)];
    }

    /// <summary>Every stalled client the dashboard's filter keeps (<see cref="StalledClients.Clients"/>' count).</summary>
    public int Total { get; }

    /// <summary>The idle clock the thresholds apply to.</summary>
    public StallClock Clock { get; }

    /// <summary>Per stage: its clients, how many are stalled, and the threshold (<see cref="StalledClients.ByStage"/>).</summary>
    public IReadOnlyList<StageStall> ByStage { get; }

    /// <summary>Per owner (<see cref="StalledClients.ByOwner"/>).</summary>
    public IReadOnlyList<OwnerStall> ByOwner { get; }

    /// <summary>
    /// The first <see cref="DashboardOptions.OverdueClients"/> stalled clients, the most overdue first (the order of
    /// <see cref="StalledClients.Clients"/>); all of them are listed by the drill-down <see cref="ClientListMeasure.Stalled"/>.
    /// </summary>
    public IReadOnlyList<StalledClient> MostOverdue { get; }
}
