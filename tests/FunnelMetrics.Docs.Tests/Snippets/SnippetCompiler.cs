using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FunnelMetrics.Docs.Tests.Snippets;

/// <summary>
/// Compiles a snippet with Roslyn against the assemblies this test runs with (the library, its EF Core adapter and
/// conformance kit, Microsoft.Extensions.*, ASP.NET Core) and reports its errors at their line in the Markdown file.
/// </summary>
internal static class SnippetCompiler
{
    /// <summary>Where the preludes named by <c>context=NAME</c> live, relative to the repository root.</summary>
    public const string ContextsFolder = "tests/FunnelMetrics.Docs.Tests/Contexts";

    /// <summary>The class every prelude declares; a fragment's statements run in a method of a class derived from it.</summary>
    public const string ContextClass = "SnippetContext";

    /// <summary>The implicit usings of Microsoft.NET.Sdk (ImplicitUsings enabled).</summary>
    public static readonly IReadOnlyList<string> ConsoleUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    /// <summary>The implicit usings of Microsoft.NET.Sdk.Web: the console ones and ASP.NET Core's.</summary>
    public static readonly IReadOnlyList<string> WebUsings =
    [
        .. ConsoleUsings,
        "System.Net.Http.Json",
        "Microsoft.AspNetCore.Builder",
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Http",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.Extensions.Configuration",
        "Microsoft.Extensions.DependencyInjection",
        "Microsoft.Extensions.Hosting",
        "Microsoft.Extensions.Logging",
    ];

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp14);

    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(() =>
        [
            .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Where(path => path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
                .Select(path => MetadataReference.CreateFromFile(path)),
        ]);

    /// <summary>
    /// The errors (not the warnings) of compiling <paramref name="snippet"/>, each as
    /// <c>file:line:column: error CSnnnn: message</c> followed by the offending line; empty when it compiles.
    /// </summary>
    public static IReadOnlyList<string> Errors(string root, Snippet snippet)
    {
        var generatedPath = $"{snippet.File}:{snippet.Line} (generated)";
        var trees = new List<SyntaxTree> { GlobalUsings(snippet.Usings) };
        var kind = OutputKind.DynamicallyLinkedLibrary;
        if (snippet.Context is null)
        {
            var tree = CSharpSyntaxTree.ParseText($"#line {snippet.CodeLine} \"{snippet.File}\"\n{snippet.Code}\n", ParseOptions, generatedPath);
            trees.Add(tree);
            if (tree.GetCompilationUnitRoot().Members.Any(m => m is GlobalStatementSyntax))
            {
                kind = OutputKind.ConsoleApplication;
            }
        }
        else
        {
            var contextPath = $"{ContextsFolder}/{snippet.Context}.cs";
            var contextFile = Path.Combine(root, contextPath);
            if (!File.Exists(contextFile))
            {
                return [$"{snippet.Where}: the snippet comment names context '{snippet.Context}', but there is no {contextPath}"];
            }

            trees.Add(CSharpSyntaxTree.ParseText(File.ReadAllText(contextFile), ParseOptions, contextPath));
            trees.Add(CSharpSyntaxTree.ParseText(Fragment(snippet), ParseOptions, generatedPath));
        }

        var compilation = CSharpCompilation.Create(
            "Snippet",
            trees,
            References.Value,
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable));

        return
        [
            .. compilation.GetDiagnostics()
                .Where(d => d.Severity == DiagnosticSeverity.Error)
                .Select(d => (Diagnostic: d, Span: d.Location.GetMappedLineSpan()))
                .OrderBy(d => d.Span.Path, StringComparer.Ordinal)
                .ThenBy(d => d.Span.StartLinePosition.Line)
                .ThenBy(d => d.Span.StartLinePosition.Character)
                .Select(d => Format(snippet, d.Diagnostic, d.Span)),
        ];
    }

    /// <summary>
    /// The fragment placed in its context: its usings on top, its statements in an async method of a class derived
    /// from the prelude's <see cref="ContextClass"/> (so they see its members, and may declare locals of the same
    /// names), its methods and fields in that class, its types beside it; each piece under a <c>#line</c> of the .md.
    /// </summary>
    public static string Fragment(Snippet snippet)
    {
        var unit = CSharpSyntaxTree.ParseText(snippet.Code, ParseOptions).GetCompilationUnitRoot();
        var text = new StringBuilder();
        foreach (var node in unit.Externs.Cast<SyntaxNode>().Concat(unit.Usings).Concat(unit.AttributeLists))
        {
            Emit(node);
        }

        text.Append("sealed class SnippetBody : ").Append(ContextClass).Append("\n{\n");
        foreach (var member in unit.Members.Where(m => m is not (GlobalStatementSyntax or BaseTypeDeclarationSyntax or DelegateDeclarationSyntax or BaseNamespaceDeclarationSyntax)))
        {
            Emit(member);
        }

        // At the top level, "public Task<long> AppendAsync(...) { ... }" parses as a local function and
        // "private readonly X _x;" as a local: with an access modifier they are the members of a class excerpt.
        var statements = unit.Members.OfType<GlobalStatementSyntax>().Select(g => g.Statement).ToList();
        foreach (var member in statements.Where(IsMemberExcerpt))
        {
            Emit(member);
        }

        text.Append("public async global::System.Threading.Tasks.Task RunSnippetAsync()\n{\n");
        foreach (var statement in statements.Where(s => !IsMemberExcerpt(s)))
        {
            Emit(statement);
        }

        text.Append("}\n}\n");
        foreach (var type in unit.Members.Where(m => m is BaseTypeDeclarationSyntax or DelegateDeclarationSyntax or BaseNamespaceDeclarationSyntax))
        {
            Emit(type);
        }

        return text.ToString();

        void Emit(SyntaxNode node)
        {
            var start = node.GetLocation().GetLineSpan().StartLinePosition;
            text.Append("#line ").Append(snippet.CodeLine + start.Line).Append(" \"").Append(snippet.File).Append("\"\n")
                .Append(' ', start.Character).Append(node.ToString()).Append('\n')
                .Append("#line default\n");
        }
    }

    private static bool IsMemberExcerpt(StatementSyntax statement) =>
        statement switch
        {
            LocalFunctionStatementSyntax f => f.Modifiers.Any(IsAccessModifier),
            LocalDeclarationStatementSyntax d => d.Modifiers.Any(IsAccessModifier),
            _ => false,
        };

    private static bool IsAccessModifier(SyntaxToken token) =>
        token.Kind() is SyntaxKind.PublicKeyword or SyntaxKind.PrivateKeyword or SyntaxKind.ProtectedKeyword or SyntaxKind.InternalKeyword;

    private static SyntaxTree GlobalUsings(SdkUsings usings) =>
        CSharpSyntaxTree.ParseText(
            string.Concat((usings == SdkUsings.Web ? WebUsings : ConsoleUsings).Select(u => $"global using global::{u};\n")),
            ParseOptions,
            $"{usings}.GlobalUsings.g.cs");

    private static string Format(Snippet snippet, Diagnostic diagnostic, FileLinePositionSpan span)
    {
        var line = span.StartLinePosition.Line + 1;
        var where = $"{span.Path}:{line}:{span.StartLinePosition.Character + 1}";
        var message = $"{where}: error {diagnostic.Id}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
        var codeLines = snippet.Code.Split('\n');
        var index = line - snippet.CodeLine;
        return span.Path == snippet.File && index >= 0 && index < codeLines.Length
            ? $"{message}\n        {codeLines[index].Trim()}"
            : message;
    }
}
