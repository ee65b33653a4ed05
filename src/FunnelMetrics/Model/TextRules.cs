namespace FunnelMetrics;

/// <summary>Limits on the free texts carried by the model, checked on construction.</summary>
internal static class TextRules
{
    /// <summary>Longest display name of a pipeline or stage.</summary>
    public const int MaxNameLength = 200;

    /// <summary>Longest action note on an event: one short sentence about the action done with the client.</summary>
    public const int MaxNoteLength = 1000;

    /// <summary>Longest lost reason.</summary>
    public const int MaxLostReasonLength = 200;

    /// <summary>Longest client attribute key.</summary>
    public const int MaxAttributeKeyLength = 100;

    /// <summary>Longest client attribute value.</summary>
    public const int MaxAttributeValueLength = 1000;

    /// <summary>Most attributes on one client.</summary>
    public const int MaxAttributes = 64;

    public static string Required(string? value, int maxLength, string what, string paramName)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{what} must not be null, empty or white space.", paramName);
        }

        return Bounded(value, maxLength, what, paramName)!;
    }

    public static string? Optional(string? value, int maxLength, string what, string paramName)
    {
        if (value is null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{what} is optional, but when given it must not be empty or white space; pass null instead.", paramName);
        }

        return Bounded(value, maxLength, what, paramName);
    }

    private static string? Bounded(string value, int maxLength, string what, string paramName)
    {
        if (value.Length > maxLength)
        {
            throw new ArgumentOutOfRangeException(paramName, value.Length, $"{what} is at most {maxLength} characters long; the value given has {value.Length}.");
        }

        return Unstorable(value, what) is { } problem ? throw new ArgumentException(problem, paramName) : value;
    }

    /// <summary>
    /// Why a free text (a name, note, lost reason, attribute) cannot be stored as it is, or <see langword="null"/>: it
    /// holds NUL, which PostgreSQL refuses and C strings end at, or a lone UTF-16 surrogate, which is not Unicode
    /// (SQLite silently turns it into U+FFFD, PostgreSQL refuses it). Line breaks, tabs and other characters are kept.
    /// </summary>
    public static string? Unstorable(string value, string what)
    {
        var nul = value.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            return $"{what} must not contain the NUL character (U+0000); it has one at position {nul}.";
        }

        var bad = IllFormedAt(value);
        return bad >= 0 ? $"{what} must be well-formed Unicode; it has a lone UTF-16 surrogate (U+{(int)value[bad]:X4}) at position {bad}." : null;
    }

    /// <summary>
    /// A list of names for a message, capped so a message does not grow with a pipeline of thousands of stages: all of
    /// them when there are at most ten, else the first ten and how many there are ("a, b, ... (5,000 in all)").
    /// </summary>
    public static string Some(IReadOnlyCollection<string> names) =>
        names.Count <= 10
            ? string.Join(", ", names)
            : $"{string.Join(", ", names.Take(10))}, ... ({names.Count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} in all)";

    /// <summary>
    /// An argument exception's own message, without the " (Parameter 'x')" and "Actual value was ..." that .NET appends:
    /// for reports such as <see cref="Import.ImportProblem.Message"/>, which name the field themselves.
    /// </summary>
    public static string MessageOf(ArgumentException exception)
    {
        var message = exception.Message;
        if (exception is ArgumentOutOfRangeException { ActualValue: not null })
        {
            var actual = message.LastIndexOf(Environment.NewLine + "Actual value was", StringComparison.Ordinal);
            message = actual >= 0 ? message[..actual] : message;
        }

        var suffix = exception.ParamName is { } name ? $" (Parameter '{name}')" : null;
        return suffix is not null && message.EndsWith(suffix, StringComparison.Ordinal) ? message[..^suffix.Length] : message;
    }

    /// <summary>The position of the first lone UTF-16 surrogate, or -1 when the text is well-formed.</summary>
    public static int IllFormedAt(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// The text with control characters, bidirectional formatting characters and lone surrogates written as
    /// <c>\uXXXX</c>, so a message or a terminal shows what is there instead of acting on it.
    /// </summary>
    public static string Printable(string value)
    {
        var i = 0;
        while (i < value.Length && !NeedsEscape(value, i))
        {
            i++;
        }

        if (i == value.Length)
        {
            return value;
        }

        var builder = new System.Text.StringBuilder(value.Length + 16).Append(value, 0, i);
        for (; i < value.Length; i++)
        {
            if (NeedsEscape(value, i))
            {
                builder.Append("\\u").Append(((int)value[i]).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(value[i]);
            }
        }

        return builder.ToString();
    }

    private static bool NeedsEscape(string value, int i)
    {
        var c = value[i];
        if (char.IsControl(c) || IdentifierRules.IsBidiControl(c))
        {
            return true;
        }

        return char.IsHighSurrogate(c) ? i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1])
            : char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(value[i - 1]));
    }

    public static T NotDefault<T>(T id, string what, string paramName)
        where T : struct, IEquatable<T>
    {
        if (id.Equals(default))
        {
            throw new ArgumentException($"{what} is the unset default value; pass a real identifier.", paramName);
        }

        return id;
    }

    public static DateTimeOffset Utc(DateTimeOffset instant) => instant.Offset == TimeSpan.Zero ? instant : instant.ToUniversalTime();

    /// <summary>An instant normalised to UTC; <c>default(DateTimeOffset)</c> (year 1) is refused as "unset".</summary>
    public static DateTimeOffset Instant(DateTimeOffset instant, string what, string paramName) =>
        instant == default
            ? throw new ArgumentException($"{what} is the unset default instant (0001-01-01); pass a real one.", paramName)
            : Utc(instant);
}
