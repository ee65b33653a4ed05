namespace FunnelMetrics.Metrics;

/// <summary>The length of the entry cohorts of <see cref="FunnelBreakdowns.ByEntryCohort"/>.</summary>
public enum CohortPeriod
{
    /// <summary>Calendar days; keys such as <c>2026-03-02</c>.</summary>
    Day = 0,

    /// <summary>ISO weeks, Monday to Sunday; keys such as <c>2026-W10</c>.</summary>
    Week = 1,

    /// <summary>Calendar months; keys such as <c>2026-03</c>.</summary>
    Month = 2,
}
