using System.Collections.ObjectModel;
using System.Text.Json.Serialization;

namespace FunnelMetrics;

/// <summary>
/// The client's details changed: its deal value, its expected close date or some of its attributes. The event carries
/// only what changed; the client as of any instant is its record (<see cref="Client"/>) with every update up to that
/// instant applied in sequence order (<see cref="Client.Apply"/>). It changes neither stage nor owner and does not count
/// as an action with the client.
/// </summary>
public sealed class ClientUpdate : ClientEvent
{
    private static readonly ReadOnlyDictionary<string, string?> NoAttributes = new(new Dictionary<string, string?>());

    /// <summary>Creates an update, as a storage adapter does when it reads one back. Use the recorder to record new ones.</summary>
    /// <param name="id">The event's identifier.</param>
    /// <param name="clientId">The client.</param>
    /// <param name="pipelineId">The client's pipeline.</param>
    /// <param name="sequence">The position in the client's stream, 1 or more.</param>
    /// <param name="occurredAt">When the details changed.</param>
    /// <param name="recordedAt">When it was recorded.</param>
    /// <param name="owner">The client's owner at the update.</param>
    /// <param name="setsValue">Whether the update sets the deal value (to <paramref name="value"/>, which may be <see langword="null"/>: unknown).</param>
    /// <param name="value">The new deal value, from 0 to <see cref="Client.MaxValue"/>; must be <see langword="null"/> when <paramref name="setsValue"/> is <see langword="false"/>.</param>
    /// <param name="setsExpectedCloseDate">Whether the update sets the expected close date (to <paramref name="expectedCloseDate"/>, which may be <see langword="null"/>: unknown).</param>
    /// <param name="expectedCloseDate">The new expected close date; must be <see langword="null"/> when <paramref name="setsExpectedCloseDate"/> is <see langword="false"/>.</param>
    /// <param name="attributes">
    /// The attributes that change: a key with a value sets it, a key with <see langword="null"/> removes it. Keys and
    /// values follow the rules of <see cref="Client.Attributes"/>; at most 64 entries.
    /// </param>
    /// <param name="note">An optional short note.</param>
    /// <exception cref="ArgumentException">A value breaks the rule named in the message, or the update changes nothing.</exception>
    [JsonConstructor]
    public ClientUpdate(
        ClientEventId id,
        ClientId clientId,
        PipelineId pipelineId,
        long sequence,
        DateTimeOffset occurredAt,
        DateTimeOffset recordedAt,
        OwnerId owner,
        bool setsValue,
        decimal? value,
        bool setsExpectedCloseDate,
        DateOnly? expectedCloseDate,
        IReadOnlyDictionary<string, string?>? attributes,
        string? note = null)
        : base(id, clientId, pipelineId, sequence, occurredAt, recordedAt, owner, note)
    {
        if (!setsValue && value is not null)
        {
            throw new ArgumentException($"Update '{id}' of client '{clientId}' carries the value {value} but does not set the value; pass setsValue: true.", nameof(value));
        }

        if (!setsExpectedCloseDate && expectedCloseDate is not null)
        {
            throw new ArgumentException($"Update '{id}' of client '{clientId}' carries the expected close date {expectedCloseDate:O} but does not set it; pass setsExpectedCloseDate: true.", nameof(expectedCloseDate));
        }

        SetsValue = setsValue;
        Value = Client.CheckValue(clientId, value, nameof(value));
        SetsExpectedCloseDate = setsExpectedCloseDate;
        ExpectedCloseDate = expectedCloseDate;
        Attributes = CopyAttributes(id, clientId, attributes);
        if (!setsValue && !setsExpectedCloseDate && Attributes.Count == 0)
        {
            throw new ArgumentException($"Update '{id}' of client '{clientId}' changes nothing: set the value, the expected close date or an attribute.", nameof(attributes));
        }
    }

    /// <summary>Whether the update sets the deal value to <see cref="Value"/>.</summary>
    public bool SetsValue { get; }

    /// <summary>The new deal value when <see cref="SetsValue"/> (<see langword="null"/>: unknown from now on); otherwise <see langword="null"/>.</summary>
    public decimal? Value { get; }

    /// <summary>Whether the update sets the expected close date to <see cref="ExpectedCloseDate"/>.</summary>
    public bool SetsExpectedCloseDate { get; }

    /// <summary>The new expected close date when <see cref="SetsExpectedCloseDate"/> (<see langword="null"/>: unknown from now on); otherwise <see langword="null"/>.</summary>
    public DateOnly? ExpectedCloseDate { get; }

    /// <summary>The attributes that change: a value sets the key, <see langword="null"/> removes it. Empty when no attribute changes. Keys are ordinal.</summary>
    public IReadOnlyDictionary<string, string?> Attributes { get; }

    /// <inheritdoc/>
    public override bool Equals(ClientEvent? other)
    {
        if (!base.Equals(other) || other is not ClientUpdate u || SetsValue != u.SetsValue || Value != u.Value
            || SetsExpectedCloseDate != u.SetsExpectedCloseDate || ExpectedCloseDate != u.ExpectedCloseDate || Attributes.Count != u.Attributes.Count)
        {
            return false;
        }

        foreach (var (key, value) in Attributes)
        {
            if (!u.Attributes.TryGetValue(key, out var otherValue) || !string.Equals(value, otherValue, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), SetsValue, Value, SetsExpectedCloseDate, ExpectedCloseDate, Attributes.Count);

    /// <summary>The client, what changed and the instant.</summary>
    /// <returns>A short description for logs.</returns>
    public override string ToString()
    {
        var parts = new List<string>(3);
        if (SetsValue)
        {
            parts.Add($"value {(Value is { } v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unknown")}");
        }

        if (SetsExpectedCloseDate)
        {
            parts.Add($"expected close {(ExpectedCloseDate is { } d ? d.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : "unknown")}");
        }

        if (Attributes.Count > 0)
        {
            parts.Add($"{Attributes.Count} attribute(s)");
        }

        return $"#{Sequence} {ClientId} updated ({string.Join(", ", parts)}) at {OccurredAt:O}";
    }

    private static ReadOnlyDictionary<string, string?> CopyAttributes(ClientEventId id, ClientId clientId, IReadOnlyDictionary<string, string?>? attributes)
    {
        if (attributes is null || attributes.Count == 0)
        {
            return NoAttributes;
        }

        if (attributes.Count > TextRules.MaxAttributes)
        {
            throw new ArgumentOutOfRangeException(nameof(attributes), attributes.Count, $"Update '{id}' of client '{clientId}' changes {attributes.Count} attributes; at most {TextRules.MaxAttributes} are allowed.");
        }

        var copy = new Dictionary<string, string?>(attributes.Count, StringComparer.Ordinal);
        foreach (var (key, value) in attributes)
        {
            Client.CheckAttribute(clientId, key, value, removable: true, nameof(attributes));
            if (!copy.TryAdd(key, value))
            {
                throw new ArgumentException($"Update '{id}' of client '{clientId}' changes the attribute '{key}' twice.", nameof(attributes));
            }
        }

        return new ReadOnlyDictionary<string, string?>(copy);
    }
}
