using FunnelMetrics.Metrics;

namespace FunnelMetrics.Arrow;

/// <summary>
/// The other way to restore a log: every client and event of a log replayed through <see cref="FunnelLogBuilder"/>'s
/// column methods, so each history is checked against the model's rule table again, as a load from a store is. Not
/// what <see cref="FunnelSnapshotFile.ReadAsync"/> does (it trusts a file that passes its checks); kept to measure
/// what the check would cost (SnapshotBenchmarks.ReadAndReplay) and to test that a log read back is one the rules accept.
/// </summary>
internal static class SnapshotReplay
{
    private static readonly ClientEventId Replayed = new("snapshot-event");

    /// <summary>The log rebuilt from <paramref name="log"/>'s clients and events through a new builder.</summary>
    /// <exception cref="FunnelHistoryException">A history breaks a rule.</exception>
    public static FunnelEventLog Rebuild(FunnelEventLog log)
    {
        var builder = new FunnelLogBuilder(log.Pipeline);
        foreach (var segment in log.Segments)
        {
            var start = segment.Start;
            for (var k = 0; k < segment.ClientCount; k++)
            {
                var record = segment.Clients[k];
                var h = builder.Add(record);
                var (stage, owner, current) = ((int)FunnelEventLog.NoStage, segment.InitialOwners[k], record);
                var update = segment.UpdateStart is { } u ? u[k] : 0;
                for (var i = start[k]; i < start[k + 1]; i++)
                {
                    var sequence = i - start[k] + 1;
                    var at = new DateTimeOffset(segment.Ticks[i], TimeSpan.Zero);
                    var after = segment.Owners[i];
                    var kind = LogSegment.KindOf(segment.KindStatus[i]);
                    switch (kind)
                    {
                        case EventKind.Activity:
                            builder.AppendActivity(h, Replayed, sequence, at, log.OwnerAt(after));
                            break;
                        case EventKind.Reassigned:
                            builder.AppendReassignment(h, Replayed, sequence, at, log.OwnerAt(after), log.OwnerAt(owner));
                            break;
                        case EventKind.Updated:
                            var next = segment.UpdateClients[update++];
                            builder.Append(Difference(current, next, record, sequence, at, log.OwnerAt(owner)));
                            current = next;
                            break;
                        default:
                            var transition = (TransitionKind)kind;
                            builder.AppendTransition(
                                h,
                                Replayed,
                                sequence,
                                at,
                                transition,
                                transition == TransitionKind.Entered ? -1 : stage,
                                transition == TransitionKind.Lost ? -1 : segment.Stages[i],
                                log.OwnerAt(after));
                            break;
                    }

                    (stage, owner) = (segment.Stages[i], after);
                }
            }
        }

        return builder.ToLog();
    }

    /// <summary>An update taking <paramref name="before"/> to <paramref name="after"/>.</summary>
    private static ClientUpdate Difference(Client before, Client after, Client record, long sequence, DateTimeOffset at, OwnerId owner)
    {
        var changes = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in after.Attributes)
        {
            if (!before.Attributes.TryGetValue(key, out var old) || old != value)
            {
                changes[key] = value;
            }
        }

        foreach (var key in before.Attributes.Keys)
        {
            if (!after.Attributes.ContainsKey(key))
            {
                changes[key] = null;
            }
        }

        var setsValue = before.Value != after.Value;
        var setsDate = before.ExpectedCloseDate != after.ExpectedCloseDate;
        if (!setsValue && !setsDate && changes.Count == 0)
        {
            // An update that changed nothing in the end (it set what was there): the same again, as a value set.
            setsValue = true;
        }

        return new ClientUpdate(Replayed, record.Id, record.PipelineId, sequence, at, at, owner, setsValue, setsValue ? after.Value : null, setsDate, setsDate ? after.ExpectedCloseDate : null, changes);
    }
}
