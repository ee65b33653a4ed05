using FunnelMetrics.Docs.Tests.Snippets;

namespace FunnelMetrics.Docs.Tests;

/// <summary>The harness itself: what it compiles, where it reports, which snippet comments it refuses.</summary>
public sealed class SnippetCompilerTests
{
    [Fact]
    public void AsAFile_AnError_IsReportedAtItsLineInTheMarkdown_WithTheDiagnostic()
    {
        var snippet = Single("# Title\n\nText.\n\n```csharp\nvar a = 1;\nvar b = new NoSuchType();\n```\n");

        var errors = SnippetCompiler.Errors(Repository.Root, snippet);

        Assert.Equal(("docs/test.md:5", 6), (snippet.Where, snippet.CodeLine));
        var error = Assert.Single(errors);
        Assert.StartsWith("docs/test.md:7:13: error CS0246: The type or namespace name 'NoSuchType' could not be found", error, StringComparison.Ordinal);
        Assert.EndsWith("\n        var b = new NoSuchType();", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AsAFile_WarningsAreAllowed_AndTheConsoleSdksUsingsApply()
    {
        var snippet = Single("```csharp\nint unused = 1;\nList<string> names = [];\nawait Task.Delay(1);\n```\n");

        Assert.Empty(SnippetCompiler.Errors(Repository.Root, snippet));
    }

    [Fact]
    public void AsAFile_TypesAlone_CompileAsALibrary()
    {
        var snippet = Single("```csharp\npublic sealed class Crm\n{\n    public int Deals { get; init; }\n}\n```\n");

        Assert.Empty(SnippetCompiler.Errors(Repository.Root, snippet));
    }

    [Fact]
    public void Fragment_SeesTheContextsMembers_AndMayDeclareLocalsOfTheSameNames()
    {
        var uses = Single("<!-- snippet: context=selftest -->\n```csharp\nConsole.WriteLine(answer * 2);\n```\n");
        var shadows = Single("<!-- snippet: context=selftest -->\n```csharp\nvar answer = \"forty-two\";\nConsole.WriteLine(answer.Length);\n```\n");
        var alone = Single("```csharp\nConsole.WriteLine(answer * 2);\n```\n");

        Assert.Empty(SnippetCompiler.Errors(Repository.Root, uses));
        Assert.Empty(SnippetCompiler.Errors(Repository.Root, shadows));
        Assert.Contains(SnippetCompiler.Errors(Repository.Root, alone), e => e.StartsWith("docs/test.md:2:19: error CS0103", StringComparison.Ordinal));
    }

    [Fact]
    public void Fragment_AnError_IsReportedAtItsLineInTheMarkdown()
    {
        var snippet = Single("Intro.\n\n<!-- snippet: context=selftest -->\n```csharp\nvar ok = answer;\n    string text = answer;\n```\n");

        var error = Assert.Single(SnippetCompiler.Errors(Repository.Root, snippet));

        Assert.StartsWith("docs/test.md:6:19: error CS0029: Cannot implicitly convert type 'int' to 'string'", error, StringComparison.Ordinal);
        Assert.EndsWith("\n        string text = answer;", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Fragment_UsingsGoOnTop_MethodsIntoTheClass_TypesBesideIt_InAnyOrder()
    {
        var snippet = Single(
            "<!-- snippet: context=selftest -->\n```csharp\nusing System.Text;\n\npublic sealed record Note(string Text);\n\n" +
            "var text = new StringBuilder().Append(Twice()).Append(new Note(\"n\").Text).ToString();\n\n" +
            "private int Twice() => answer * 2;\n```\n");

        Assert.Empty(SnippetCompiler.Errors(Repository.Root, snippet));
    }

    [Fact]
    public void Fragment_OfAContextWithNoFile_FailsNamingTheMissingPrelude()
    {
        var snippet = Single("<!-- snippet: context=nosuch -->\n```csharp\nvar a = 1;\n```\n");

        var error = Assert.Single(SnippetCompiler.Errors(Repository.Root, snippet));

        Assert.Equal("docs/test.md:2: the snippet comment names context 'nosuch', but there is no tests/FunnelMetrics.Docs.Tests/Contexts/nosuch.cs", error);
    }

    [Fact]
    public void WebUsings_MakeATypeNamedEventId_Ambiguous_AsTheReadmeWasInAspNetCore()
    {
        const string program = "```csharp\nusing Crm;\n\nvar id = new EventId(\"crm-task-1001\");\n\nnamespace Crm\n{\n    public readonly record struct EventId(string Value);\n}\n```\n";
        var console = Single(program);
        var web = Single("<!-- snippet: web -->\n" + program);

        Assert.Equal(SdkUsings.Web, web.Usings);
        Assert.Empty(SnippetCompiler.Errors(Repository.Root, console));
        Assert.Contains(
            SnippetCompiler.Errors(Repository.Root, web),
            e => e.StartsWith("docs/test.md:5:14: error CS0104: 'EventId' is an ambiguous reference between 'Crm.EventId' and 'Microsoft.Extensions.Logging.EventId'", StringComparison.Ordinal));
    }

    [Fact]
    public void SnippetComment_ReadsWebContextAndSkip()
    {
        var web = Single("<!-- snippet: web context=integration -->\n```csharp\napp.Run();\n```\n");
        var skipped = Single("<!-- snippet: skip (a partial class excerpt) -->\n```csharp\npartial class A { }\n```\n");
        var plain = Single("```csharp\nvar a = 1;\n```\n");

        Assert.Equal((SdkUsings.Web, "integration", (string?)null), (web.Usings, web.Context, web.SkipReason));
        Assert.Equal((SdkUsings.Console, (string?)null, "a partial class excerpt"), (skipped.Usings, skipped.Context, skipped.SkipReason));
        Assert.Equal((SdkUsings.Console, (string?)null, (string?)null), (plain.Usings, plain.Context, plain.SkipReason));
    }

    [Theory]
    [InlineData("<!-- snippet: context=metrics frob -->\n```csharp\nvar a = 1;\n```\n", "docs/test.md:1: unknown snippet option 'frob'")]
    [InlineData("<!-- snippet: context=a context=b -->\n```csharp\nvar a = 1;\n```\n", "docs/test.md:1: unknown snippet option 'context=b'")]
    [InlineData("<!-- snippet: context=../x -->\n```csharp\nvar a = 1;\n```\n", "docs/test.md:1: unknown snippet option 'context=../x'")]
    [InlineData("Text.\n\n<!-- snippet: skip -->\n```csharp\nvar a = 1;\n```\n", "docs/test.md:3: write 'skip (reason)', with a reason")]
    [InlineData("<!-- snippet: skip () -->\n```csharp\nvar a = 1;\n```\n", "docs/test.md:1: write 'skip (reason)', with a reason")]
    [InlineData("<!-- snippet: context=metrics -->\n\nA paragraph between.\n\n```csharp\nvar a = 1;\n```\n", "docs/test.md:1: a snippet comment must stand on the line right before a ```csharp block")]
    [InlineData("<!-- snippet: context=metrics -->\n```sh\nls\n```\n", "docs/test.md:1: a snippet comment must stand on the line right before a ```csharp block")]
    public void SnippetComment_Malformed_OrMisplaced_IsAProblemAtItsLine(string markdown, string problem)
    {
        var snippets = new List<Snippet>();
        var problems = new List<string>();

        MarkdownSnippets.Scan("docs/test.md", markdown, snippets, problems);

        Assert.StartsWith(problem, Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_FindsBlocksInListItems_AndIgnoresOtherLanguages()
    {
        var snippets = new List<Snippet>();
        var problems = new List<string>();

        MarkdownSnippets.Scan("docs/test.md", "```sh\nls\n```\n\n- An item:\n\n  ```csharp\n  var a = 1;\n  ```\n", snippets, problems);

        var snippet = Assert.Single(snippets);
        Assert.Equal((7, 8, "var a = 1;"), (snippet.Line, snippet.CodeLine, snippet.Code));
        Assert.Empty(problems);
    }

    private static Snippet Single(string markdown)
    {
        var snippets = new List<Snippet>();
        var problems = new List<string>();
        MarkdownSnippets.Scan("docs/test.md", markdown, snippets, problems);
        Assert.Empty(problems);
        return Assert.Single(snippets);
    }
}
