// The prelude of docs/metrics.md's forecast fragment (<!-- snippet: context=forecast -->), whose `options` are
// ForecastOptions where the rest of the page's are the whole graph. Nothing here runs: the snippets are only compiled.
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
    protected TimeWindow instants;
    protected FunnelMetrics.Forecasting.ForecastOptions? options;
}
