namespace FunnelMetrics.Metrics;

/// <summary>Computes <see cref="TimeInStage"/>: one pass over each client's events, then one sort per stage.</summary>
public static class TimeInStageCalculator
{
    /// <summary>
    /// Measures the visits that began in <paramref name="window"/>, in each stage (the won stage's entry stays empty: won is
    /// terminal), from the events before the window's end: a visit begun at <see cref="TimeWindow.Start"/> counts, one begun
    /// at <see cref="TimeWindow.End"/> does not, and a visit not ended before <see cref="TimeWindow.End"/> is open, measured up to it.
    /// </summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="window">The visits' window, [start, end); <see cref="TimeWindow.Until"/> for every visit begun before an instant.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all. The owner condition applies to the owner on the transition that began each visit.</param>
    /// <returns>The durations per stage.</returns>
    public static TimeInStage Compute(FunnelEventLog log, TimeWindow window, FunnelFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        using var sample = Collect(log, window.StartTicks, window.EndTicks - 1, window.EndTicks, filter);
        var stageCount = log.Pipeline.Stages.Count;
        var result = new StageTime[stageCount];
        for (var s = 0; s < stageCount; s++)
        {
            // The won stage is terminal: no visit of it is measured, and its entry stays empty.
            var keys = sample.SortedKeys(s);
            var estimates = Statistics.KaplanMeier(keys, 0.5, 0.9);
            result[s] = new StageTime(log.Pipeline.Stages[s].Key, Statistics.Completed(keys, sample.Completed[s]), sample.Open[s], estimates[0], estimates[1], Statistics.Durations(sample.PerClient[s].AsSpan()));
        }

        return new TimeInStage(log.Pipeline.Id, window.IsOpenStart ? null : window.Start, window.End, result);
    }

    /// <summary>
    /// The visits of each stage begun at or after <paramref name="lower"/>, from the events at or before <paramref name="cut"/>,
    /// running visits measured up to <paramref name="measuredAt"/>: completed durations, censored observations, per-client totals.
    /// </summary>
    internal static VisitSample Collect(FunnelEventLog log, long lower, long cut, long measuredAt, FunnelFilter? filter)
    {
        filter ??= FunnelFilter.All;
        var clientMask = filter.ClientMask(log);
        var ownerMask = filter.OwnerMask(log);
        var stageCount = log.Pipeline.Stages.Count;

        var completed = new int[stageCount];
        var keys = new PooledLongBuffer[stageCount];
        var perClient = new PooledLongBuffer[stageCount];
        var open = new int[stageCount];
        for (var s = 0; s < stageCount; s++)
        {
            keys[s] = new PooledLongBuffer();
            perClient[s] = new PooledLongBuffer();
        }

        var cumulative = new long[stageCount];
        var visited = new bool[stageCount];
        for (var c = 0; c < clientMask.Length; c++)
        {
            if (!clientMask[c])
            {
                continue;
            }

            Array.Clear(cumulative);
            Array.Clear(visited);
            var last = log.LastEventAtOrBefore(c, cut);
            var stage = -1;
            var arrived = 0L;
            var counted = false;
            for (var i = log.Start[c]; i <= last; i++)
            {
                if (log.Kinds[i] >= EventKind.Activity)
                {
                    continue;
                }

                var t = log.Ticks[i];
                if (stage >= 0 && counted)
                {
                    completed[stage]++;
                    keys[stage].Add(Statistics.Key(t - arrived, completed: true));
                    cumulative[stage] += t - arrived;
                    visited[stage] = true;
                }

                var arrives = log.Statuses[i] is ClientStatus.Open;
                stage = arrives ? log.Stages[i] : -1;
                arrived = t;
                counted = arrives && t >= lower && ownerMask[log.EventOwners[i]];
            }

            if (stage >= 0 && counted)
            {
                open[stage]++;
                keys[stage].Add(Statistics.Key(measuredAt - arrived, completed: false));
                cumulative[stage] += measuredAt - arrived;
                visited[stage] = true;
            }

            for (var s = 0; s < stageCount; s++)
            {
                if (visited[s])
                {
                    perClient[s].Add(cumulative[s]);
                }
            }
        }

        return new VisitSample(completed, keys, perClient, open);
    }

    /// <summary>
    /// The visits of each stage grouped by the owner on the transition that began them: observation keys
    /// (<see cref="Statistics.Key"/>) per [owner, stage], for visits begun in <paramref name="window"/>, from the events before
    /// its end, running visits measured up to its end. One pass for every owner.
    /// </summary>
    internal static List<long>[,] ObservationsByOwner(FunnelEventLog log, TimeWindow window, bool[] clientMask)
    {
        var stageCount = log.Pipeline.Stages.Count;
        var observations = new List<long>[log.Owners.Length, stageCount];
        var (lower, end) = (window.StartTicks, window.EndTicks);
        var cut = end - 1;
        for (var c = 0; c < clientMask.Length; c++)
        {
            if (!clientMask[c])
            {
                continue;
            }

            var last = log.LastEventAtOrBefore(c, cut);
            int stage = -1, owner = -1;
            var arrived = 0L;
            for (var i = log.Start[c]; i <= last; i++)
            {
                if (log.Kinds[i] >= EventKind.Activity)
                {
                    continue;
                }

                var t = log.Ticks[i];
                if (stage >= 0)
                {
                    (observations[owner, stage] ??= []).Add(Statistics.Key(t - arrived, completed: true));
                }

                var arrives = log.Statuses[i] is ClientStatus.Open && t >= lower;
                (stage, owner, arrived) = arrives ? (log.Stages[i], log.EventOwners[i], t) : (-1, -1, t);
            }

            if (stage >= 0)
            {
                (observations[owner, stage] ??= []).Add(Statistics.Key(end - arrived, completed: false));
            }
        }

        return observations;
    }
}

/// <summary>The visits of each stage, by stage index: completed counts, observation keys (<see cref="Statistics.Key"/>), per-client totals, open counts.</summary>
/// <remarks>The buffers are pooled: dispose the sample when done with it.</remarks>
internal sealed record VisitSample(int[] Completed, PooledLongBuffer[] Keys, PooledLongBuffer[] PerClient, int[] Open) : IDisposable
{
    /// <summary>The stage's keys sorted in place (radix sort: keys are non-negative).</summary>
    public ReadOnlySpan<long> SortedKeys(int stage)
    {
        var keys = Keys[stage].AsSpan();
        Statistics.SortNonNegative(keys);
        return keys;
    }

    public void Dispose()
    {
        foreach (var buffer in Keys)
        {
            buffer.Dispose();
        }

        foreach (var buffer in PerClient)
        {
            buffer.Dispose();
        }
    }
}
