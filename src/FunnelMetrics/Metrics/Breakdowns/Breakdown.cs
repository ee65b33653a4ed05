namespace FunnelMetrics.Metrics;

/// <summary>One group of a breakdown: the group's key and the metric computed for the group alone.</summary>
/// <typeparam name="T">The metric's result type.</typeparam>
/// <param name="Key">The group: an owner id, an attribute value, or an entry period such as <c>2026-03</c>, <c>2026-W10</c> or <c>2026-03-02</c>.</param>
/// <param name="Result">The metric for the group.</param>
public sealed record Breakdown<T>(string Key, T Result);
