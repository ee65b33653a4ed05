using FunnelMetrics.Benchmarks;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Arrow.Tests.Support;

/// <summary>Generated histories for the snapshot tests: the benchmarks' generator, with client updates inserted into the streams.</summary>
internal static class Generated
{
    public static PipelineDefinition Pipeline => HistoryGenerator.Pipeline;

    /// <summary>
    /// A history of about <paramref name="transitions"/> transitions with, when <paramref name="updateShare"/> is above
    /// zero, about one client update in <paramref name="updateShare"/> events per client placed between events (at the
    /// previous event's instant), changing the value, the expected close date or attributes; the streams renumbered.
    /// </summary>
    public static (Client[] Clients, List<ClientEvent> Events) History(int transitions, int seed, int owners = 20, int updateShare = 4)
    {
        var (clients, events) = HistoryGenerator.Generate(transitions, seed, owners);
        var random = new Random(seed);
        var result = new List<ClientEvent>(events.Length * 2);
        var byClient = events.GroupBy(e => e.ClientId).ToDictionary(g => g.Key, g => g.OrderBy(e => e.Sequence).ToList());
        var updates = 0;
        foreach (var client in clients)
        {
            var stream = byClient.GetValueOrDefault(client.Id) ?? [];
            var (sequence, at, owner) = (0L, client.CreatedAt, client.Owner);
            for (var k = 0; k <= stream.Count; k++)
            {
                if (updateShare > 0 && random.Next(updateShare) == 0)
                {
                    result.Add(Update(client, ++sequence, at, owner, random, updates++));
                }

                if (k < stream.Count)
                {
                    var e = Renumbered(stream[k], ++sequence);
                    result.Add(e);
                    (at, owner) = (e.OccurredAt, e.Owner);
                }
            }
        }

        return (clients, result);
    }

    public static FunnelEventLog Log(int transitions, int seed, int owners = 20, int updateShare = 4)
    {
        var (clients, events) = History(transitions, seed, owners, updateShare);
        return FunnelEventLog.Build(Pipeline, clients, events);
    }

    private static ClientUpdate Update(Client client, long sequence, DateTimeOffset at, OwnerId owner, Random random, int n)
    {
        var id = new ClientEventId($"update-{n}");
        return random.Next(4) switch
        {
            0 => new ClientUpdate(id, client.Id, client.PipelineId, sequence, at, at, owner, true, random.Next(3) == 0 ? null : 12.5m * random.Next(1, 1000), false, null, null),
            1 => new ClientUpdate(id, client.Id, client.PipelineId, sequence, at, at, owner, false, null, true, random.Next(3) == 0 ? null : DateOnly.FromDateTime(at.UtcDateTime).AddDays(random.Next(1, 90)), null),
            2 => new ClientUpdate(id, client.Id, client.PipelineId, sequence, at, at, owner, false, null, false, null, new Dictionary<string, string?> { ["region"] = random.Next(2) == 0 ? "north" : "south", ["source"] = random.Next(3) == 0 ? null : "fair" }),
            _ => new ClientUpdate(id, client.Id, client.PipelineId, sequence, at, at, owner, true, 0.0001m * random.Next(1, 100), true, new DateOnly(2025, 12, 31), new Dictionary<string, string?> { ["tier"] = $"t{random.Next(3)}" }),
        };
    }

    private static ClientEvent Renumbered(ClientEvent e, long sequence) => e switch
    {
        StageTransition t => new StageTransition(t.Id, t.ClientId, t.PipelineId, sequence, t.Kind, t.FromStage, t.ToStage, t.OccurredAt, t.RecordedAt, t.Owner, t.LostReason, t.Note),
        ClientActivity a => new ClientActivity(a.Id, a.ClientId, a.PipelineId, sequence, a.OccurredAt, a.RecordedAt, a.Owner, a.Note),
        OwnerReassignment r => new OwnerReassignment(r.Id, r.ClientId, r.PipelineId, sequence, r.OccurredAt, r.RecordedAt, r.Owner, r.PreviousOwner, r.Note),
        _ => throw new ArgumentException($"Unexpected event {e}.", nameof(e)),
    };
}

/// <summary>A temporary directory, deleted with its files on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "funnelmetrics-arrow-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
