using System.Collections.ObjectModel;
using System.Globalization;

namespace FunnelMetrics.Recording;

/// <summary>
/// What a <see cref="FunnelRecorder.UpdateClientAsync"/> call changes in a client's details: its deal value, its expected
/// close date, attributes to set and attributes to remove. Immutable and validated: each <c>With</c> method returns a new
/// instance, starting from <see cref="None"/>.
/// </summary>
/// <remarks>
/// <para>
/// A detail not mentioned is left as it is. Setting the value or the expected close date to <see langword="null"/> is a
/// change too: "unknown from now on" (<c>WithValue(null)</c> is not the same as not calling <c>WithValue</c>). A later call
/// for the same detail or the same attribute key replaces the earlier one, so
/// <c>None.WithAttribute("region", "north").WithoutAttribute("region")</c> removes the attribute.
/// </para>
/// <para>
/// Two instances with the same changes are equal, whatever the order the attributes were named in; the recorder's
/// idempotency compares changes so.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var changes = ClientChanges.None.WithValue(12_500m).WithAttribute("region", "north").WithoutAttribute("campaign");
/// await recorder.UpdateClientAsync(clientId, changes, eventId: ClientEventId.From("crm-update-4711"));
/// </code>
/// </example>
public sealed class ClientChanges : IEquatable<ClientChanges>
{
    private static readonly ReadOnlyDictionary<string, string?> NoAttributes = new(new Dictionary<string, string?>());

    private readonly ReadOnlyDictionary<string, string?> _attributes;

    private ClientChanges(bool setsValue, decimal? value, bool setsExpectedCloseDate, DateOnly? expectedCloseDate, ReadOnlyDictionary<string, string?> attributes)
    {
        SetsValue = setsValue;
        Value = value;
        SetsExpectedCloseDate = setsExpectedCloseDate;
        ExpectedCloseDate = expectedCloseDate;
        _attributes = attributes;
    }

    /// <summary>No change at all: the start of every set of changes. The recorder refuses to record it.</summary>
    public static ClientChanges None { get; } = new(false, null, false, null, NoAttributes);

    /// <summary>Whether the changes set the deal value (to <see cref="Value"/>, possibly <see langword="null"/>).</summary>
    public bool SetsValue { get; }

    /// <summary>The new deal value when <see cref="SetsValue"/> (<see langword="null"/>: unknown from now on); otherwise <see langword="null"/>.</summary>
    public decimal? Value { get; }

    /// <summary>Whether the changes set the expected close date (to <see cref="ExpectedCloseDate"/>, possibly <see langword="null"/>).</summary>
    public bool SetsExpectedCloseDate { get; }

    /// <summary>The new expected close date when <see cref="SetsExpectedCloseDate"/> (<see langword="null"/>: unknown from now on); otherwise <see langword="null"/>.</summary>
    public DateOnly? ExpectedCloseDate { get; }

    /// <summary>The attributes that change: a value sets the key, <see langword="null"/> removes it. Keys are ordinal; at most 64.</summary>
    public IReadOnlyDictionary<string, string?> Attributes => _attributes;

    /// <summary>Whether nothing changes: no value, no expected close date, no attribute.</summary>
    public bool IsEmpty => !SetsValue && !SetsExpectedCloseDate && _attributes.Count == 0;

    /// <summary>Sets the deal value.</summary>
    /// <param name="value">The new value, from 0 to <see cref="Client.MaxValue"/>; <see langword="null"/> for "unknown from now on".</param>
    /// <returns>The changes with the value set; this instance is unchanged.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or above <see cref="Client.MaxValue"/>.</exception>
    public ClientChanges WithValue(decimal? value)
    {
        if (value is < 0 or > Client.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, string.Create(CultureInfo.InvariantCulture, $"A client's value must be from 0 to {Client.MaxValue:N0} (10^18); got {value}."));
        }

        return new ClientChanges(true, value, SetsExpectedCloseDate, ExpectedCloseDate, _attributes);
    }

    /// <summary>Sets the expected close date.</summary>
    /// <param name="expectedCloseDate">The new date, in the pipeline's time zone; <see langword="null"/> for "unknown from now on".</param>
    /// <returns>The changes with the date set; this instance is unchanged.</returns>
    public ClientChanges WithExpectedCloseDate(DateOnly? expectedCloseDate) =>
        new(SetsValue, Value, true, expectedCloseDate, _attributes);

    /// <summary>Sets an attribute, adding it or replacing its value.</summary>
    /// <param name="key">The key: the rules of <see cref="Client.Attributes"/> (non-empty, at most 100 characters, the rules of an id).</param>
    /// <param name="value">The value: at most 1000 characters, without NUL or lone surrogates.</param>
    /// <returns>The changes with the attribute set; this instance is unchanged.</returns>
    /// <exception cref="ArgumentException">The key or the value breaks a rule, or the changes would name more than 64 attributes.</exception>
    public ClientChanges WithAttribute(string key, string value)
    {
        CheckKey(key);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > TextRules.MaxAttributeValueLength)
        {
            throw new ArgumentException($"Attribute '{key}' must have a value of at most {TextRules.MaxAttributeValueLength} characters; got {value.Length}.", nameof(value));
        }

        if (TextRules.Unstorable(value, $"The value of attribute '{key}'") is { } problem)
        {
            throw new ArgumentException(problem, nameof(value));
        }

        return WithAttributeChange(key, value);
    }

    /// <summary>Removes an attribute (a no-op for a client without it, but still recorded as part of the update).</summary>
    /// <param name="key">The key, by the rules of <see cref="WithAttribute"/>.</param>
    /// <returns>The changes with the removal; this instance is unchanged.</returns>
    /// <exception cref="ArgumentException">The key breaks a rule, or the changes would name more than 64 attributes.</exception>
    public ClientChanges WithoutAttribute(string key)
    {
        CheckKey(key);
        return WithAttributeChange(key, null);
    }

    /// <summary>Whether <paramref name="other"/> makes the same changes (attributes compared as an ordinal map, in any order).</summary>
    /// <param name="other">The other changes.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public bool Equals(ClientChanges? other) =>
        other is not null
        && SetsValue == other.SetsValue
        && Value == other.Value
        && SetsExpectedCloseDate == other.SetsExpectedCloseDate
        && ExpectedCloseDate == other.ExpectedCloseDate
        && SameAttributes(_attributes, other._attributes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ClientChanges);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(SetsValue, Value, SetsExpectedCloseDate, ExpectedCloseDate, _attributes.Count);

    /// <summary>The changes on one line, such as <c>value 12500, expected close 2026-03-31, region=north, -campaign</c>, or <c>no change</c>.</summary>
    /// <returns>For logs.</returns>
    public override string ToString()
    {
        var parts = new List<string>();
        if (SetsValue)
        {
            parts.Add($"value {(Value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "unknown")}");
        }

        if (SetsExpectedCloseDate)
        {
            parts.Add($"expected close {(ExpectedCloseDate is { } d ? d.ToString("O", CultureInfo.InvariantCulture) : "unknown")}");
        }

        foreach (var (key, value) in _attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            parts.Add(value is null ? $"-{key}" : $"{key}={value}");
        }

        return parts.Count == 0 ? "no change" : string.Join(", ", parts);
    }

    /// <summary>Whether an update's attribute changes are these (the recorder's idempotency check).</summary>
    internal static bool SameAttributes(IReadOnlyDictionary<string, string?> x, IReadOnlyDictionary<string, string?> y)
    {
        if (x.Count != y.Count)
        {
            return false;
        }

        foreach (var (key, value) in x)
        {
            if (!y.TryGetValue(key, out var other) || !string.Equals(value, other, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static void CheckKey(string key)
    {
        TextRules.Required(key, TextRules.MaxAttributeKeyLength, "An attribute key", nameof(key));
        if (IdentifierRules.Problem(key, "attribute key") is { } problem)
        {
            throw new ArgumentException(problem, nameof(key));
        }
    }

    private ClientChanges WithAttributeChange(string key, string? value)
    {
        if (_attributes.Count >= TextRules.MaxAttributes && !_attributes.ContainsKey(key))
        {
            throw new ArgumentException($"The changes already name {TextRules.MaxAttributes} attributes, the most one update carries; record '{key}' in another update.", nameof(key));
        }

        var copy = new Dictionary<string, string?>(_attributes, StringComparer.Ordinal) { [key] = value };
        return new ClientChanges(SetsValue, Value, SetsExpectedCloseDate, ExpectedCloseDate, new ReadOnlyDictionary<string, string?>(copy));
    }
}
