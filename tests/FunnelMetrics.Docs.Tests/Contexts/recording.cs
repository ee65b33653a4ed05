// The prelude of docs/recording.md's fragments (<!-- snippet: context=recording -->): a recorder and what a CRM
// hands it. Nothing here runs: the snippets are only compiled.
global using FunnelMetrics;
global using FunnelMetrics.Recording;

abstract class SnippetContext
{
    protected FunnelRecorder recorder = null!;
    protected PipelineDefinition pipeline = null!;
    protected ClientId clientId;
    protected StageId stage;
    protected DateTimeOffset occurredAt;
    protected string? note;
    protected string crmActivityId = "crm-task-1001";
}
