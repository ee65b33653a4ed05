using System.Collections.ObjectModel;
using System.Text.Json.Serialization;

namespace FunnelMetrics;

/// <summary>
/// A client: a deal or lead in the CRM sense, worked through one pipeline. Immutable and validated on
/// construction. Its stage and current owner are not stored here: they follow from its events (see
/// <see cref="ClientState"/>).
/// </summary>
public sealed class Client : IEquatable<Client>
{
    /// <summary>
    /// The largest deal value accepted: 10^18 in the pipeline's currency. The bound keeps every sum of values that a
    /// metric forms (over up to two billion clients) within <see cref="decimal"/>'s range, so no metric can overflow.
    /// </summary>
    public const decimal MaxValue = 1_000_000_000_000_000_000m;

    private static readonly ReadOnlyDictionary<string, string> NoAttributes = new(new Dictionary<string, string>());

    /// <summary>Creates a client.</summary>
    /// <param name="id">The client's identifier.</param>
    /// <param name="pipelineId">The pipeline the client is worked through.</param>
    /// <param name="owner">The sales manager the client is assigned to when added; later changes are <see cref="OwnerReassignment"/> events.</param>
    /// <param name="createdAt">When the client was created in the CRM; stored in UTC. No event of the client may be earlier.</param>
    /// <param name="value">The expected deal value in the pipeline's currency, from 0 to <see cref="MaxValue"/> (10^18); <see langword="null"/> when unknown.</param>
    /// <param name="attributes">
    /// Free key/value attributes for breakdowns, such as source or region: at most 64, keys non-empty and at most
    /// 100 characters with the rules of an id (no padding, control or bidirectional characters, lone surrogates), values
    /// at most 1000 characters without NUL or lone surrogates. Keys are compared ordinally.
    /// </param>
    /// <param name="expectedCloseDate">When the deal is expected to close, as a date in the pipeline's time zone; <see langword="null"/> when unknown.</param>
    /// <exception cref="ArgumentException">A value breaks the rule named in the message.</exception>
    [JsonConstructor]
    public Client(ClientId id, PipelineId pipelineId, OwnerId owner, DateTimeOffset createdAt, decimal? value = null, IReadOnlyDictionary<string, string>? attributes = null, DateOnly? expectedCloseDate = null)
    {
        Id = TextRules.NotDefault(id, "A client id", nameof(id));
        PipelineId = TextRules.NotDefault(pipelineId, "The client's pipeline id", nameof(pipelineId));
        Owner = TextRules.NotDefault(owner, "The client's owner", nameof(owner));
        CreatedAt = TextRules.Instant(createdAt, $"The creation instant of client '{id}'", nameof(createdAt));
        Value = CheckValue(id, value, nameof(value));
        ExpectedCloseDate = expectedCloseDate;
        Attributes = CopyAttributes(id, attributes);
    }

    private Client(Client record, decimal? value, DateOnly? expectedCloseDate, ReadOnlyDictionary<string, string> attributes)
    {
        Id = record.Id;
        PipelineId = record.PipelineId;
        Owner = record.Owner;
        CreatedAt = record.CreatedAt;
        Value = value;
        ExpectedCloseDate = expectedCloseDate;
        Attributes = attributes;
    }

    /// <summary>The client's identifier.</summary>
    public ClientId Id { get; }

    /// <summary>The pipeline the client is worked through.</summary>
    public PipelineId PipelineId { get; }

    /// <summary>The owner assigned when the client was added. The owner at any later instant is in <see cref="ClientState.Owner"/>.</summary>
    public OwnerId Owner { get; }

    /// <summary>When the client was created in the CRM, in UTC.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>
    /// The expected deal value in the pipeline's currency, or <see langword="null"/> when unknown. On a client read from
    /// storage it is the value given when the client was added; <see cref="ClientUpdate"/> events change it from their
    /// instant on (<see cref="Apply"/>).
    /// </summary>
    public decimal? Value { get; }

    /// <summary>When the deal is expected to close, as a date in the pipeline's time zone, or <see langword="null"/> when unknown. Changed by <see cref="ClientUpdate"/> events like <see cref="Value"/>.</summary>
    public DateOnly? ExpectedCloseDate { get; }

    /// <summary>Free key/value attributes for breakdowns (source, region...); empty when none. Keys are ordinal.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; }

    /// <summary>
    /// The client as of just after an update: the same id, pipeline, first owner and creation, with the update's
    /// value, expected close date and attribute changes applied. The client as of an instant T is the stored record
    /// with every update of its stream that occurred at or before T applied in sequence order.
    /// </summary>
    /// <param name="update">An update of this client.</param>
    /// <returns>The updated client; this instance is unchanged.</returns>
    /// <remarks>
    /// The 64-attribute bound applies to a record and to each update, not to the result: updates that add keys may leave a
    /// client with more, and applying a stored update never fails on that.
    /// </remarks>
    /// <exception cref="ArgumentException">The update belongs to another client or pipeline.</exception>
    public Client Apply(ClientUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (update.ClientId != Id || update.PipelineId != PipelineId)
        {
            throw new ArgumentException($"Update '{update.Id}' belongs to client '{update.ClientId}' in pipeline '{update.PipelineId}', not to client '{Id}' in pipeline '{PipelineId}'.", nameof(update));
        }

        // Attributes is always the read-only copy made on construction.
        var attributes = (ReadOnlyDictionary<string, string>)Attributes;
        if (update.Attributes.Count > 0)
        {
            var copy = new Dictionary<string, string>(Attributes, StringComparer.Ordinal);
            foreach (var (key, value) in update.Attributes)
            {
                if (value is null)
                {
                    copy.Remove(key);
                }
                else
                {
                    copy[key] = value;
                }
            }

            // No bound on the count here: the recorder records an update without reading the client's earlier
            // updates (O(1) in the history), so it cannot know how many keys they added; 64 bounds what a record and
            // each update carry, and a fold of stored events must never fail on it.
            attributes = copy.Count == 0 ? NoAttributes : new ReadOnlyDictionary<string, string>(copy);
        }

        return new Client(
            this,
            update.SetsValue ? update.Value : Value,
            update.SetsExpectedCloseDate ? update.ExpectedCloseDate : ExpectedCloseDate,
            attributes);
    }

    internal static decimal? CheckValue(ClientId id, decimal? value, string paramName) =>
        value is < 0 or > MaxValue
            ? throw new ArgumentOutOfRangeException(paramName, value, $"The value of client '{id}' must be from 0 to {MaxValue:N0} (10^18); got {value}.")
            : value;

    /// <summary>Checks one attribute by the rules of <see cref="Attributes"/>; a removal (<paramref name="removable"/>) may have a <see langword="null"/> value.</summary>
    internal static void CheckAttribute(ClientId id, string key, string? value, bool removable, string paramName)
    {
        TextRules.Required(key, TextRules.MaxAttributeKeyLength, $"An attribute key of client '{id}'", paramName);
        if (IdentifierRules.Problem(key, "attribute key") is { } keyProblem)
        {
            // A key names a breakdown and appears in messages and tables: it follows the rules of an id.
            throw new ArgumentException($"{keyProblem} (client '{id}')", paramName);
        }

        if (value is null && removable)
        {
            return;
        }

        if (value is null || value.Length > TextRules.MaxAttributeValueLength)
        {
            throw new ArgumentException($"Attribute '{key}' of client '{id}' must have a value of at most {TextRules.MaxAttributeValueLength} characters.", paramName);
        }

        if (TextRules.Unstorable(value, $"The value of attribute '{key}' of client '{id}'") is { } problem)
        {
            throw new ArgumentException(problem, paramName);
        }
    }

    private static ReadOnlyDictionary<string, string> CopyAttributes(ClientId id, IReadOnlyDictionary<string, string>? attributes)
    {
        if (attributes is null || attributes.Count == 0)
        {
            return NoAttributes;
        }

        if (attributes.Count > TextRules.MaxAttributes)
        {
            throw new ArgumentOutOfRangeException(nameof(attributes), attributes.Count, $"Client '{id}' has {attributes.Count} attributes; at most {TextRules.MaxAttributes} are allowed.");
        }

        var copy = new Dictionary<string, string>(attributes.Count, StringComparer.Ordinal);
        foreach (var (key, value) in attributes)
        {
            CheckAttribute(id, key, value, removable: false, nameof(attributes));
            if (!copy.TryAdd(key, value))
            {
                throw new ArgumentException($"Client '{id}' has the attribute '{key}' twice.", nameof(attributes));
            }
        }

        return new ReadOnlyDictionary<string, string>(copy);
    }

    /// <inheritdoc/>
    public bool Equals(Client? other)
    {
        if (other is null || Id != other.Id || PipelineId != other.PipelineId || Owner != other.Owner
            || CreatedAt != other.CreatedAt || Value != other.Value || ExpectedCloseDate != other.ExpectedCloseDate || Attributes.Count != other.Attributes.Count)
        {
            return false;
        }

        foreach (var (key, value) in Attributes)
        {
            if (!other.Attributes.TryGetValue(key, out var otherValue) || !string.Equals(value, otherValue, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Client);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, PipelineId, Owner, CreatedAt, Value, Attributes.Count);

    /// <summary>The id, pipeline and owner.</summary>
    /// <returns>A short description for logs.</returns>
    public override string ToString() => $"client {Id} in {PipelineId}, owner {Owner}";
}
