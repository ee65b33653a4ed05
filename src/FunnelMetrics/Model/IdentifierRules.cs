namespace FunnelMetrics;

/// <summary>Validation shared by the string-based identifiers.</summary>
internal static class IdentifierRules
{
    /// <summary>The longest identifier accepted, in UTF-16 code units; fits a <c>varchar(200)</c> column.</summary>
    public const int MaxLength = 200;

    public static string Validate(string? value, string typeName, string paramName)
    {
        if (value is null)
        {
            throw new ArgumentNullException(paramName, $"A {typeName} needs a value.");
        }

        if (value.Length == 0 || string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"A {typeName} must not be empty or white space.", paramName);
        }

        if (value.Length > MaxLength)
        {
            throw new ArgumentOutOfRangeException(paramName, value.Length, $"A {typeName} is at most {MaxLength} characters long; '{value[..20]}...' has {value.Length}.");
        }

        if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
        {
            throw new ArgumentException($"A {typeName} must not start or end with white space: '{value}'.", paramName);
        }

        return value;
    }
}
