// The prelude of SnippetCompilerTests' own fragments, which check the harness: not used by a doc.
abstract class SnippetContext
{
    protected int answer = 42;
}
