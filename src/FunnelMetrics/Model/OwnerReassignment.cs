using System.Text.Json.Serialization;

namespace FunnelMetrics;

/// <summary>
/// The client was handed to another owner. From <see cref="ClientEvent.OccurredAt"/> on, the client counts
/// for <see cref="ClientEvent.Owner"/>; its stage does not change, and it does not count as an action with the client.
/// </summary>
public sealed class OwnerReassignment : ClientEvent
{
    /// <summary>Creates a reassignment, as a storage adapter does when it reads one back. Use the recorder to record new ones.</summary>
    /// <param name="id">The event's identifier.</param>
    /// <param name="clientId">The client.</param>
    /// <param name="pipelineId">The client's pipeline.</param>
    /// <param name="sequence">The position in the client's stream, 1 or more.</param>
    /// <param name="occurredAt">When it happened.</param>
    /// <param name="recordedAt">When it was recorded.</param>
    /// <param name="owner">The new owner.</param>
    /// <param name="previousOwner">The owner before; must differ from <paramref name="owner"/>.</param>
    /// <param name="note">An optional short note.</param>
    /// <exception cref="ArgumentException">A value breaks the rule named in the message.</exception>
    [JsonConstructor]
    public OwnerReassignment(ClientEventId id, ClientId clientId, PipelineId pipelineId, long sequence, DateTimeOffset occurredAt, DateTimeOffset recordedAt, OwnerId owner, OwnerId previousOwner, string? note = null)
        : base(id, clientId, pipelineId, sequence, occurredAt, recordedAt, owner, note)
    {
        PreviousOwner = TextRules.NotDefault(previousOwner, "The previous owner", nameof(previousOwner));
        if (previousOwner == owner)
        {
            throw new ArgumentException($"Reassignment '{id}' of client '{clientId}' hands the client from '{owner}' to the same owner.", nameof(previousOwner));
        }
    }

    /// <summary>The owner before the reassignment.</summary>
    public OwnerId PreviousOwner { get; }

    /// <inheritdoc/>
    public override bool Equals(ClientEvent? other) => base.Equals(other) && other is OwnerReassignment r && PreviousOwner == r.PreviousOwner;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), PreviousOwner);

    /// <summary>The client, owners and instant.</summary>
    /// <returns>A short description for logs.</returns>
    public override string ToString() => $"#{Sequence} {ClientId} reassigned {PreviousOwner} -> {Owner} at {OccurredAt:O}";
}
