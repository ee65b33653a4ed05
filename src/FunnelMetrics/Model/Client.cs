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
    /// <exception cref="ArgumentException">A value breaks the rule named in the message.</exception>
    [JsonConstructor]
    public Client(ClientId id, PipelineId pipelineId, OwnerId owner, DateTimeOffset createdAt, decimal? value = null, IReadOnlyDictionary<string, string>? attributes = null)
    {
        Id = TextRules.NotDefault(id, "A client id", nameof(id));
        PipelineId = TextRules.NotDefault(pipelineId, "The client's pipeline id", nameof(pipelineId));
        Owner = TextRules.NotDefault(owner, "The client's owner", nameof(owner));
        CreatedAt = TextRules.Instant(createdAt, $"The creation instant of client '{id}'", nameof(createdAt));
        if (value is < 0 or > MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"The value of client '{id}' must be from 0 to {MaxValue:N0} (10^18); got {value}.");
        }

        Value = value;
        Attributes = CopyAttributes(id, attributes);
    }

    /// <summary>The client's identifier.</summary>
    public ClientId Id { get; }

    /// <summary>The pipeline the client is worked through.</summary>
    public PipelineId PipelineId { get; }

    /// <summary>The owner assigned when the client was added. The owner at any later instant is in <see cref="ClientState.Owner"/>.</summary>
    public OwnerId Owner { get; }

    /// <summary>When the client was created in the CRM, in UTC.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>The expected deal value in the pipeline's currency, or <see langword="null"/> when unknown.</summary>
    public decimal? Value { get; }

    /// <summary>Free key/value attributes for breakdowns (source, region...); empty when none. Keys are ordinal.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; }

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
            TextRules.Required(key, TextRules.MaxAttributeKeyLength, $"An attribute key of client '{id}'", nameof(attributes));
            if (IdentifierRules.Problem(key, "attribute key") is { } keyProblem)
            {
                // A key names a breakdown and appears in messages and tables: it follows the rules of an id.
                throw new ArgumentException($"{keyProblem} (client '{id}')", nameof(attributes));
            }
            if (value is null || value.Length > TextRules.MaxAttributeValueLength)
            {
                throw new ArgumentException($"Attribute '{key}' of client '{id}' must have a value of at most {TextRules.MaxAttributeValueLength} characters.", nameof(attributes));
            }

            if (TextRules.Unstorable(value, $"The value of attribute '{key}' of client '{id}'") is { } problem)
            {
                throw new ArgumentException(problem, nameof(attributes));
            }

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
            || CreatedAt != other.CreatedAt || Value != other.Value || Attributes.Count != other.Attributes.Count)
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
