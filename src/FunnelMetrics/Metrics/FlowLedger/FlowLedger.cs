namespace FunnelMetrics.Metrics;

/// <summary>
/// The daily flow ledger: for each calendar day in a time zone, per stage and per owner, what entered and left each
/// stage, and how many clients were in it at the end of the day.
/// </summary>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="TimeZone">The IANA id of the time zone whose midnights divide the days.</param>
/// <param name="FirstDay">The first day, inclusive.</param>
/// <param name="LastDay">The last day, inclusive.</param>
/// <param name="Days">One entry per day, in order.</param>
public sealed record FlowLedger(PipelineId PipelineId, string TimeZone, DateOnly FirstDay, DateOnly LastDay, IReadOnlyList<FlowDay> Days);
