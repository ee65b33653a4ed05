using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace FunnelMetrics;

/// <summary>
/// Identifies an owner: the sales manager responsible for a client. A non-empty string of at most 200 characters without leading or trailing
/// white space, of well-formed Unicode without control characters (C0, DEL, C1) or bidirectional formatting characters;
/// compared ordinally (case-sensitive) and not Unicode-normalized (a precomposed and a decomposed <c>café</c> are two
/// identifiers). The CRM's own key usually fits as it is.
/// </summary>
/// <remarks>
/// <c>default(OwnerId)</c> is the unset value: <see cref="IsDefault"/> is <see langword="true"/>,
/// <see cref="Value"/> is <see langword="null"/>, and every API of the library rejects it.
/// In JSON it is a plain string.
/// </remarks>
[JsonConverter(typeof(OwnerIdJsonConverter))]
public readonly record struct OwnerId : IComparable<OwnerId>
{
    /// <summary>Creates an identifier from its string form.</summary>
    /// <param name="value">The identifier; see the type's remarks for what is accepted.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null, empty, white space, too long, padded with white space, ill-formed UTF-16, or holds a control or bidirectional formatting character.</exception>
    public OwnerId(string value) => Value = IdentifierRules.Validate(value, nameof(OwnerId), nameof(value));

    /// <summary>The identifier's string form; <see langword="null"/> only for <c>default(OwnerId)</c>.</summary>
    public string Value { get; }

    /// <summary>Whether this is <c>default(OwnerId)</c>, the unset value.</summary>
    public bool IsDefault => Value is null;

    /// <summary>Parses an identifier, throwing when <paramref name="value"/> is not a valid one.</summary>
    /// <param name="value">The string form.</param>
    /// <returns>The identifier.</returns>
    /// <exception cref="ArgumentException"><paramref name="value"/> is not a valid identifier. See <see cref="TryParse"/> for the non-throwing form.</exception>
    public static OwnerId Parse(string value) => new(value);

    /// <summary>Parses an identifier, returning <see langword="false"/> when <paramref name="value"/> is not a valid one.</summary>
    /// <param name="value">The string form.</param>
    /// <param name="result">The identifier, or <c>default</c> when parsing failed.</param>
    /// <returns>Whether <paramref name="value"/> was valid. See <see cref="Parse"/> for the throwing form.</returns>
    public static bool TryParse([NotNullWhen(true)] string? value, out OwnerId result)
    {
        if (value is not null && IdentifierRules.Problem(value, nameof(OwnerId)) is null)
        {
            result = new OwnerId(value);
            return true;
        }

        result = default;
        return false;
    }

    /// <summary>Compares ordinally by <see cref="Value"/>; the unset value sorts first.</summary>
    /// <param name="other">The identifier to compare with.</param>
    /// <returns>Negative, zero or positive as this sorts before, with or after <paramref name="other"/>.</returns>
    public int CompareTo(OwnerId other) => string.CompareOrdinal(Value, other.Value);

    /// <summary>Whether <paramref name="left"/> sorts before <paramref name="right"/>.</summary>
    /// <param name="left">The first identifier.</param>
    /// <param name="right">The second identifier.</param>
    /// <returns>The result of the ordinal comparison.</returns>
    public static bool operator <(OwnerId left, OwnerId right) => left.CompareTo(right) < 0;

    /// <summary>Whether <paramref name="left"/> sorts after <paramref name="right"/>.</summary>
    /// <param name="left">The first identifier.</param>
    /// <param name="right">The second identifier.</param>
    /// <returns>The result of the ordinal comparison.</returns>
    public static bool operator >(OwnerId left, OwnerId right) => left.CompareTo(right) > 0;

    /// <summary>Whether <paramref name="left"/> sorts before or equals <paramref name="right"/>.</summary>
    /// <param name="left">The first identifier.</param>
    /// <param name="right">The second identifier.</param>
    /// <returns>The result of the ordinal comparison.</returns>
    public static bool operator <=(OwnerId left, OwnerId right) => left.CompareTo(right) <= 0;

    /// <summary>Whether <paramref name="left"/> sorts after or equals <paramref name="right"/>.</summary>
    /// <param name="left">The first identifier.</param>
    /// <param name="right">The second identifier.</param>
    /// <returns>The result of the ordinal comparison.</returns>
    public static bool operator >=(OwnerId left, OwnerId right) => left.CompareTo(right) >= 0;

    /// <summary>The identifier's string form, or an empty string for the unset value.</summary>
    /// <returns>The string form.</returns>
    public override string ToString() => Value ?? string.Empty;
}
