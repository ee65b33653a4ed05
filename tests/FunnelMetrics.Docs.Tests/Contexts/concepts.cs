// The prelude of docs/concepts.md's fragments (<!-- snippet: context=concepts -->): the constructor arguments the
// page describes. Nothing here runs: the snippets are only compiled.
global using FunnelMetrics;

abstract class SnippetContext
{
    protected PipelineId id;
    protected string name = "Sales";
    protected IReadOnlyList<StageDefinition> stages = [];
    protected PipelineId pipelineId;
    protected ClientId clientId;
    protected OwnerId owner;
    protected DateTimeOffset createdAt;
}
