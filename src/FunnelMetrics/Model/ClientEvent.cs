using System.Text.Json.Serialization;

namespace FunnelMetrics;

/// <summary>
/// One recorded event in a client's history: a <see cref="StageTransition"/>, a <see cref="ClientActivity"/>,
/// an <see cref="OwnerReassignment"/> or a <see cref="ClientUpdate"/>. Immutable. A client's events form one stream numbered
/// 1, 2, 3... by <see cref="Sequence"/>, in which <see cref="OccurredAt"/> never decreases.
/// </summary>
/// <remarks>In JSON the concrete kind is named by the <c>"type"</c> property: <c>transition</c>, <c>activity</c>, <c>reassignment</c> or <c>update</c>.</remarks>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(StageTransition), "transition")]
[JsonDerivedType(typeof(ClientActivity), "activity")]
[JsonDerivedType(typeof(OwnerReassignment), "reassignment")]
[JsonDerivedType(typeof(ClientUpdate), "update")]
public abstract class ClientEvent : IEquatable<ClientEvent>
{
    private protected ClientEvent(ClientEventId id, ClientId clientId, PipelineId pipelineId, long sequence, DateTimeOffset occurredAt, DateTimeOffset recordedAt, OwnerId owner, string? note)
    {
        Id = TextRules.NotDefault(id, "An event id", nameof(id));
        ClientId = TextRules.NotDefault(clientId, "The event's client id", nameof(clientId));
        PipelineId = TextRules.NotDefault(pipelineId, "The event's pipeline id", nameof(pipelineId));
        Sequence = sequence >= 1
            ? sequence
            : throw new ArgumentOutOfRangeException(nameof(sequence), sequence, $"The sequence of event '{id}' of client '{clientId}' must be 1 or more: a client's events are numbered 1, 2, 3...");
        OccurredAt = TextRules.Instant(occurredAt, $"The instant of event '{id}'", nameof(occurredAt));
        RecordedAt = TextRules.Instant(recordedAt, $"The recording instant of event '{id}'", nameof(recordedAt));
        Owner = TextRules.NotDefault(owner, "The event's owner", nameof(owner));
        Note = TextRules.Optional(note, TextRules.MaxNoteLength, "An event's note", nameof(note));
    }

    /// <summary>The event's identifier, its idempotency key: recording the same id twice stores it once.</summary>
    public ClientEventId Id { get; }

    /// <summary>The client the event belongs to.</summary>
    public ClientId ClientId { get; }

    /// <summary>The client's pipeline.</summary>
    public PipelineId PipelineId { get; }

    /// <summary>The event's position in its client's stream: 1 for the first event, then contiguous. Also the client's version after the event.</summary>
    public long Sequence { get; }

    /// <summary>When the event happened, in UTC. Never earlier than the client's previous event; equal instants keep sequence order.</summary>
    public DateTimeOffset OccurredAt { get; }

    /// <summary>When the event was recorded, in UTC, read from the recorder's <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset RecordedAt { get; }

    /// <summary>The owner responsible for the client at this event (for a reassignment, the new owner).</summary>
    public OwnerId Owner { get; }

    /// <summary>An optional short note on the one action done with the client, at most 1000 characters.</summary>
    public string? Note { get; }

    /// <inheritdoc/>
    public virtual bool Equals(ClientEvent? other) =>
        other is not null
        && other.GetType() == GetType()
        && Id == other.Id
        && ClientId == other.ClientId
        && PipelineId == other.PipelineId
        && Sequence == other.Sequence
        && OccurredAt == other.OccurredAt
        && RecordedAt == other.RecordedAt
        && Owner == other.Owner
        && string.Equals(Note, other.Note, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ClientEvent);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, ClientId, Sequence, OccurredAt);
}
