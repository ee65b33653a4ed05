using System.Text.RegularExpressions;
using Markdig;
using Markdig.Syntax;

namespace FunnelMetrics.Docs.Tests.Snippets;

/// <summary>
/// Finds the ```csharp blocks of README.md and docs/*.md and reads the snippet comment right before each.
/// </summary>
/// <remarks>
/// The convention (README.md, "Build, test, pack", Docs code): a block with no comment compiles as a file, as it is; the
/// comment <c>&lt;!-- snippet: context=NAME --&gt;</c> makes the block a fragment of the prelude
/// <c>tests/FunnelMetrics.Docs.Tests/Contexts/NAME.cs</c>; <c>web</c> gives it the Web SDK's implicit usings;
/// <c>skip (reason)</c> leaves a pure illustration uncompiled. The comment is invisible on GitHub.
/// </remarks>
internal static partial class MarkdownSnippets
{
    /// <summary>The Markdown files whose C# blocks are compiled, relative to the repository root.</summary>
    public static IReadOnlyList<string> Files(string root) =>
        [
            "README.md",
            .. Directory.GetFiles(Path.Combine(root, "docs"), "*.md")
                .Select(f => "docs/" + Path.GetFileName(f))
                .Order(StringComparer.Ordinal),
        ];

    /// <summary>Every C# block of the docs, and every malformed or misplaced snippet comment as a problem.</summary>
    public static (IReadOnlyList<Snippet> Snippets, IReadOnlyList<string> Problems) Scan(string root)
    {
        var snippets = new List<Snippet>();
        var problems = new List<string>();
        foreach (var file in Files(root))
        {
            Scan(file, File.ReadAllText(Path.Combine(root, file)), snippets, problems);
        }

        return (snippets, problems);
    }

    /// <summary>The C# blocks of one Markdown text, adding malformed or misplaced snippet comments to <paramref name="problems"/>.</summary>
    public static void Scan(string file, string markdown, List<Snippet> snippets, List<string> problems)
    {
        var document = Markdown.Parse(markdown.ReplaceLineEndings("\n"));
        foreach (var block in document.Descendants<Block>())
        {
            if (block is HtmlBlock html && SnippetComment().IsMatch(html.Lines.ToString()) && !IsCSharp(NextSibling(html)))
            {
                problems.Add($"{file}:{html.Line + 1}: a snippet comment must stand on the line right before a ```csharp block");
            }

            if (block is not FencedCodeBlock fenced || !IsCSharp(fenced))
            {
                continue;
            }

            var usings = SdkUsings.Console;
            string? context = null;
            string? skip = null;
            if (NextSibling(fenced, -1) is HtmlBlock marker && SnippetComment().Match(marker.Lines.ToString()) is { Success: true } m)
            {
                var where = $"{file}:{marker.Line + 1}";
                var body = m.Groups["body"].Value.Trim();
                if (body.StartsWith("skip", StringComparison.Ordinal))
                {
                    var reason = SkipReason().Match(body);
                    if (reason.Success)
                    {
                        skip = reason.Groups["reason"].Value.Trim();
                    }
                    else
                    {
                        problems.Add($"{where}: write 'skip (reason)', with a reason, alone in the snippet comment; found '{body}'");
                    }
                }
                else
                {
                    foreach (var token in body.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (token == "web")
                        {
                            usings = SdkUsings.Web;
                        }
                        else if (ContextToken().Match(token) is { Success: true } c && context is null)
                        {
                            context = c.Groups["name"].Value;
                        }
                        else
                        {
                            problems.Add($"{where}: unknown snippet option '{token}' (known: web, context=NAME once, skip (reason))");
                        }
                    }
                }
            }

            var lines = fenced.Lines;
            var code = string.Join('\n', Enumerable.Range(0, lines.Count).Select(i => lines.Lines[i].Slice.ToString()));
            var codeLine = lines.Count > 0 ? lines.Lines[0].Line + 1 : fenced.Line + 2;
            snippets.Add(new Snippet(file, fenced.Line + 1, codeLine, code, usings, context, skip));
        }
    }

    private static bool IsCSharp(Block? block) =>
        block is FencedCodeBlock { Info: "csharp" or "cs" or "c#" };

    private static Block? NextSibling(Block block, int step = 1)
    {
        if (block.Parent is not { } parent)
        {
            return null;
        }

        var index = parent.IndexOf(block) + step;
        return index >= 0 && index < parent.Count ? parent[index] : null;
    }

    [GeneratedRegex(@"^\s*<!--\s*snippet:(?<body>.*?)-->\s*$", RegexOptions.Singleline)]
    private static partial Regex SnippetComment();

    [GeneratedRegex(@"^skip\s*\((?<reason>.*\S.*)\)$", RegexOptions.Singleline)]
    private static partial Regex SkipReason();

    [GeneratedRegex(@"^context=(?<name>[A-Za-z0-9_-]+)$")]
    private static partial Regex ContextToken();
}
