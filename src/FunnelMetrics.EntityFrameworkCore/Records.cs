namespace FunnelMetrics.EntityFrameworkCore;

// The rows behind the funnel's tables. Internal: the public surface is the repositories and the SQL schema
// (documented in docs/storage.md), so the classes can change without breaking callers.

internal sealed class PipelineRecord
{
    public string PipelineId { get; set; } = null!;

    public string Name { get; set; } = null!;

    public string WonStage { get; set; } = null!;

    public string? CurrencyCode { get; set; }

    public List<StageRecord> Stages { get; set; } = [];
}

internal sealed class StageRecord
{
    public string PipelineId { get; set; } = null!;

    public int Position { get; set; }

    public string StageKey { get; set; } = null!;

    public string DisplayName { get; set; } = null!;

    public long? StallThresholdTicks { get; set; }

    public double? WinProbability { get; set; }
}

internal sealed class ClientRecord
{
    public string ClientId { get; set; } = null!;

    public string PipelineId { get; set; } = null!;

    public string Owner { get; set; } = null!;

    public long CreatedAtUtcTicks { get; set; }

    public decimal? Value { get; set; }

    public DateOnly? ExpectedCloseDate { get; set; }

    /// <summary>The feed position, from the <c>funnel_feed</c> counter in the adding transaction.</summary>
    public long Position { get; set; }

    public List<ClientAttributeRecord> Attributes { get; set; } = [];
}

internal sealed class ClientAttributeRecord
{
    public string ClientId { get; set; } = null!;

    public string Key { get; set; } = null!;

    public string Value { get; set; } = null!;
}

/// <summary>One row per event: the common columns, a discriminator (<see cref="Type"/>) and the nullable columns of each kind.</summary>
internal sealed class EventRecord
{
    public const string TransitionType = "transition";
    public const string ActivityType = "activity";
    public const string ReassignmentType = "reassignment";
    public const string UpdateType = "update";

    public string EventId { get; set; } = null!;

    public string ClientId { get; set; } = null!;

    public string PipelineId { get; set; } = null!;

    public long Sequence { get; set; }

    /// <summary>The feed position, from the <c>funnel_feed</c> counter in the appending transaction.</summary>
    public long Position { get; set; }

    public string Type { get; set; } = null!;

    public long OccurredAtUtcTicks { get; set; }

    public long RecordedAtUtcTicks { get; set; }

    public string Owner { get; set; } = null!;

    public string? Note { get; set; }

    public TransitionKind? TransitionKind { get; set; }

    public string? FromStage { get; set; }

    public string? ToStage { get; set; }

    public string? LostReason { get; set; }

    public string? PreviousOwner { get; set; }

    public bool? SetsValue { get; set; }

    public decimal? Value { get; set; }

    public bool? SetsExpectedCloseDate { get; set; }

    public DateOnly? ExpectedCloseDate { get; set; }

    /// <summary>An update's attribute changes: a JSON object of key to value, or to null for a removal.</summary>
    public string? AttributeChanges { get; set; }
}

/// <summary>A client's latest state (the fold of its stream), written in the same transaction as each append.</summary>
internal sealed class ClientStateRecord
{
    public string ClientId { get; set; } = null!;

    public string PipelineId { get; set; } = null!;

    public string Owner { get; set; } = null!;

    public ClientStatus Status { get; set; }

    public string? Stage { get; set; }

    public long? StageEnteredAtUtcTicks { get; set; }

    public long? LastEventAtUtcTicks { get; set; }

    public long? LastTouchedAtUtcTicks { get; set; }

    public long Version { get; set; }
}

/// <summary>The feed's one row: the last position given. Writers take positions by incrementing it.</summary>
internal sealed class FeedRecord
{
    public const int TheId = 1;

    public int Id { get; set; }

    public long Position { get; set; }
}
