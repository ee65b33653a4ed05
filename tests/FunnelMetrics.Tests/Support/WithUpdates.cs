using FunnelMetrics.Recording;

namespace FunnelMetrics.Tests.Support;

/// <summary>Adds <see cref="ClientUpdate"/> events to a recorded history: between, before and after its events, the streams renumbered.</summary>
internal static class WithUpdates
{
    /// <summary>
    /// The history's events with updates inserted at random places of each stream (at the previous event's instant, the
    /// next one's, or between), each carrying the changes <paramref name="choose"/> picks for the client as of just before
    /// it (<see langword="null"/> or empty: no update there). An update carries the client's owner, as the recorder writes it.
    /// </summary>
    public static List<ClientEvent> Insert(RecordedHistory h, Func<Client, Random, ClientChanges?> choose)
    {
        var random = new Random(h.Seed);
        var result = new List<ClientEvent>(h.Events.Count * 2);
        var updates = 0;
        foreach (var client in h.Clients)
        {
            var events = h.Events.Where(e => e.ClientId == client.Id).OrderBy(e => e.Sequence).ToList();
            var (previousAt, owner, current, sequence) = (client.CreatedAt, client.Owner, client, 0L);
            for (var k = 0; k <= events.Count; k++)
            {
                var nextAt = k < events.Count ? events[k].OccurredAt : previousAt.AddMinutes(random.Next(0, 3000));
                if (random.Next(3) == 0 && choose(current, random) is { IsEmpty: false } changes)
                {
                    var at = random.Next(3) switch
                    {
                        0 => previousAt,
                        1 => nextAt,
                        _ => previousAt + ((nextAt - previousAt) / 2),
                    };
                    var update = new ClientUpdate(new ClientEventId($"update-{updates++}"), client.Id, client.PipelineId, ++sequence, at, at, owner, changes.SetsValue, changes.Value, changes.SetsExpectedCloseDate, changes.ExpectedCloseDate, changes.Attributes);
                    result.Add(update);
                    current = current.Apply(update);
                    previousAt = at;
                }

                if (k < events.Count)
                {
                    var e = Renumbered(events[k], ++sequence);
                    result.Add(e);
                    (previousAt, owner) = (e.OccurredAt, e.Owner);
                }
            }
        }

        return result;
    }

    /// <summary>A client as of an instant, folded from the update events alone (the definition metrics must agree with).</summary>
    public static Client AsOf(Client record, IEnumerable<ClientEvent> events, DateTimeOffset asOf) =>
        events.OfType<ClientUpdate>().Where(u => u.ClientId == record.Id && u.OccurredAt <= asOf).OrderBy(u => u.Sequence).Aggregate(record, (c, u) => c.Apply(u));

    private static ClientEvent Renumbered(ClientEvent e, long sequence) => e switch
    {
        StageTransition t => new StageTransition(t.Id, t.ClientId, t.PipelineId, sequence, t.Kind, t.FromStage, t.ToStage, t.OccurredAt, t.RecordedAt, t.Owner, t.LostReason, t.Note),
        ClientActivity a => new ClientActivity(a.Id, a.ClientId, a.PipelineId, sequence, a.OccurredAt, a.RecordedAt, a.Owner, a.Note),
        OwnerReassignment r => new OwnerReassignment(r.Id, r.ClientId, r.PipelineId, sequence, r.OccurredAt, r.RecordedAt, r.Owner, r.PreviousOwner, r.Note),
        _ => throw new ArgumentException($"Unexpected event {e}.", nameof(e)),
    };
}
