namespace FunnelMetrics.Analytics;

/// <summary>What a <see cref="FunnelDashboard"/> is read for: the instant, the clients, the month's target.</summary>
public sealed record DashboardRequest
{
    private readonly int? _targetWins;

    /// <summary>A request for the whole team, now, with the recent pace as the month's target.</summary>
    public static DashboardRequest Default { get; } = new();

    /// <summary>
    /// The instant the dashboard is read at; <see langword="null"/> for now (the <see cref="TimeProvider"/> of
    /// <see cref="FunnelAnalytics"/>). "Today" is the local day (in <see cref="FunnelMetricsOptions.TimeZone"/>) that
    /// contains this instant, or that ends at it when it is a midnight: read at the end of a day, the dashboard shows
    /// that day. Events after the instant are not counted by any figure.
    /// </summary>
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>Which clients and owners (a manager's own dashboard: <c>Owners = [manager]</c>); <see langword="null"/> for all.</summary>
    public Metrics.FunnelFilter? Filter { get; init; }

    /// <summary>
    /// The wins the month should bring; <see langword="null"/> for the recent pace: the wins of today and of the
    /// <see cref="DashboardOptions.WorkingDays"/> days before it, calendar days included, at least 1. The forecast is
    /// asked for what is still missing: the target less the month's wins so far.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative number.</exception>
    public int? TargetWins
    {
        get => _targetWins;
        init => _targetWins = value is < 0 ? throw new ArgumentOutOfRangeException(nameof(TargetWins), value, "TargetWins is the number of wins the month should bring; it cannot be negative.") : value;
    }
}
