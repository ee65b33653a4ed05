// The prelude of docs/metrics.md's fragments (<!-- snippet: context=metrics -->): what the page takes as given.
// A fragment's statements run in a method of a class derived from SnippetContext, so they see these members and
// may declare locals of the same names. Nothing here runs: the snippets are only compiled.
global using FunnelMetrics;
global using FunnelMetrics.Analytics;
global using FunnelMetrics.Metrics;
global using Microsoft.Extensions.DependencyInjection;

abstract class SnippetContext
{
    protected AsyncServiceScope scope;
    protected FunnelAnalytics analytics = null!;
    protected PipelineId pipelineId;
    protected PipelineDefinition pipeline = null!;
    protected IReadOnlyList<Client> clients = [];
    protected IReadOnlyList<ClientEvent> events = [];
    protected FunnelEventLog log = null!;
    protected FunnelFilter? filter;
    protected DateTimeOffset now, asOf, from, to;
    protected DateOnly firstDay, lastDay;
    protected string timeZoneId = "Europe/Sofia";
    protected TimeSpan period;
    protected TimeWindow window, cohorts;
    protected StallOptions? stalls;
    protected ConversionOptions? conversion;
    protected FunnelMetricsOptions options = null!;
    protected StageTransition transition = null!;
}
