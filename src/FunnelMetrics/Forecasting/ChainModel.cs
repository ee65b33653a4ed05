using FunnelMetrics.Metrics;

namespace FunnelMetrics.Forecasting;

/// <summary>
/// The funnel as an absorbing Markov chain, estimated from the departures in a history window: per open stage, the
/// probabilities of the next stage or outcome, the visit durations, and the absorption probabilities and times.
/// Outcome indices: a stage index (the won stage's index means won), then <see cref="Lost"/> and <see cref="Unknown"/>.
/// </summary>
internal sealed class ChainModel
{
    private ChainModel(int stageCount)
    {
        Rows = new double[stageCount][];
        Durations = new long[stageCount][];
        Basis = new StageBasis[stageCount];
        Stats = new DepartureStats[stageCount];
        Won = new double?[stageCount];
        LostProbability = new double?[stageCount];
        UnknownProbability = new double?[stageCount];
        ExpectedDays = new double?[stageCount];
    }

    public int Lost => Rows.Length;

    public int Unknown => Rows.Length + 1;

    /// <summary>Per stage, the probability of each outcome (stage indices, then lost, then unknown); null without basis.</summary>
    public double[]?[] Rows { get; }

    /// <summary>Per stage, the sorted visit durations the simulation draws from; empty when timing is unknown.</summary>
    public long[][] Durations { get; }

    public StageBasis[] Basis { get; }

    public DepartureStats[] Stats { get; }

    public double?[] Won { get; }

    public double?[] LostProbability { get; }

    public double?[] UnknownProbability { get; }

    public double?[] ExpectedDays { get; }

    public bool HasTiming { get; private set; }

    public bool AnyBasis { get; private set; }

    /// <summary>Counts the departures from each open stage in [lo, hi]: where they went and how long the visits lasted.</summary>
    public static DepartureStats[] Departures(FunnelEventLog log, long lo, long hi, bool[] clientMask, bool[]? ownerMask) =>
        Departures(log, lo, hi, clientMask, ownerMask, byOwner: false)[0];

    /// <summary>The same per owner on the departing event, in one pass: [owner][stage].</summary>
    public static DepartureStats[][] DeparturesByOwner(FunnelEventLog log, long lo, long hi, bool[] clientMask) =>
        Departures(log, lo, hi, clientMask, null, byOwner: true);

    private static DepartureStats[][] Departures(FunnelEventLog log, long lo, long hi, bool[] clientMask, bool[]? ownerMask, bool byOwner)
    {
        var stageCount = log.Pipeline.Stages.Count;
        var groups = new DepartureStats[byOwner ? log.Owners.Length : 1][];
        for (var g = 0; g < groups.Length; g++)
        {
            groups[g] = new DepartureStats[stageCount];
            for (var s = 0; s < stageCount; s++)
            {
                groups[g][s] = new DepartureStats(new int[stageCount + 1], []);
            }
        }

        for (var c = 0; c < clientMask.Length; c++)
        {
            if (!clientMask[c])
            {
                continue;
            }

            var last = log.LastEventAtOrBefore(c, hi);
            var arrived = 0L;
            for (var i = log.Start[c]; i <= last; i++)
            {
                var kind = log.Kinds[i];
                if (kind >= EventKind.Activity)
                {
                    continue;
                }

                var t = log.Ticks[i];
                if (i > log.Start[c] && log.Statuses[i - 1] == ClientStatus.Open && t >= lo && (ownerMask is null || ownerMask[log.EventOwners[i]]))
                {
                    var stats = groups[byOwner ? log.EventOwners[i] : 0];
                    var from = log.Stages[i - 1];
                    var outcome = kind == EventKind.Lost ? stageCount : log.Stages[i];
                    stats[from].To[outcome]++;
                    stats[from].Durations.Add(t - arrived);
                }

                arrived = t;
            }
        }

        return groups;
    }

    /// <summary>Chooses each stage's basis, builds the rows and solves the chain.</summary>
    public static ChainModel Build(PipelineDefinition pipeline, DepartureStats[] subject, DepartureStats[] team, bool ownerForecast, int minimumDepartures)
    {
        var stageCount = pipeline.Stages.Count;
        var won = pipeline.WonStageIndex;
        var model = new ChainModel(stageCount) { WonIndex = won };
        long[]? pooled = null;
        long[] Pooled() => pooled ??= [.. team.SelectMany(s => s.Durations).Order()];
        for (var s = 0; s < stageCount; s++)
        {
            if (s == won)
            {
                continue;
            }

            DepartureStats? used = null;
            if (subject[s].Count >= minimumDepartures)
            {
                (model.Basis[s], used) = (StageBasis.History, subject[s]);
            }
            else if (ownerForecast && team[s].Count >= minimumDepartures)
            {
                (model.Basis[s], used) = (StageBasis.TeamHistory, team[s]);
            }
            else if (pipeline.Stages[s].WinProbability is { } p)
            {
                model.Basis[s] = StageBasis.ConfiguredWinProbability;
                var row = new double[stageCount + 2];
                row[won] = p;
                row[stageCount] = 1 - p;
                model.Rows[s] = row;
                var own = subject[s].Count > 0 ? subject[s] : team[s];
                model.Stats[s] = own;
                model.Durations[s] = own.Count > 0 ? own.Sorted : Pooled();
                continue;
            }
            else if (subject[s].Count > 0 || team[s].Count > 0)
            {
                (model.Basis[s], used) = (StageBasis.SparseHistory, subject[s].Count > 0 ? subject[s] : team[s]);
            }
            else
            {
                model.Basis[s] = StageBasis.None;
                model.Stats[s] = subject[s];
                model.Durations[s] = [];
                continue;
            }

            model.Stats[s] = used;
            model.Rows[s] = [.. used.To.Select(n => (double)n / used.Count), 0];
            model.Durations[s] = used.Sorted;
        }

        // Moves into a stage without basis end in the unknown outcome.
        for (var s = 0; s < stageCount; s++)
        {
            if (model.Rows[s] is { } row)
            {
                for (var t = 0; t < stageCount; t++)
                {
                    if (t != won && model.Rows[t] is null && row[t] > 0)
                    {
                        row[model.Unknown] += row[t];
                        row[t] = 0;
                    }
                }
            }
        }

        model.AnyBasis = model.Rows.Any(r => r is not null);
        model.HasTiming = Enumerable.Range(0, stageCount).All(s => s == won || model.Rows[s] is null || model.Durations[s].Length > 0);
        model.Solve(won);
        return model;
    }

    /// <summary>Absorption probabilities and expected times: (I - Q) X = R over the stages from which an outcome is reachable.</summary>
    private void Solve(int won)
    {
        var n = Rows.Length;
        var reaches = new bool[n];
        for (var changed = true; changed;)
        {
            changed = false;
            for (var s = 0; s < n; s++)
            {
                if (reaches[s] || Rows[s] is not { } row)
                {
                    continue;
                }

                var any = row[won] > 0 || row[Lost] > 0 || row[Unknown] > 0;
                for (var t = 0; t < n && !any; t++)
                {
                    any = t != won && row[t] > 0 && reaches[t];
                }

                if (any)
                {
                    reaches[s] = changed = true;
                }
            }
        }

        // A stage with a row from which no outcome is reachable loops forever among stages: that is unknown too.
        for (var s = 0; s < n; s++)
        {
            if (Rows[s] is not null && !reaches[s])
            {
                (Won[s], LostProbability[s], UnknownProbability[s]) = (0, 0, 1);
            }
        }

        var index = Enumerable.Range(0, n).Where(s => reaches[s]).ToArray();
        var m = index.Length;
        if (m == 0)
        {
            return;
        }

        var a = new double[m, m];
        var b = new double[m, 4]; // won, lost, unknown, mean days
        var timed = true;
        for (var i = 0; i < m; i++)
        {
            var row = Rows[index[i]]!;
            a[i, i] = 1;
            for (var j = 0; j < m; j++)
            {
                a[i, j] -= index[j] == won ? 0 : row[index[j]];
            }

            b[i, 0] = row[won];
            b[i, 1] = row[Lost];
            b[i, 2] = row[Unknown];
            var durations = Durations[index[i]];
            timed &= durations.Length > 0;
            b[i, 3] = durations.Length > 0 ? durations.Average(d => (double)d) / TimeSpan.TicksPerDay : 0;
        }

        LinearSolver.Solve(a, b);
        for (var i = 0; i < m; i++)
        {
            var s = index[i];
            // Mass that flows into a loop with no exit is never absorbed: it is unknown too, so the three sum to 1.
            // (The clamps only absorb rounding: elimination can land a hair outside [0, 1].)
            var absorbed = b[i, 0] + b[i, 1] + b[i, 2];
            Won[s] = Math.Clamp(b[i, 0], 0, 1);
            LostProbability[s] = Math.Clamp(b[i, 1], 0, 1 - Won[s]!.Value);
            UnknownProbability[s] = 1 - Won[s]!.Value - LostProbability[s]!.Value;
            ExpectedDays[s] = timed && absorbed > 1 - 1e-9 ? b[i, 3] : null;
        }
    }

    /// <summary>The won stage's index: arriving there is the win.</summary>
    public int WonIndex { get; private set; }

    /// <summary>
    /// Simulates one client's path from a stage it has been in for <paramref name="age"/> ticks, starting at
    /// <paramref name="start"/>: the instant of its win, or null when it is lost, reaches a stage without basis, is still
    /// open after 1,000 moves, or passes <paramref name="end"/> (a later end only lets the same path run further, so wins
    /// never decrease as the horizon grows). Each visit's length is drawn from the stage's durations at least as long as the
    /// age already spent (when none is, the age plus any duration).
    /// </summary>
    public long? SimulateWin(int stage, long age, long start, long end, ref SplitMix64 random)
    {
        var t = start;
        var s = stage;
        for (var step = 0; step < 1000 && t <= end; step++)
        {
            var durations = Durations[s];
            if (Rows[s] is not { } row || durations.Length == 0)
            {
                return null;
            }

            // A client that has waited `age` lasts at least that long: draw among the visits at least as long (all of them for a new visit).
            var first = LowerBound(durations, age);
            var d = first < durations.Length ? durations[first + random.Next(durations.Length - first)] : age + durations[random.Next(durations.Length)];
            t += d - age;
            var u = random.NextDouble();
            var outcome = Lost;
            for (var k = 0; k < row.Length; k++)
            {
                u -= row[k];
                if (u < 0)
                {
                    outcome = k;
                    break;
                }
            }

            if (outcome == WonIndex)
            {
                return t;
            }

            if (outcome >= Rows.Length)
            {
                return null;
            }

            (s, age) = (outcome, 0);
        }

        return null;
    }

    private static int LowerBound(long[] sorted, long value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}

/// <summary>Departures from one stage: counts per outcome (stage indices, then lost) and visit durations in ticks.</summary>
internal sealed record DepartureStats(int[] To, List<long> Durations)
{
    private long[]? _sorted;

    public int Count => Durations.Count;

    /// <summary>The durations sorted, computed once: the team's are shared by every owner's model that falls back to them.</summary>
    public long[] Sorted => _sorted ??= [.. Durations.Order()];
}
