// The prelude of docs/metrics.md's forecast fragment (<!-- snippet: context=forecast -->), whose `settings` are
// ForecastSettings where the rest of the page's are StallSettings. Nothing here runs: the snippets are only compiled.
global using FunnelMetrics;
global using FunnelMetrics.Metrics;

abstract class SnippetContext
{
    protected FunnelEventLog log = null!;
    protected FunnelFilter? filter;
    protected DateTimeOffset asOf, from, to;
    protected DateTimeOffset? horizonEnd;
    protected int? targetWins;
    protected TimeSpan step, horizon;
    protected FunnelMetrics.Forecasting.ForecastSettings settings = null!;
}
