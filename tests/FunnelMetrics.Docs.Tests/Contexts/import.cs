// The prelude of docs/import.md's fragments (<!-- snippet: context=import -->). Nothing here runs: the snippets are
// only compiled.
global using FunnelMetrics;
global using Microsoft.Extensions.DependencyInjection;

abstract class SnippetContext
{
    protected AsyncServiceScope scope;
    protected DateTimeOffset at1, at2, at3;
}
