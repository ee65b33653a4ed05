using System.Text.Json.Serialization;

namespace FunnelMetrics;

/// <summary>
/// An action with a client that does not change its stage, such as a follow-up call at stage 3. It marks
/// the client as touched at <see cref="ClientEvent.OccurredAt"/>; it never changes stage counts.
/// </summary>
public sealed class ClientActivity : ClientEvent
{
    /// <summary>Creates an activity, as a storage adapter does when it reads one back. Use the recorder to record new ones.</summary>
    /// <param name="id">The event's identifier.</param>
    /// <param name="clientId">The client.</param>
    /// <param name="pipelineId">The client's pipeline.</param>
    /// <param name="sequence">The position in the client's stream, 1 or more.</param>
    /// <param name="occurredAt">When it happened.</param>
    /// <param name="recordedAt">When it was recorded.</param>
    /// <param name="owner">The owner responsible for the client.</param>
    /// <param name="note">What was done, at most 1000 characters; optional.</param>
    /// <exception cref="ArgumentException">A value breaks the rule named in the message.</exception>
    [JsonConstructor]
    public ClientActivity(ClientEventId id, ClientId clientId, PipelineId pipelineId, long sequence, DateTimeOffset occurredAt, DateTimeOffset recordedAt, OwnerId owner, string? note = null)
        : base(id, clientId, pipelineId, sequence, occurredAt, recordedAt, owner, note)
    {
    }

    /// <summary>The client, note and instant.</summary>
    /// <returns>A short description for logs.</returns>
    public override string ToString() => $"#{Sequence} {ClientId} activity '{Note}' at {OccurredAt:O}";
}
