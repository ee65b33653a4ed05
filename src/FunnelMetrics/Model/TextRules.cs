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

    private static string? Bounded(string value, int maxLength, string what, string paramName) =>
        value.Length <= maxLength
            ? value
            : throw new ArgumentOutOfRangeException(paramName, value.Length, $"{what} is at most {maxLength} characters long; the value given has {value.Length}.");

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
