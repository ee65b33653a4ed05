namespace FunnelMetrics.Metrics;

/// <summary>An open client idle for longer than its stage's threshold.</summary>
/// <param name="ClientId">The client.</param>
/// <param name="Owner">Its owner as of the instant.</param>
/// <param name="Stage">The stage it is in.</param>
/// <param name="VisitStart">When its current visit of the stage began.</param>
/// <param name="LastTouchedAt">Its last action (transition or activity) at or before the instant.</param>
/// <param name="Idle">The idle time: the instant minus <paramref name="VisitStart"/>, or minus <paramref name="LastTouchedAt"/> under <see cref="StallClock.LastTouch"/>.</param>
/// <param name="Threshold">The stage's threshold.</param>
/// <param name="Source">Where the threshold came from.</param>
/// <param name="Overdue"><c>Idle / Threshold</c>: above 1 by definition; the list is ordered by it, most overdue first.</param>
public sealed record StalledClient(ClientId ClientId, OwnerId Owner, StageId Stage, DateTimeOffset VisitStart, DateTimeOffset LastTouchedAt, TimeSpan Idle, TimeSpan Threshold, StallThresholdSource Source, double Overdue);
