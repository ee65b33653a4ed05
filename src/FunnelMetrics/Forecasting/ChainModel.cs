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

    /// <summary>
    /// Counts the departures from each open stage in [lo, hi] (where they went and how long the visits lasted) of the
    /// clients in <paramref name="clientMask"/>, in one pass: the whole team's; those whose departing event has an owner
    /// in <paramref name="ownerMask"/>, when given (else the team's); and, with <paramref name="byOwner"/>, the same per
    /// owner on the departing event ([owner][stage]).
    /// </summary>
    public static (DepartureStats[] Team, DepartureStats[] Subject, DepartureStats[][]? ByOwner) Departures(FunnelEventLog log, long lo, long hi, bool[] clientMask, bool[]? ownerMask, bool byOwner)
    {
        var stageCount = log.Pipeline.Stages.Count;
        DepartureStats[] NewGroup()
        {
            var group = new DepartureStats[stageCount];
            for (var s = 0; s < stageCount; s++)
            {
                group[s] = new DepartureStats(new int[stageCount + 1], []);
            }

            return group;
        }

        var team = NewGroup();
        var subject = ownerMask is null ? team : NewGroup();
        var owners = byOwner ? new DepartureStats[log.Owners.Length][] : null;
        if (owners is not null)
        {
            for (var o = 0; o < owners.Length; o++)
            {
                owners[o] = NewGroup();
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
                if (i > log.Start[c] && log.Statuses[i - 1] == ClientStatus.Open && t >= lo)
                {
                    var from = log.Stages[i - 1];
                    var outcome = kind == EventKind.Lost ? stageCount : log.Stages[i];
                    var owner = log.EventOwners[i];
                    team[from].Add(outcome, t - arrived);
                    if (ownerMask is not null && ownerMask[owner])
                    {
                        subject[from].Add(outcome, t - arrived);
                    }

                    owners?[owner][from].Add(outcome, t - arrived);
                }

                arrived = t;
            }
        }

        return (team, subject, owners);
    }

    /// <summary>Chooses each stage's basis, builds the rows and solves the chain.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="subject">The departures of the clients forecast.</param>
    /// <param name="team">The departures of the whole team, the fallback of an owner forecast.</param>
    /// <param name="ownerForecast">Whether this is an owner forecast, which may fall back to the team's rates.</param>
    /// <param name="minimumDepartures">The departures a stage needs for its own rates.</param>
    /// <param name="pooled">
    /// Every departure's duration of the team, sorted: the durations of a configured stage nobody left. Shared by the
    /// team's and the owners' models, so their stages draw from the same array.
    /// </param>
    public static ChainModel Build(PipelineDefinition pipeline, DepartureStats[] subject, DepartureStats[] team, bool ownerForecast, int minimumDepartures, Lazy<long[]> pooled)
    {
        var stageCount = pipeline.Stages.Count;
        var won = pipeline.WonStageIndex;
        var model = new ChainModel(stageCount) { WonIndex = won };
        long[] Pooled() => pooled.Value;
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

        model.Successors = new (int, double)[stageCount][];
        for (var s = 0; s < stageCount; s++)
        {
            var successors = new List<(int, double)>();
            if (model.Rows[s] is { } row)
            {
                for (var t = 0; t < stageCount; t++)
                {
                    if (t != won && row[t] > 0)
                    {
                        successors.Add((t, row[t]));
                    }
                }
            }

            model.Successors[s] = [.. successors];
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
            double total = 0;
            foreach (var d in durations)
            {
                total += d;
            }

            b[i, 3] = durations.Length > 0 ? total / durations.Length / TimeSpan.TicksPerDay : 0;
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
    /// Per stage with a row, the open stages it moves to with a positive probability and that probability, in stage
    /// order (moves into a stage without basis already count as unknown); empty for the won stage and stages without a row.
    /// </summary>
    public (int Stage, double Probability)[][] Successors { get; private set; } = [];

    /// <summary>The work of the renewal recursion (<see cref="TransientSolution"/>) over these stages at this many bins: an estimate, independent of the horizon.</summary>
    public long RenewalWork(IEnumerable<int> stages, int bins)
    {
        long work = 0;
        foreach (var s in stages)
        {
            work += TransientSolution.Work(Durations[s].Length, Successors[s].Length, bins);
        }

        return work;
    }

    /// <summary>The stages with a row reachable from <paramref name="from"/> through <see cref="Successors"/>, <paramref name="from"/> included.</summary>
    public List<int> Reachable(IEnumerable<int> from)
    {
        var seen = new bool[Rows.Length];
        var order = new List<int>();
        foreach (var s in from)
        {
            if (Rows[s] is not null && !seen[s])
            {
                seen[s] = true;
                order.Add(s);
            }
        }

        for (var i = 0; i < order.Count; i++)
        {
            foreach (var (k, _) in Successors[order[i]])
            {
                if (!seen[k])
                {
                    seen[k] = true;
                    order.Add(k);
                }
            }
        }

        return order;
    }
}

/// <summary>Departures from one stage: counts per outcome (stage indices, then lost) and visit durations in ticks.</summary>
internal sealed record DepartureStats(int[] To, List<long> Durations)
{
    private long[]? _sorted;
    private DurationStats? _summary;

    public int Count => Durations.Count;

    /// <summary>The durations sorted, computed once: the team's are shared by every owner's model that falls back to them.</summary>
    public long[] Sorted
    {
        get
        {
            if (_sorted is null)
            {
                var sorted = Durations.ToArray();
                Statistics.SortNonNegative(sorted); // Durations are never negative: a client's instants never decrease.
                _sorted = sorted;
            }

            return _sorted;
        }
    }

    /// <summary>The durations' statistics, from <see cref="Sorted"/>, computed once.</summary>
    public DurationStats Summary => _summary ??= SummaryOf(Sorted);

    public void Add(int outcome, long duration)
    {
        To[outcome]++;
        Durations.Add(duration);
    }

    /// <summary>What <see cref="Statistics.Durations(Span{long})"/> gives, read off sorted durations: the nearest ranks are positions.</summary>
    private static DurationStats SummaryOf(long[] sorted)
    {
        if (sorted.Length == 0)
        {
            return DurationStats.Empty;
        }

        Int128 total = 0;
        foreach (var t in sorted)
        {
            total += t;
        }

        return new DurationStats(
            sorted.Length,
            (double)total / TimeSpan.TicksPerDay,
            TimeSpan.FromTicks((long)(total / sorted.Length)),
            TimeSpan.FromTicks(Statistics.NearestRank(sorted, 0.5)),
            TimeSpan.FromTicks(Statistics.NearestRank(sorted, 0.75)),
            TimeSpan.FromTicks(Statistics.NearestRank(sorted, 0.9)));
    }

    /// <summary>All the durations of several stages, sorted.</summary>
    public static long[] SortedUnion(DepartureStats[] stages)
    {
        var all = new long[stages.Sum(s => s.Count)];
        var at = 0;
        foreach (var s in stages)
        {
            s.Durations.CopyTo(all, at);
            at += s.Count;
        }

        Statistics.SortNonNegative(all);
        return all;
    }
}
