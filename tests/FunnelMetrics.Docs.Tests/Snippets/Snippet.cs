namespace FunnelMetrics.Docs.Tests.Snippets;

/// <summary>The implicit usings a snippet compiles under: those of Microsoft.NET.Sdk or of Microsoft.NET.Sdk.Web.</summary>
internal enum SdkUsings
{
    Console,
    Web,
}

/// <summary>
/// One ```csharp block of a Markdown file, with what the <c>&lt;!-- snippet: ... --&gt;</c> comment right before it says.
/// </summary>
/// <param name="File">The Markdown file, relative to the repository root, with forward slashes (<c>docs/metrics.md</c>).</param>
/// <param name="Line">The 1-based line of the opening fence in that file.</param>
/// <param name="CodeLine">The 1-based line of the block's first line of code.</param>
/// <param name="Code">The block's code, as written.</param>
/// <param name="Usings">The SDK whose implicit usings apply: <see cref="SdkUsings.Web"/> when the marker says <c>web</c>.</param>
/// <param name="Context">The prelude the block is a fragment of (<c>context=NAME</c>), or null for a block compiled as a file.</param>
/// <param name="SkipReason">Why the block is not compiled (<c>skip (reason)</c>), or null.</param>
internal sealed record Snippet(string File, int Line, int CodeLine, string Code, SdkUsings Usings, string? Context, string? SkipReason)
{
    /// <summary>Where the block is, as <c>file:line</c> of its opening fence.</summary>
    public string Where => $"{File}:{Line}";

    /// <summary>How the block is compiled, for messages.</summary>
    public string Mode =>
        (Context is null ? "as a file" : $"in context '{Context}'") + (Usings == SdkUsings.Web ? ", Web SDK usings" : ", console SDK usings");
}
