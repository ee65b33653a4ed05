using System.Text.Json.Serialization;

namespace FunnelMetrics;

/// <summary>
/// A client reached a stage, or was lost. Its <see cref="Kind"/> is derived by the recorder from the
/// pipeline's stage order and the client's state before the move.
/// </summary>
/// <remarks>
/// <see cref="FromStage"/> is the stage the client was in before the move: <see langword="null"/> for
/// <see cref="TransitionKind.Entered"/>; for <see cref="TransitionKind.Reopened"/> the won stage or the
/// stage the client was lost at. <see cref="ToStage"/> is <see langword="null"/> exactly when the kind is
/// <see cref="TransitionKind.Lost"/>.
/// </remarks>
public sealed class StageTransition : ClientEvent
{
    /// <summary>Creates a transition, as a storage adapter does when it reads one back. Use the recorder to record new ones.</summary>
    /// <param name="id">The event's identifier.</param>
    /// <param name="clientId">The client.</param>
    /// <param name="pipelineId">The client's pipeline.</param>
    /// <param name="sequence">The position in the client's stream, 1 or more.</param>
    /// <param name="kind">What the transition did.</param>
    /// <param name="fromStage">The stage before; <see langword="null"/> exactly for <see cref="TransitionKind.Entered"/>.</param>
    /// <param name="toStage">The stage reached; <see langword="null"/> exactly for <see cref="TransitionKind.Lost"/>.</param>
    /// <param name="occurredAt">When it happened.</param>
    /// <param name="recordedAt">When it was recorded.</param>
    /// <param name="owner">The owner responsible for the client.</param>
    /// <param name="lostReason">Why the client was lost, at most 200 characters; only for <see cref="TransitionKind.Lost"/>.</param>
    /// <param name="note">An optional short action note.</param>
    /// <exception cref="ArgumentException">A value breaks the rule named in the message.</exception>
    [JsonConstructor]
    public StageTransition(
        ClientEventId id,
        ClientId clientId,
        PipelineId pipelineId,
        long sequence,
        TransitionKind kind,
        StageId? fromStage,
        StageId? toStage,
        DateTimeOffset occurredAt,
        DateTimeOffset recordedAt,
        OwnerId owner,
        string? lostReason = null,
        string? note = null)
        : base(id, clientId, pipelineId, sequence, occurredAt, recordedAt, owner, note)
    {
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, $"Transition '{id}' of client '{clientId}' has an unknown kind.");
        }

        if (fromStage is { IsDefault: true } || toStage is { IsDefault: true })
        {
            throw new ArgumentException($"Transition '{id}' of client '{clientId}' has an unset default stage id; use null for no stage.", fromStage is { IsDefault: true } ? nameof(fromStage) : nameof(toStage));
        }

        if ((kind == TransitionKind.Entered) != (fromStage is null))
        {
            throw new ArgumentException($"Transition '{id}' of client '{clientId}' is {kind}: an entry has no from-stage and every other kind has one.", nameof(fromStage));
        }

        if ((kind == TransitionKind.Lost) != (toStage is null))
        {
            throw new ArgumentException($"Transition '{id}' of client '{clientId}' is {kind}: a loss has no target stage and every other kind has one.", nameof(toStage));
        }

        if (kind is TransitionKind.Advanced or TransitionKind.Skipped or TransitionKind.Regressed or TransitionKind.Won && fromStage == toStage)
        {
            throw new ArgumentException($"Transition '{id}' of client '{clientId}' is {kind} but starts and ends in stage '{fromStage}'.", nameof(toStage));
        }

        if (lostReason is not null && kind != TransitionKind.Lost)
        {
            throw new ArgumentException($"Transition '{id}' of client '{clientId}' is {kind}; only a loss carries a lost reason.", nameof(lostReason));
        }

        Kind = kind;
        FromStage = fromStage;
        ToStage = toStage;
        LostReason = TextRules.Optional(lostReason, TextRules.MaxLostReasonLength, "A lost reason", nameof(lostReason));
    }

    /// <summary>What the transition did.</summary>
    public TransitionKind Kind { get; }

    /// <summary>The stage before the move; <see langword="null"/> for an entry. See the type's remarks.</summary>
    public StageId? FromStage { get; }

    /// <summary>The stage reached; <see langword="null"/> when the client was lost.</summary>
    public StageId? ToStage { get; }

    /// <summary>Why the client was lost, or <see langword="null"/>; set only on <see cref="TransitionKind.Lost"/>.</summary>
    public string? LostReason { get; }

    /// <inheritdoc/>
    public override bool Equals(ClientEvent? other) =>
        base.Equals(other)
        && other is StageTransition t
        && Kind == t.Kind
        && FromStage == t.FromStage
        && ToStage == t.ToStage
        && string.Equals(LostReason, t.LostReason, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Kind, ToStage);

    /// <summary>The client, kind, stages and instant.</summary>
    /// <returns>A short description for logs.</returns>
    public override string ToString() =>
        $"#{Sequence} {ClientId} {Kind} {(FromStage is { } f ? f.Value : "-")} -> {(ToStage is { } t ? t.Value : "lost")} at {OccurredAt:O}";
}
