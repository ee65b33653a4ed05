using FunnelMetrics.Docs.Tests.Snippets;

namespace FunnelMetrics.Docs.Tests;

/// <summary>
/// Every ```csharp block of README.md and docs/*.md compiles against the real assemblies, as a file or as a fragment
/// of the context its snippet comment names (README.md, "Build, test, pack", Docs code).
/// </summary>
public sealed class DocsSnippetTests
{
    public static TheoryData<string, int> Blocks()
    {
        var data = new TheoryData<string, int>();
        foreach (var snippet in MarkdownSnippets.Scan(Repository.Root).Snippets)
        {
            data.Add(snippet.File, snippet.Line);
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Blocks))]
    public void Block_Compiles(string file, int line)
    {
        var snippet = MarkdownSnippets.Scan(Repository.Root).Snippets.Single(s => s.File == file && s.Line == line);
        Skip.If(snippet.SkipReason is not null, $"{snippet.Where}: {snippet.SkipReason}");

        var errors = SnippetCompiler.Errors(Repository.Root, snippet);

        if (errors.Count > 0)
        {
            Assert.Fail($"{snippet.Where}: the ```csharp block does not compile ({snippet.Mode}):\n  {string.Join("\n  ", errors)}");
        }
    }

    [Fact]
    public void SnippetComments_AreWellFormed_AndEachStandsRightBeforeACSharpBlock()
    {
        var problems = MarkdownSnippets.Scan(Repository.Root).Problems;

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void EveryPrelude_IsTheContextOfSomeDocBlock()
    {
        var named = MarkdownSnippets.Scan(Repository.Root).Snippets.Select(s => s.Context).OfType<string>().ToHashSet();
        var preludes = Directory.GetFiles(Path.Combine(Repository.Root, SnippetCompiler.ContextsFolder), "*.cs")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(name => name != "selftest") // SnippetCompilerTests' own
            .ToList();

        var unused = preludes.Except(named).ToList();
        Assert.True(unused.Count == 0, $"No doc block names context {string.Join(", ", unused)}: delete the prelude or use it.");
    }

    [Fact]
    public void Scan_ReadsTheReadmeAndEveryDoc()
    {
        var files = MarkdownSnippets.Scan(Repository.Root).Snippets.Select(s => s.File).Distinct().ToList();

        Assert.Contains("README.md", files);
        Assert.Contains("docs/metrics.md", files);
        Assert.Contains("docs/storage.md", files);
        Assert.Equal(
            Directory.GetFiles(Path.Combine(Repository.Root, "docs"), "*.md").Length + 1,
            MarkdownSnippets.Files(Repository.Root).Count);
    }
}
