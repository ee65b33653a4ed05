namespace FunnelMetrics.Benchmarks;

/// <summary>
/// The metrics as a .NET developer would first write them with LINQ over the event objects: group by client, order by
/// sequence, fold, group by stage. The baselines of the benchmarks; the tests check they give the library's figures.
/// </summary>
public static class NaiveLinq
{
    /// <summary>Clients per stage as of an instant (the won stage included), and the lost ones.</summary>
    public static (int[] Stages, int Lost) StageCounts(PipelineDefinition pipeline, IEnumerable<ClientEvent> events, DateTimeOffset asOf)
    {
        var stages = new int[pipeline.Stages.Count];
        var lost = 0;
        foreach (var history in events.Where(e => e.OccurredAt <= asOf).GroupBy(e => e.ClientId))
        {
            var last = history.OfType<StageTransition>().OrderBy(t => t.Sequence).LastOrDefault();
            if (last is null)
            {
                continue;
            }

            if (last.Kind == TransitionKind.Lost)
            {
                lost++;
            }
            else
            {
                stages[pipeline.IndexOf(last.ToStage!.Value)]++;
            }
        }

        return (stages, lost);
    }

    /// <summary>Per stage: the number of completed visits by the instant, their median and 90th percentile (nearest rank).</summary>
    public static (int Count, TimeSpan? Median, TimeSpan? P90)[] CompletedVisits(PipelineDefinition pipeline, IEnumerable<ClientEvent> events, DateTimeOffset asOf)
    {
        var visits = events
            .OfType<StageTransition>()
            .Where(t => t.OccurredAt <= asOf)
            .GroupBy(t => t.ClientId)
            .SelectMany(g =>
            {
                var ordered = g.OrderBy(t => t.Sequence).ToList();
                return ordered.Zip(ordered.Skip(1), (arrival, departure) => (arrival, departure))
                    .Where(p => p.arrival.Kind != TransitionKind.Lost && p.arrival.ToStage != pipeline.WonStage)
                    .Select(p => (Stage: p.arrival.ToStage!.Value, Duration: p.departure.OccurredAt - p.arrival.OccurredAt));
            })
            .GroupBy(v => v.Stage)
            .ToDictionary(g => g.Key, g => g.Select(v => v.Duration).Order().ToList());
        return [.. pipeline.Stages.Select(s => visits.TryGetValue(s.Key, out var d)
            ? (d.Count, (TimeSpan?)d[(int)Math.Ceiling(0.5 * d.Count) - 1], (TimeSpan?)d[(int)Math.Ceiling(0.9 * d.Count) - 1])
            : (0, null, null))];
    }

    /// <summary>
    /// Per stage: the clients who first reached it in [from, to) and, as of the instant, how many passed it, how many are
    /// lost without passing it, how many remain (skipped stages count as passed).
    /// </summary>
    public static (int Cohort, int Advanced, int Lost, int Remaining)[] Conversion(PipelineDefinition pipeline, IEnumerable<ClientEvent> events, DateTimeOffset from, DateTimeOffset to, DateTimeOffset asOf)
    {
        var won = pipeline.WonStageIndex;
        var result = new (int Cohort, int Advanced, int Lost, int Remaining)[pipeline.Stages.Count];
        foreach (var history in events.OfType<StageTransition>().Where(t => t.OccurredAt <= asOf).GroupBy(t => t.ClientId))
        {
            var moves = history.OrderBy(t => t.Sequence).ToList();
            var lostAtEnd = moves[^1].Kind == TransitionKind.Lost;
            var reaches = new List<(int Stage, int Move, bool Passed)>();
            var current = -1;
            for (var k = 0; k < moves.Count; k++)
            {
                if (moves[k].Kind == TransitionKind.Lost)
                {
                    continue;
                }

                var target = pipeline.IndexOf(moves[k].ToStage!.Value);
                if (moves[k].Kind is TransitionKind.Skipped or TransitionKind.Won)
                {
                    reaches.AddRange(Enumerable.Range(current + 1, Math.Max(0, target - current - 1)).Where(s => s != won).Select(s => (s, k, true)));
                }

                reaches.Add((target, k, false));
                current = target;
            }

            foreach (var first in reaches.Where(r => r.Stage != won).GroupBy(r => r.Stage).Select(g => g.MinBy(r => r.Move)))
            {
                var at = moves[first.Move].OccurredAt;
                if (at < from || at >= to)
                {
                    continue;
                }

                var passed = first.Passed || moves.Skip(first.Move + 1).Any(m => m.Kind == TransitionKind.Won || (m.ToStage is { } t && pipeline.IndexOf(t) > first.Stage));
                var r = result[first.Stage];
                result[first.Stage] = (r.Cohort + 1, r.Advanced + (passed ? 1 : 0), r.Lost + (!passed && lostAtEnd ? 1 : 0), r.Remaining + (!passed && !lostAtEnd ? 1 : 0));
            }
        }

        return result;
    }

    /// <summary>The open clients whose time in their current stage is strictly greater than the stage's fixed threshold.</summary>
    public static HashSet<ClientId> Stalled(PipelineDefinition pipeline, IEnumerable<ClientEvent> events, DateTimeOffset asOf, IReadOnlyDictionary<StageId, TimeSpan> thresholds) =>
        [.. events
            .OfType<StageTransition>()
            .Where(t => t.OccurredAt <= asOf)
            .GroupBy(t => t.ClientId)
            .Select(g => g.OrderBy(t => t.Sequence).Last())
            .Where(t => t.Kind != TransitionKind.Lost && t.ToStage != pipeline.WonStage && asOf - t.OccurredAt > thresholds[t.ToStage!.Value])
            .Select(t => t.ClientId)];

    /// <summary>Per UTC day from <paramref name="first"/> to <paramref name="last"/> and per stage: arrivals, and clients in the stage at the day's end.</summary>
    public static (int Entered, int CountAtEnd)[][] DailyFlow(PipelineDefinition pipeline, IReadOnlyList<ClientEvent> events, DateOnly first, DateOnly last)
    {
        var days = last.DayNumber - first.DayNumber + 1;
        var result = new (int Entered, int CountAtEnd)[days][];
        for (var d = 0; d < days; d++)
        {
            var start = new DateTimeOffset(first.AddDays(d).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var end = start.AddDays(1);
            var arrivals = events.OfType<StageTransition>()
                .Where(t => t.OccurredAt >= start && t.OccurredAt < end && t.ToStage is not null)
                .GroupBy(t => pipeline.IndexOf(t.ToStage!.Value))
                .ToDictionary(g => g.Key, g => g.Count());
            var (counts, _) = StageCounts(pipeline, events, end.AddTicks(-1));
            result[d] = [.. Enumerable.Range(0, pipeline.Stages.Count).Select(s => (arrivals.GetValueOrDefault(s), counts[s]))];
        }

        return result;
    }

    /// <summary>
    /// Velocity over [from, to), from the transitions before <paramref name="to"/>: per stage, the forward moves (advances,
    /// skips, wins) out of it in the window; the clients open at the end; among the clients whose last transition closed
    /// them in the window, the win rate; and the count and nearest-rank median of those wins' cycle times (from the
    /// client's first transition to the win).
    /// </summary>
    public static (int[] ForwardMoves, int Open, double? WinRate, int Wins, TimeSpan? MedianCycle) Velocity(PipelineDefinition pipeline, IEnumerable<ClientEvent> events, DateTimeOffset from, DateTimeOffset to)
    {
        var transitions = events.OfType<StageTransition>().Where(t => t.OccurredAt < to).ToList();
        var moves = new int[pipeline.Stages.Count];
        foreach (var stage in transitions
            .Where(t => t.OccurredAt >= from && t.Kind is TransitionKind.Advanced or TransitionKind.Skipped or TransitionKind.Won)
            .GroupBy(t => pipeline.IndexOf(t.FromStage!.Value)))
        {
            moves[stage.Key] = stage.Count();
        }

        var clients = transitions
            .GroupBy(t => t.ClientId)
            .Select(g => (Entered: g.Min(t => t.OccurredAt), Last: g.MaxBy(t => t.Sequence)!))
            .ToList();
        var open = clients.Count(c => c.Last.Kind is not (TransitionKind.Won or TransitionKind.Lost));
        var closed = clients.Where(c => c.Last.Kind is TransitionKind.Won or TransitionKind.Lost && c.Last.OccurredAt >= from).ToList();
        var cycles = closed.Where(c => c.Last.Kind == TransitionKind.Won).Select(c => c.Last.OccurredAt - c.Entered).Order().ToList();
        return (
            moves,
            open,
            closed.Count == 0 ? null : (double)cycles.Count / closed.Count,
            cycles.Count,
            cycles.Count == 0 ? null : cycles[(int)Math.Ceiling(0.5 * cycles.Count) - 1]);
    }

    /// <summary>Stage counts as of an instant (as <see cref="StageCounts"/>) per owner as of the instant: the owner on the client's last event at or before it.</summary>
    public static Dictionary<OwnerId, (int[] Stages, int Lost)> StageCountsByOwner(PipelineDefinition pipeline, IEnumerable<ClientEvent> events, DateTimeOffset asOf) =>
        events
            .Where(e => e.OccurredAt <= asOf)
            .GroupBy(e => e.ClientId)
            .GroupBy(history => history.MaxBy(e => e.Sequence)!.Owner)
            .ToDictionary(g => g.Key, g => StageCounts(pipeline, g.SelectMany(history => history), asOf));

    /// <summary>Stage counts as of an instant (as <see cref="StageCounts"/>) per value of a client attribute; clients without it are left out.</summary>
    public static Dictionary<string, (int[] Stages, int Lost)> StageCountsByAttribute(PipelineDefinition pipeline, IEnumerable<Client> clients, IEnumerable<ClientEvent> events, string attribute, DateTimeOffset asOf)
    {
        var values = clients.Where(c => c.Attributes.ContainsKey(attribute)).ToDictionary(c => c.Id, c => c.Attributes[attribute]);
        return events
            .Where(e => values.ContainsKey(e.ClientId))
            .GroupBy(e => values[e.ClientId])
            .ToDictionary(g => g.Key, g => StageCounts(pipeline, g, asOf));
    }

    /// <summary>
    /// Stage counts as of an instant (as <see cref="StageCounts"/>) per UTC month, such as <c>2025-03</c>, of the client's
    /// first transition (over its whole history); clients without a transition are left out.
    /// </summary>
    public static Dictionary<string, (int[] Stages, int Lost)> StageCountsByEntryMonth(PipelineDefinition pipeline, IEnumerable<ClientEvent> events, DateTimeOffset asOf) =>
        events
            .GroupBy(e => e.ClientId)
            .Where(history => history.OfType<StageTransition>().Any())
            .GroupBy(history => history.OfType<StageTransition>().Min(t => t.OccurredAt).UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture))
            .ToDictionary(g => g.Key, g => StageCounts(pipeline, g.SelectMany(history => history), asOf));
}
