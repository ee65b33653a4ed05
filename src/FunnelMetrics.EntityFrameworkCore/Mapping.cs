using System.Text;
using System.Text.Json;

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
            case ClientUpdate u:
                record.Type = EventRecord.UpdateType;
                record.SetsValue = u.SetsValue;
                record.Value = u.Value;
                record.SetsExpectedCloseDate = u.SetsExpectedCloseDate;
                record.ExpectedCloseDate = u.ExpectedCloseDate;
                record.AttributeChanges = u.Attributes.Count == 0 ? null : WriteAttributeChanges(u.Attributes);
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
            EventRecord.UpdateType => new ClientUpdate(
                id,
                clientId,
                pipelineId,
                r.Sequence,
                occurredAt,
                recordedAt,
                owner,
                r.SetsValue ?? throw Corrupt(r, "is an update without sets_value"),
                r.Value,
                r.SetsExpectedCloseDate ?? throw Corrupt(r, "is an update without sets_expected_close_date"),
                r.ExpectedCloseDate,
                r.AttributeChanges is null ? null : ReadAttributeChanges(r),
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
        ExpectedCloseDate = c.ExpectedCloseDate,
        Attributes = [.. c.Attributes.Select(a => new ClientAttributeRecord { ClientId = c.Id.Value, Key = a.Key, Value = a.Value })],
    };

    public static Client ToClient(ClientRecord r) => new(
        new ClientId(r.ClientId),
        new PipelineId(r.PipelineId),
        new OwnerId(r.Owner),
        Instant(r.CreatedAtUtcTicks),
        r.Value,
        r.Attributes.Count == 0 ? null : r.Attributes.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal),
        r.ExpectedCloseDate);

    public static ClientStateRecord ToRecord(ClientState s) => new()
    {
        ClientId = s.ClientId.Value,
        PipelineId = s.PipelineId.Value,
        Owner = s.Owner.Value,
        Status = s.Status,
        Stage = s.Stage?.Value,
        StageEnteredAtUtcTicks = s.StageEnteredAt?.UtcTicks,
        LastEventAtUtcTicks = s.LastEventAt?.UtcTicks,
        LastTouchedAtUtcTicks = s.LastTouchedAt?.UtcTicks,
        Version = s.Version,
    };

    public static ClientState ToState(ClientStateRecord r) => new(
        new ClientId(r.ClientId),
        new PipelineId(r.PipelineId),
        new OwnerId(r.Owner),
        r.Status,
        r.Stage is null ? null : new StageId(r.Stage),
        r.StageEnteredAtUtcTicks is { } entered ? Instant(entered) : null,
        r.LastEventAtUtcTicks is { } last ? Instant(last) : null,
        r.LastTouchedAtUtcTicks is { } touched ? Instant(touched) : null,
        r.Version);

    /// <summary>An update's attribute changes as a JSON object, keys in ordinal order: <c>{"key": "value", "removed": null}</c>.</summary>
    public static string WriteAttributeChanges(IReadOnlyDictionary<string, string?> changes)
    {
        var keys = changes.Keys.ToArray();
        Array.Sort(keys, StringComparer.Ordinal);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var key in keys)
            {
                if (changes[key] is { } value)
                {
                    writer.WriteString(key, value);
                }
                else
                {
                    writer.WriteNull(key);
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static Dictionary<string, string?> ReadAttributeChanges(EventRecord r)
    {
        try
        {
            using var document = JsonDocument.Parse(r.AttributeChanges!);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Corrupt(r, "has attribute_changes that are not a JSON object");
            }

            var changes = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                changes[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Null => null,
                    _ => throw Corrupt(r, $"has the attribute change '{property.Name}' that is neither a string nor null"),
                };
            }

            return changes;
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"The stored event '{r.EventId}' of client '{r.ClientId}' has attribute_changes that are not JSON ({e.Message}); the funnel_events row was not written by FunnelMetrics or was changed since.", e);
        }
    }

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
