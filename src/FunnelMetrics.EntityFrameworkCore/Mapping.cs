namespace FunnelMetrics.EntityFrameworkCore;

/// <summary>Converts between the model and the rows. Instants are stored as UTC ticks, which order correctly on every provider.</summary>
internal static class Mapping
{
    public static DateTimeOffset Instant(long utcTicks) => new(utcTicks, TimeSpan.Zero);

    public static EventRecord ToRecord(ClientEvent e)
    {
        var record = new EventRecord
        {
            EventId = e.Id.Value,
            ClientId = e.ClientId.Value,
            PipelineId = e.PipelineId.Value,
            Sequence = e.Sequence,
            OccurredAtUtcTicks = e.OccurredAt.UtcTicks,
            RecordedAtUtcTicks = e.RecordedAt.UtcTicks,
            Owner = e.Owner.Value,
            Note = e.Note,
        };
        switch (e)
        {
            case StageTransition t:
                record.Type = EventRecord.TransitionType;
                record.TransitionKind = t.Kind;
                record.FromStage = t.FromStage?.Value;
                record.ToStage = t.ToStage?.Value;
                record.LostReason = t.LostReason;
                break;
            case ClientActivity:
                record.Type = EventRecord.ActivityType;
                break;
            case OwnerReassignment r:
                record.Type = EventRecord.ReassignmentType;
                record.PreviousOwner = r.PreviousOwner.Value;
                break;
            default:
                throw new ArgumentException($"Event '{e.Id}' of client '{e.ClientId}' is a {e.GetType().Name}, which the Entity Framework Core store cannot map.", nameof(e));
        }

        return record;
    }

    public static ClientEvent ToEvent(EventRecord r)
    {
        var id = new ClientEventId(r.EventId);
        var clientId = new ClientId(r.ClientId);
        var pipelineId = new PipelineId(r.PipelineId);
        var occurredAt = Instant(r.OccurredAtUtcTicks);
        var recordedAt = Instant(r.RecordedAtUtcTicks);
        var owner = new OwnerId(r.Owner);
        return r.Type switch
        {
            EventRecord.TransitionType => new StageTransition(
                id,
                clientId,
                pipelineId,
                r.Sequence,
                r.TransitionKind ?? throw Corrupt(r, "has no transition kind"),
                r.FromStage is null ? null : new StageId(r.FromStage),
                r.ToStage is null ? null : new StageId(r.ToStage),
                occurredAt,
                recordedAt,
                owner,
                r.LostReason,
                r.Note),
            EventRecord.ActivityType => new ClientActivity(id, clientId, pipelineId, r.Sequence, occurredAt, recordedAt, owner, r.Note),
            EventRecord.ReassignmentType => new OwnerReassignment(
                id,
                clientId,
                pipelineId,
                r.Sequence,
                occurredAt,
                recordedAt,
                owner,
                new OwnerId(r.PreviousOwner ?? throw Corrupt(r, "has no previous owner")),
                r.Note),
            _ => throw Corrupt(r, $"has the unknown type '{r.Type}'"),
        };
    }

    public static ClientRecord ToRecord(Client c) => new()
    {
        ClientId = c.Id.Value,
        PipelineId = c.PipelineId.Value,
        Owner = c.Owner.Value,
        CreatedAtUtcTicks = c.CreatedAt.UtcTicks,
        Value = c.Value,
        Attributes = [.. c.Attributes.Select(a => new ClientAttributeRecord { ClientId = c.Id.Value, Key = a.Key, Value = a.Value })],
    };

    public static Client ToClient(ClientRecord r) => new(
        new ClientId(r.ClientId),
        new PipelineId(r.PipelineId),
        new OwnerId(r.Owner),
        Instant(r.CreatedAtUtcTicks),
        r.Value,
        r.Attributes.Count == 0 ? null : r.Attributes.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal));

    public static PipelineRecord ToRecord(PipelineDefinition p) => new()
    {
        PipelineId = p.Id.Value,
        Name = p.Name,
        WonStage = p.WonStage.Value,
        CurrencyCode = p.CurrencyCode,
        Stages = [.. p.Stages.Select((s, i) => new StageRecord
        {
            PipelineId = p.Id.Value,
            Position = i,
            StageKey = s.Key.Value,
            DisplayName = s.DisplayName,
            StallThresholdTicks = s.StallThreshold?.Ticks,
            WinProbability = s.WinProbability,
        })],
    };

    public static PipelineDefinition ToPipeline(PipelineRecord r) => new(
        new PipelineId(r.PipelineId),
        r.Name,
        [.. r.Stages.OrderBy(s => s.Position).Select(s => new StageDefinition(
            new StageId(s.StageKey),
            s.DisplayName,
            s.StallThresholdTicks is { } ticks ? TimeSpan.FromTicks(ticks) : null,
            s.WinProbability))],
        new StageId(r.WonStage),
        r.CurrencyCode);

    private static InvalidOperationException Corrupt(EventRecord r, string problem) =>
        new($"The stored event '{r.EventId}' of client '{r.ClientId}' {problem}; the funnel_events row was not written by FunnelMetrics or was changed since.");
}
