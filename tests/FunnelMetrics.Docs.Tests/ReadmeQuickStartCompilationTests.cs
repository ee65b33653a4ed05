using FunnelMetrics.Docs.Tests.Snippets;

namespace FunnelMetrics.Docs.Tests;

/// <summary>
/// README.md's quick start is a whole program that compiles as it is in a console project and in an ASP.NET Core
/// project, whose implicit usings bring Microsoft.Extensions.Logging (and its EventId) into scope.
/// tests/FunnelMetrics.Tests/Docs/ReadmeQuickStartTests.cs runs it.
/// </summary>
public sealed class ReadmeQuickStartCompilationTests
{
    [Fact]
    public void QuickStart_CompilesUnderTheWebSdksImplicitUsings() =>
        AssertCompiles(QuickStart() with { Usings = SdkUsings.Web });

    [Fact]
    public void QuickStart_CompilesUnderTheConsoleSdksImplicitUsings() =>
        AssertCompiles(QuickStart() with { Usings = SdkUsings.Console });

    [Fact]
    public void QuickStart_IsAWholeProgram_NotAFragmentOfAContext()
    {
        var quickStart = QuickStart();

        Assert.Null(quickStart.Context);
        Assert.Null(quickStart.SkipReason);
        Assert.StartsWith("using ", quickStart.Code, StringComparison.Ordinal);
    }

    private static Snippet QuickStart()
    {
        var lines = File.ReadAllLines(Path.Combine(Repository.Root, "README.md"));
        var heading = Array.FindIndex(lines, l => l.Trim() == "## Quick start") + 1;
        Assert.True(heading > 0, "README.md has no '## Quick start' heading");
        return MarkdownSnippets.Scan(Repository.Root).Snippets
            .Where(s => s.File == "README.md" && s.Line > heading)
            .OrderBy(s => s.Line)
            .First();
    }

    private static void AssertCompiles(Snippet snippet)
    {
        var errors = SnippetCompiler.Errors(Repository.Root, snippet);

        if (errors.Count > 0)
        {
            Assert.Fail($"{snippet.Where}: the quick start does not compile ({snippet.Mode}):\n  {string.Join("\n  ", errors)}");
        }
    }
}
