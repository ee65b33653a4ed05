using FunnelMetrics.Metrics;

namespace FunnelMetrics.Arrow;

/// <summary>
/// The first difference between two logs, column by column: their pipelines, owners, segments, clients, event
/// columns and update side tables. What "the log read back equals the one written" means; used by the tests.
/// </summary>
internal static class LogComparison
{
    /// <summary>The number of segments of a log (record batches of its snapshot).</summary>
    public static int SegmentCount(FunnelEventLog log) => log.Segments.Count;

    /// <summary>The first difference, or <see langword="null"/> when the logs are equal.</summary>
    public static string? FirstDifference(FunnelEventLog expected, FunnelEventLog actual)
    {
        if (!expected.Pipeline.Equals(actual.Pipeline))
        {
            return $"pipeline {expected.Pipeline.Id} against {actual.Pipeline.Id}";
        }

        if (!expected.Owners.SequenceEqual(actual.Owners))
        {
            return $"owners [{string.Join(", ", expected.Owners)}] against [{string.Join(", ", actual.Owners)}]";
        }

        if (!expected.SegmentBases.AsSpan().SequenceEqual(actual.SegmentBases) || !expected.SegmentOf.AsSpan().SequenceEqual(actual.SegmentOf))
        {
            return $"segments of [{string.Join(", ", expected.SegmentBases)}] clients against [{string.Join(", ", actual.SegmentBases)}]";
        }

        if (expected.EventCount != actual.EventCount || expected.UpdateCount != actual.UpdateCount)
        {
            return $"{expected.EventCount} events and {expected.UpdateCount} updates against {actual.EventCount} and {actual.UpdateCount}";
        }

        for (var s = 0; s < expected.Segments.Count; s++)
        {
            var (e, a) = (expected.Segments[s], actual.Segments[s]);
            for (var k = 0; k < e.ClientCount; k++)
            {
                if (!e.Clients[k].Equals(a.Clients[k]) || !SameAttributes(e.Clients[k], a.Clients[k]))
                {
                    return $"segment {s}: client {e.Clients[k].Id} against {a.Clients[k]}";
                }
            }

            var difference =
                Column(e.Start, a.Start, "Start") ?? Column(e.Ticks, a.Ticks, "Ticks") ?? Column(e.KindStatus, a.KindStatus, "KindStatus")
                ?? Column(e.Stages, a.Stages, "Stages") ?? Column(e.Owners, a.Owners, "Owners")
                ?? Column(e.InitialOwners, a.InitialOwners, "InitialOwners") ?? Column(e.FirstEntry, a.FirstEntry, "FirstEntry")
                ?? Column(e.UpdateStart ?? [], a.UpdateStart ?? [], "UpdateStart") ?? Column(e.UpdateTicks, a.UpdateTicks, "UpdateTicks");
            if (difference is not null)
            {
                return $"segment {s}: {difference}";
            }

            for (var u = 0; u < e.UpdateClients.Length; u++)
            {
                if (!e.UpdateClients[u].Equals(a.UpdateClients[u]) || !SameAttributes(e.UpdateClients[u], a.UpdateClients[u]))
                {
                    return $"segment {s}: update {u} of client {e.UpdateClients[u].Id}";
                }
            }
        }

        return null;
    }

    private static bool SameAttributes(Client e, Client a) =>
        e.Attributes.Count == a.Attributes.Count && e.Attributes.All(kv => a.Attributes.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static string? Column<T>(T[] e, T[] a, string name)
    {
        var comparer = EqualityComparer<T>.Default;
        if (e.Length != a.Length)
        {
            return $"{name} has {e.Length} entries against {a.Length}";
        }

        for (var i = 0; i < e.Length; i++)
        {
            if (!comparer.Equals(e[i], a[i]))
            {
                return $"{name}[{i}] is {e[i]} against {a[i]}";
            }
        }

        return null;
    }
}
