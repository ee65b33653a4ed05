namespace FunnelMetrics.Metrics;

/// <summary>
/// One client's reach of each stage, read from its transitions and reused from client to client: when it first reached
/// each stage and with which owner, when it first passed each, and whether it reached each after first reaching the
/// first open stage. The one definition of reaching and passing (docs/metrics.md, "Reaching and passing a stage") that
/// conversion and the stuck stages share.
/// </summary>
internal sealed class StageReach
{
    /// <summary>The value of <see cref="ReachedAt"/> and <see cref="AdvancedAt"/> for a stage not reached or not passed.</summary>
    public const long Never = long.MaxValue;

    private readonly int _won;
    private readonly int _first;

    public StageReach(PipelineDefinition pipeline)
    {
        var stageCount = pipeline.Stages.Count;
        (_won, _first) = (pipeline.WonStageIndex, pipeline.FirstOpenStageIndex);
        ReachedAt = new long[stageCount];
        AdvancedAt = new long[stageCount];
        ReachOwner = new int[stageCount];
        ReachedSinceFirst = new bool[stageCount];
    }

    /// <summary>Per stage, the UTC ticks of the client's first reach, or <see cref="Never"/>.</summary>
    public long[] ReachedAt { get; }

    /// <summary>Per stage, the UTC ticks of the client's first pass after reaching it, or <see cref="Never"/>.</summary>
    public long[] AdvancedAt { get; }

    /// <summary>Per stage reached, the owner (index) on the event that first reached it.</summary>
    public int[] ReachOwner { get; }

    /// <summary>
    /// Per stage, whether the client reached it at or after first reaching the first open stage, in the order of its
    /// events: a transition recorded before that reach does not count, even at the same instant.
    /// </summary>
    public bool[] ReachedSinceFirst { get; }

    /// <summary>Reads the client's transitions 0 to <paramref name="last"/>.</summary>
    /// <param name="history">The client.</param>
    /// <param name="last">Its last event read (-1 for none).</param>
    /// <param name="passSkipped">Whether a forward jump reaches (and at once passes) the stages it jumps over.</param>
    public void Read(FunnelEventLog.ClientHistory history, int last, bool passSkipped)
    {
        var (reachedAt, advancedAt, reachOwner, reachedSinceFirst) = (ReachedAt, AdvancedAt, ReachOwner, ReachedSinceFirst);
        var stageCount = reachedAt.Length;
        var (won, first) = (_won, _first);
        Array.Fill(reachedAt, Never);
        Array.Fill(advancedAt, Never);
        Array.Clear(reachedSinceFirst);
        for (var i = 0; i <= last; i++)
        {
            var kind = history.Kind(i);
            if (!kind.IsTransition() || kind == EventKind.Lost)
            {
                continue;
            }

            var t = history.Ticks(i);
            var target = history.Stage(i);
            var owner = history.Owner(i);

            // Arriving above a stage reached before passes it; a win passes every stage reached before.
            var passes = kind == EventKind.Won ? stageCount : target;
            for (var s = 0; s < passes; s++)
            {
                if (reachedAt[s] != Never && advancedAt[s] == Never && s != won)
                {
                    advancedAt[s] = t;
                }
            }

            // A forward jump reaches and passes the stages jumped over, when the option says so: a stage reached before
            // keeps its first reach, but counts as reached again after the first stage.
            if (passSkipped && kind is EventKind.Skipped or EventKind.Won)
            {
                for (var s = history.Stage(i - 1) + 1; s < target; s++)
                {
                    if (s == won)
                    {
                        continue;
                    }

                    if (reachedAt[s] == Never)
                    {
                        (reachedAt[s], advancedAt[s], reachOwner[s]) = (t, t, owner);
                    }

                    reachedSinceFirst[s] |= reachedAt[first] != Never;
                }
            }

            if (reachedAt[target] == Never)
            {
                (reachedAt[target], reachOwner[target]) = (t, owner);
            }

            reachedSinceFirst[target] |= reachedAt[first] != Never;
        }
    }

    /// <summary>
    /// Per owner (who first reached the stage) and stage: the clients who first reached it in [lo, hi) and, of them, those
    /// who passed it by <paramref name="cut"/> (inclusive: the events at or before it are read). One pass for every owner at once.
    /// </summary>
    public static (int[,] Cohort, int[,] Advanced) CohortsByOwner(FunnelEventLog log, long lo, long hi, long cut, bool passSkipped, bool[] clientMask)
    {
        var stageCount = log.Pipeline.Stages.Count;
        var won = log.Pipeline.WonStageIndex;
        var cohort = new int[log.OwnerCount, stageCount];
        var advanced = new int[log.OwnerCount, stageCount];
        var reach = new StageReach(log.Pipeline);
        var (reachedAt, advancedAt, reachOwner) = (reach.ReachedAt, reach.AdvancedAt, reach.ReachOwner);
        for (var c = 0; c < clientMask.Length; c++)
        {
            if (!clientMask[c])
            {
                continue;
            }

            // A client whose events up to the cut all lie outside [lo, hi) reaches nothing in it.
            var history = log.History(c);
            var last = history.LastAtOrBefore(cut);
            if (last < 0 || history.Ticks(last) < lo || history.Ticks(0) >= hi)
            {
                continue;
            }

            reach.Read(history, last, passSkipped);
            for (var s = 0; s < stageCount; s++)
            {
                if (s != won && reachedAt[s] >= lo && reachedAt[s] < hi)
                {
                    cohort[reachOwner[s], s]++;
                    advanced[reachOwner[s], s] += advancedAt[s] != Never ? 1 : 0;
                }
            }
        }

        return (cohort, advanced);
    }
}
