namespace FunnelMetrics;

/// <summary>Validation shared by the string-based identifiers.</summary>
/// <remarks>
/// Identifiers are the CRM's own keys, compared ordinally and stored as they are: they are not Unicode-normalized, so
/// <c>café</c> written precomposed (U+00E9) and decomposed (<c>e</c> + U+0301) are two identifiers. What is refused is
/// what a store cannot keep faithfully or a terminal would show as something else: ill-formed UTF-16 (a lone surrogate,
/// which SQLite silently turns into U+FFFD and PostgreSQL refuses), control characters (C0, DEL, C1: NUL among them,
/// and the escape sequences of terminals) and the bidirectional formatting characters that reorder how text prints.
/// </remarks>
internal static class IdentifierRules
{
    /// <summary>The longest identifier accepted, in UTF-16 code units; fits a <c>varchar(200)</c> column.</summary>
    public const int MaxLength = 200;

    public static string Validate(string? value, string typeName, string paramName)
    {
        if (value is null)
        {
            throw new ArgumentNullException(paramName, $"{Article(typeName)} {typeName} needs a value.");
        }

        if (Problem(value, typeName) is { } problem)
        {
            throw value.Length > MaxLength
                ? new ArgumentOutOfRangeException(paramName, value.Length, problem)
                : new ArgumentException(problem, paramName);
        }

        return value;
    }

    /// <summary>Why <paramref name="value"/> is not a valid identifier, or <see langword="null"/> when it is one.</summary>
    public static string? Problem(string? value, string typeName)
    {
        if (value is null)
        {
            return $"{Article(typeName)} {typeName} needs a value.";
        }

        if (value.Length == 0 || string.IsNullOrWhiteSpace(value))
        {
            return $"{Article(typeName)} {typeName} must not be empty or white space.";
        }

        if (value.Length > MaxLength)
        {
            return $"{Article(typeName)} {typeName} is at most {MaxLength} characters long; '{TextRules.Printable(value[..20])}...' has {value.Length}.";
        }

        if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
        {
            return $"{Article(typeName)} {typeName} must not start or end with white space: '{TextRules.Printable(value)}'.";
        }

        if (TextRules.IllFormedAt(value) is var bad and >= 0)
        {
            return $"{Article(typeName)} {typeName} must be well-formed Unicode: '{TextRules.Printable(value)}' has a lone UTF-16 surrogate (U+{(int)value[bad]:X4}) at position {bad}.";
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c))
            {
                return $"{Article(typeName)} {typeName} must not contain control characters: '{TextRules.Printable(value)}' has U+{(int)c:X4} at position {i}.";
            }

            if (IsBidiControl(c))
            {
                return $"{Article(typeName)} {typeName} must not contain bidirectional formatting characters, which change how text prints: '{TextRules.Printable(value)}' has U+{(int)c:X4} at position {i}.";
            }
        }

        return null;
    }

    private static string Article(string typeName) => typeName[0] is 'A' or 'E' or 'I' or 'O' or 'U' ? "An" : "A";

    /// <summary>The bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069).</summary>
    public static bool IsBidiControl(char c) => c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
