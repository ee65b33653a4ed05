using System.Runtime.InteropServices;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Forecasting;

/// <summary>
/// The funnel as an absorbing Markov chain, estimated from the departures in a history window: per open stage with a
/// basis (a row), the chances of leaving it to another stage, to won, to lost or to an unknown fate, the visit
/// durations, and the absorption probabilities and times. Rows are kept sparse (only the moves observed), so a pipeline
/// of thousands of stages costs in proportion to its stages and departures, not to the square of its stages.
/// </summary>
internal sealed class ChainModel
{
    /// <summary>Loops of stages (strongly connected components) up to this size are solved by elimination; larger ones by iteration.</summary>
    public const int DenseLimit = 300;

    /// <summary>The most work (one move each) the iteration over large loops may take in one chain.</summary>
    public const long IterationBudget = 1L << 22;

    private ChainModel(int stageCount)
    {
        HasRow = new bool[stageCount];
        WinOnLeaving = new double[stageCount];
        LossOnLeaving = new double[stageCount];
        UnknownOnLeaving = new double[stageCount];
        Successors = new (int, double)[stageCount][];
        Array.Fill(Successors, []);
        Durations = new long[stageCount][];
        Array.Fill(Durations, []);
        Basis = new StageBasis[stageCount];
        Stats = new DepartureStats[stageCount];
        Won = new double?[stageCount];
        LostProbability = new double?[stageCount];
        UnknownProbability = new double?[stageCount];
        ExpectedDays = new double?[stageCount];
    }

    public int StageCount => HasRow.Length;

    /// <summary>Per stage, whether it has rates: any basis but <see cref="StageBasis.None"/>. Never the won stage.</summary>
    public bool[] HasRow { get; }

    /// <summary>Per stage with a row, the chance that leaving it is the win.</summary>
    public double[] WinOnLeaving { get; }

    /// <summary>Per stage with a row, the chance that leaving it is a loss.</summary>
    public double[] LossOnLeaving { get; }

    /// <summary>Per stage with a row, the chance that leaving it goes to a stage without basis: an unknown fate.</summary>
    public double[] UnknownOnLeaving { get; }

    /// <summary>
    /// Per stage with a row, the open stages with a row it moves to with a positive chance, and that chance, in stage
    /// order; empty for the won stage and stages without a row.
    /// </summary>
    public (int Stage, double Probability)[][] Successors { get; }

    /// <summary>Per stage, the sorted visit durations its visits are drawn from; empty when timing is unknown or without basis.</summary>
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
    /// For an owner's chain built with the team's: per stage, whether its rates, durations and those of every stage it
    /// leads to are the team's, so that its figures (absorption, and on any grid the horizon's) are the team's too.
    /// </summary>
    public bool[]? SharedWithTeam { get; private set; }

    /// <summary>How many stages sit in loops too large to eliminate whose chances the iteration budget left approximate (too low, by more than 10⁻⁹).</summary>
    public int ApproximatedStages => Approximated.Count;

    /// <summary>The indexes of those stages, loop by loop.</summary>
    public List<int> Approximated { get; } = [];

    /// <summary>The won stage's index: arriving there is the win.</summary>
    public int WonIndex { get; private set; }

    /// <summary>Per stage, whether an outcome is reachable from it, and its raw absorption figures (won, lost, unknown, days) if so.</summary>
    private bool[] _reaches = [];

    private double[]?[] _absorbed = [];

    /// <summary>
    /// Counts the departures from each open stage in [lo, hi] (where they went and how long the visits lasted) of the
    /// clients in <paramref name="clientMask"/>, in one pass: the whole team's; those whose departing event has an owner
    /// in <paramref name="ownerMask"/>, when given (else the team's); and, with <paramref name="byOwner"/>, the same per
    /// owner on the departing event ([owner][stage]).
    /// </summary>
    /// <remarks>
    /// The pass counts outcomes and notes each departure's stage, owner and duration in flat columns; the durations are
    /// then sorted once per stage for the team, paired with their owner (<see cref="DistributeSorted"/>), and each owner's
    /// sorted durations read off that order, so no list grows per departure and no owner's durations are sorted again.
    /// </remarks>
    /// <param name="log">The log.</param>
    /// <param name="lo">The window's start, inclusive.</param>
    /// <param name="hi">The window's end, inclusive.</param>
    /// <param name="clientMask">The clients read.</param>
    /// <param name="ownerMask">The owners of the subject's departures; null when the subject is the team.</param>
    /// <param name="byOwner">Whether to count per owner too.</param>
    /// <param name="degree">
    /// How many threads may read the clients (in ranges of clients, merged in their order) and sort the stages: the counts
    /// and arrays are the same whatever it is.
    /// </param>
    /// <param name="rangeSize">The fewest clients a range read on its own thread holds (tests make it small).</param>
    /// <param name="pack">Whether durations may be sorted paired with their owner as one key (tests turn it off to check the other way).</param>
    public static (DepartureStats[] Team, DepartureStats[] Subject, DepartureStats[][]? ByOwner) Departures(FunnelEventLog log, long lo, long hi, bool[] clientMask, bool[]? ownerMask, bool byOwner, int degree = 1, int rangeSize = 16384, bool pack = true)
    {
        var (team, subject, owners, _) = DeparturesAndEarliest(log, lo, hi, clientMask, ownerMask, byOwner, degree, rangeSize, pack);
        return (team, subject, owners);
    }

    /// <summary>
    /// <see cref="Departures"/>, and when the earliest of the departures counted left (UTC ticks; <see cref="long.MaxValue"/>
    /// when there is none): the window's start can move up to it, inclusive, without any departure leaving the window.
    /// </summary>
    public static (DepartureStats[] Team, DepartureStats[] Subject, DepartureStats[][]? ByOwner, long Earliest) DeparturesAndEarliest(FunnelEventLog log, long lo, long hi, bool[] clientMask, bool[]? ownerMask, bool byOwner, int degree = 1, int rangeSize = 16384, bool pack = true)
    {
        var stageCount = log.Pipeline.Stages.Count;
        var ownerCount = log.OwnerCount;
        // Ranges of at least rangeSize clients, and per-owner counters of each range within a few million entries.
        var parts = (int)Math.Clamp(Math.Min(degree, clientMask.Length / Math.Max(1, rangeSize)), 1, Math.Max(1, 4_000_000 / Math.Max(1L, (long)ownerCount * stageCount)));
        var passes = new DeparturePass[parts];
        try
        {
            Parallelism.For(parts, degree, p =>
            {
                var pass = passes[p] = new DeparturePass(stageCount, ownerMask is not null, byOwner ? ownerCount : -1);
                pass.Read(log, lo, hi, clientMask, ownerMask, (int)((long)clientMask.Length * p / parts), (int)((long)clientMask.Length * (p + 1) / parts));
            });

            // The ranges merged in their order: the first's counters take the others' counts (and the subject's durations, in order).
            var (team, subject, owners) = (passes[0].Team, passes[0].Subject ?? passes[0].Team, passes[0].Owners);
            for (var p = 1; p < parts; p++)
            {
                Merge(team, passes[p].Team);
                if (ownerMask is not null)
                {
                    Merge(subject, passes[p].Subject!);
                }

                for (var o = 0; owners is not null && o < ownerCount; o++)
                {
                    Merge(owners[o], passes[p].Owners![o]);
                }
            }

            var earliest = passes.Min(pass => pass.Earliest);
            DistributeSorted([.. passes.Select(pass => pass.Columns)], team, owners, ownerCount, degree, pack);
            foreach (var group in owners is null ? [team, subject] : owners.Append(team).Append(subject))
            {
                for (var st = 0; st < stageCount; st++)
                {
                    group[st] ??= DepartureStats.Empty;
                }
            }

            return (team, subject, owners, earliest);
        }
        finally
        {
            foreach (var pass in passes)
            {
                pass?.Columns.Return();
            }
        }

        static void Merge(DepartureStats[] into, DepartureStats[] from)
        {
            for (var st = 0; st < into.Length; st++)
            {
                if (from[st] is { } more)
                {
                    if (into[st] is { } stats)
                    {
                        stats.AddCounts(more);
                    }
                    else
                    {
                        into[st] = more;
                    }
                }
            }
        }
    }

    /// <summary>The departures of one range of clients: the counters (team, subject, per owner) and the columns.</summary>
    private sealed class DeparturePass
    {
        public DeparturePass(int stageCount, bool ownSubject, int ownerCount)
        {
            Team = new DepartureStats[stageCount];
            Subject = ownSubject ? new DepartureStats[stageCount] : null;
            if (ownerCount >= 0)
            {
                Owners = new DepartureStats[ownerCount][];
                for (var o = 0; o < ownerCount; o++)
                {
                    Owners[o] = new DepartureStats[stageCount];
                }
            }
        }

        public DepartureStats[] Team { get; }

        public DepartureStats[]? Subject { get; }

        public DepartureStats[][]? Owners { get; }

        public DepartureColumns Columns { get; } = new();

        /// <summary>When the earliest departure read left (UTC ticks); <see cref="long.MaxValue"/> before any.</summary>
        public long Earliest { get; private set; } = long.MaxValue;

        public void Read(FunnelEventLog log, long lo, long hi, bool[] clientMask, bool[]? ownerMask, int first, int end)
        {
            var stageCount = Team.Length;
            var (team, subject, owners, columns) = (Team, Subject, Owners, Columns);
            var earliest = long.MaxValue;
            for (var c = first; c < end; c++)
            {
                if (!clientMask[c])
                {
                    continue;
                }

                // Every visit that ended in [lo, hi] is a departure: from its stage, to where it went, after how long. A
                // client whose last event by hi is before lo left nothing in the window (a visit ends at an event).
                var history = log.History(c);
                var last = history.LastAtOrBefore(hi);
                if (last < 0 || history.Ticks(last) < lo)
                {
                    continue;
                }

                foreach (var visit in history.Visits(last))
                {
                    if (visit.IsOpen || visit.LeftAt < lo)
                    {
                        continue;
                    }

                    var from = visit.Stage;
                    var outcome = visit.Ended == EventKind.Lost ? stageCount : history.Stage(visit.Left);
                    var owner = history.Owner(visit.Left);
                    var duration = visit.LeftAt - visit.EnteredAt;
                    earliest = Math.Min(earliest, visit.LeftAt);
                    (team[from] ??= new DepartureStats(stageCount + 1)).Tally(outcome);
                    columns.Add(from, owner, duration);
                    if (subject is not null && ownerMask![owner])
                    {
                        (subject[from] ??= new DepartureStats(stageCount + 1)).Add(outcome, duration);
                    }

                    if (owners is not null)
                    {
                        (owners[owner][from] ??= new DepartureStats(stageCount + 1)).Tally(outcome);
                    }
                }
            }

            Earliest = earliest;
        }
    }

    /// <summary>
    /// Gives the team's stages and, when counted, the owners' their sorted durations from the departures' columns (the
    /// ranges' in order): per stage, the durations paired with their owner as one key (duration × owners + owner) sorted
    /// once, the team's read off in that order and each owner's picked out of it, already in order; the stages on up to
    /// <paramref name="degree"/> threads. When a duration is too long for the key (over about 2⁶³ / owners ticks), each
    /// owner's durations are sorted on their own instead; the arrays are the same.
    /// </summary>
    private static void DistributeSorted(DepartureColumns[] parts, DepartureStats[] team, DepartureStats[][]? owners, int ownerCount, int degree, bool pack)
    {
        var stageCount = team.Length;
        var n = parts.Sum(p => p.Count);
        // The departures grouped by stage, in the order they were read: offsets, then the keys (a counting sort).
        var start = new int[stageCount + 1];
        var longest = 0L;
        foreach (var part in parts)
        {
            for (var i = 0; i < part.Count; i++)
            {
                start[part.Stages[i] + 1]++;
                longest = Math.Max(longest, part.Durations[i]);
            }
        }

        for (var s = 0; s < stageCount; s++)
        {
            start[s + 1] += start[s];
        }

        var width = Math.Max(1L, ownerCount);
        var packed = owners is null || (pack && longest <= (long.MaxValue - width) / width);
        var keys = System.Buffers.ArrayPool<long>.Shared.Rent(Math.Max(1, n));
        var ownerOf = packed ? [] : System.Buffers.ArrayPool<int>.Shared.Rent(Math.Max(1, n));
        var fill = (int[])start.Clone();
        foreach (var part in parts)
        {
            for (var i = 0; i < part.Count; i++)
            {
                var (d, at) = (part.Durations[i], fill[part.Stages[i]]++);
                if (packed)
                {
                    keys[at] = owners is null ? d : (d * width) + part.Owners[i];
                }
                else
                {
                    (keys[at], ownerOf[at]) = (d, part.Owners[i]);
                }
            }
        }

        try
        {
            // A radix sort's few passes per departure, and the owners' arrays filled.
            Parallelism.For(stageCount, Parallelism.For(8L * n, degree), s =>
            {
                if (team[s] is { } stats)
                {
                    Stage(s, stats, keys.AsSpan(start[s], start[s + 1] - start[s]), packed ? default : ownerOf.AsSpan(start[s], start[s + 1] - start[s]));
                }
            });
        }
        finally
        {
            System.Buffers.ArrayPool<long>.Shared.Return(keys);
            if (!packed)
            {
                System.Buffers.ArrayPool<int>.Shared.Return(ownerOf);
            }
        }

        void Stage(int s, DepartureStats stats, Span<long> part, ReadOnlySpan<int> owned)
        {
            var sorted = new long[part.Length];
            if (owners is null)
            {
                Statistics.SortNonNegative(part);
                part.CopyTo(sorted);
                stats.SetSorted(sorted);
                return;
            }

            if (packed)
            {
                Statistics.SortNonNegative(part);
            }

            // Each owner's durations in the order of the part: sorted when the part is.
            var taken = new Dictionary<int, int>();
            for (var i = 0; i < part.Length; i++)
            {
                var (d, o) = packed ? (part[i] / width, (int)(part[i] % width)) : (part[i], owned[i]);
                sorted[i] = d;
                var own = owners[o][s]!;
                ref var next = ref CollectionsMarshal.GetValueRefOrAddDefault(taken, o, out _);
                (own.PendingSorted ??= new long[own.Count])[next++] = d;
            }

            if (!packed)
            {
                Statistics.SortNonNegative(sorted);
            }

            stats.SetSorted(sorted);
            foreach (var o in taken.Keys)
            {
                var own = owners[o][s]!;
                if (!packed)
                {
                    Statistics.SortNonNegative(own.PendingSorted);
                }

                own.SetSorted(own.PendingSorted!);
            }
        }
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
    /// <param name="teamModel">
    /// The team's own chain, for an owner's: a stage whose rates, durations and every stage it leads to are the team's
    /// takes the team's absorption figures instead of being solved again.
    /// </param>
    /// <param name="budget">The iteration budget of large loops, shared by every chain of one forecast; a fresh one when null.</param>
    public static ChainModel Build(PipelineDefinition pipeline, DepartureStats[] subject, DepartureStats[] team, bool ownerForecast, int minimumDepartures, Lazy<long[]> pooled, ChainModel? teamModel = null, IterationAllowance? budget = null)
    {
        var stageCount = pipeline.Stages.Count;
        var won = pipeline.WonStageIndex;
        var model = new ChainModel(stageCount) { WonIndex = won };
        var used = new DepartureStats?[stageCount];
        for (var s = 0; s < stageCount; s++)
        {
            if (s == won)
            {
                continue;
            }

            if (subject[s].Count >= minimumDepartures)
            {
                (model.Basis[s], used[s]) = (StageBasis.History, subject[s]);
            }
            else if (ownerForecast && team[s].Count >= minimumDepartures)
            {
                (model.Basis[s], used[s]) = (StageBasis.TeamHistory, team[s]);
            }
            else if (pipeline.Stages[s].WinProbability is { } p)
            {
                model.Basis[s] = StageBasis.ConfiguredWinProbability;
                (model.WinOnLeaving[s], model.LossOnLeaving[s]) = (p, 1 - p);
                var own = subject[s].Count > 0 ? subject[s] : team[s];
                model.Stats[s] = own;
                model.Durations[s] = own.Count > 0 ? own.Sorted : pooled.Value;
            }
            else if (subject[s].Count > 0 || team[s].Count > 0)
            {
                (model.Basis[s], used[s]) = (StageBasis.SparseHistory, subject[s].Count > 0 ? subject[s] : team[s]);
            }
            else
            {
                model.Basis[s] = StageBasis.None;
                model.Stats[s] = subject[s];
                continue;
            }

            model.HasRow[s] = true;
            if (used[s] is { } stats)
            {
                model.Stats[s] = stats;
                model.Durations[s] = stats.Sorted;
            }
        }

        // The rows, once every stage's basis is known: a move into a stage without basis ends in the unknown outcome.
        var successors = new List<(int, double)>();
        for (var s = 0; s < stageCount; s++)
        {
            if (used[s] is not { } stats)
            {
                continue;
            }

            successors.Clear();
            foreach (var (outcome, count) in stats.Outcomes())
            {
                var p = (double)count / stats.Count;
                if (outcome == won)
                {
                    model.WinOnLeaving[s] = p;
                }
                else if (outcome == stageCount)
                {
                    model.LossOnLeaving[s] = p;
                }
                else if (model.HasRow[outcome])
                {
                    successors.Add((outcome, p));
                }
                else
                {
                    model.UnknownOnLeaving[s] += p;
                }
            }

            model.Successors[s] = [.. successors];
        }

        model.AnyBasis = model.HasRow.Any(r => r);
        model.HasTiming = Enumerable.Range(0, stageCount).All(s => !model.HasRow[s] || model.Durations[s].Length > 0);
        model.Solve(teamModel, budget ?? new IterationAllowance());
        return model;
    }

    /// <summary>
    /// Absorption probabilities and expected times, X = R + Q X over the stages from which an outcome is reachable:
    /// loop by loop (strongly connected components, each after those it leads to), a single stage directly, a loop up to
    /// <see cref="DenseLimit"/> stages by elimination, a larger one by Gauss-Seidel iteration within the shared
    /// <paramref name="budget"/>. Stages shared with <paramref name="teamModel"/> take its figures.
    /// </summary>
    private void Solve(ChainModel? teamModel, IterationAllowance budget)
    {
        var n = StageCount;
        var (from, by) = Predecessors();
        var shared = SharedWithTeam = teamModel is null ? null : SharedWith(teamModel, from, by);
        _absorbed = new double[n][];
        _reaches = new bool[n];

        // The stages that can reach an outcome: back from those with one, along the moves. A shared stage's answer is the team's.
        var pending = new Stack<int>();
        for (var s = 0; s < n; s++)
        {
            if (shared?[s] == true)
            {
                (_reaches[s], _absorbed[s]) = (teamModel!._reaches[s], teamModel._absorbed[s]);
            }
            else
            {
                _reaches[s] = HasRow[s] && WinOnLeaving[s] + LossOnLeaving[s] + UnknownOnLeaving[s] > 0;
            }

            if (_reaches[s])
            {
                pending.Push(s);
            }
        }

        while (pending.TryPop(out var k))
        {
            for (var e = from[k]; e < from[k + 1]; e++)
            {
                var s = by[e];
                if (!_reaches[s])
                {
                    _reaches[s] = true;
                    pending.Push(s);
                }
            }
        }

        // x[s] = (won, lost, unknown, mean days); moves into stages that never reach an outcome are never absorbed.
        var x = _absorbed;
        foreach (var loop in Loops(s => _reaches[s] && x[s] is null))
        {
            var place = loop.Count == 1 ? null : new Dictionary<int, int>(loop.Count);
            for (var i = 0; place is not null && i < loop.Count; i++)
            {
                place[loop[i]] = i;
            }

            var known = new double[loop.Count][];
            for (var i = 0; i < loop.Count; i++)
            {
                var s = loop[i];
                var days = Durations[s].Length > 0 ? Mean(Durations[s]) / TimeSpan.TicksPerDay : 0;
                var b = new[] { WinOnLeaving[s], LossOnLeaving[s], UnknownOnLeaving[s], days };
                foreach (var (k, p) in Successors[s])
                {
                    // Stages of later loops (or shared) are solved already; stages that reach no outcome add nothing.
                    if (x[k] is { } done && place?.ContainsKey(k) != true)
                    {
                        for (var c = 0; c < 4; c++)
                        {
                            b[c] += p * done[c];
                        }
                    }
                }

                known[i] = b;
            }

            if (loop.Count == 1)
            {
                x[loop[0]] = known[0]; // no stage moves to itself
            }
            else if (loop.Count <= DenseLimit)
            {
                SolveDense(loop, place!, known, x);
            }
            else
            {
                Iterate(loop, place!, known, x, budget);
            }
        }

        var timed = true;
        for (var s = 0; s < n; s++)
        {
            timed &= !_reaches[s] || Durations[s].Length > 0;
        }

        for (var s = 0; s < n; s++)
        {
            if (!HasRow[s])
            {
                continue;
            }

            if (!_reaches[s])
            {
                // A stage with a row from which no outcome is reachable loops forever among stages: that is unknown too.
                (Won[s], LostProbability[s], UnknownProbability[s]) = (0, 0, 1);
                continue;
            }

            // Mass that flows into a loop with no exit is never absorbed: it is unknown too, so the three sum to 1.
            // (The clamps only absorb rounding: elimination can land a hair outside [0, 1].)
            var b = x[s]!;
            var absorbed = b[0] + b[1] + b[2];
            Won[s] = Math.Clamp(b[0], 0, 1);
            LostProbability[s] = Math.Clamp(b[1], 0, 1 - Won[s]!.Value);
            UnknownProbability[s] = 1 - Won[s]!.Value - LostProbability[s]!.Value;
            ExpectedDays[s] = timed && absorbed > 1 - 1e-9 ? b[3] : null;
        }
    }

    /// <summary>
    /// The stages whose absorption figures are the team's: the same chances on leaving, the same moves, the same durations
    /// (the same array, so the same mean), and every stage moved to shared too.
    /// </summary>
    private bool[] SharedWith(ChainModel team, int[] from, int[] by)
    {
        var n = StageCount;
        var shared = new bool[n];
        for (var s = 0; s < n; s++)
        {
            shared[s] = HasRow[s] && team.HasRow[s] && ReferenceEquals(Durations[s], team.Durations[s])
                && WinOnLeaving[s] == team.WinOnLeaving[s] && LossOnLeaving[s] == team.LossOnLeaving[s] && UnknownOnLeaving[s] == team.UnknownOnLeaving[s]
                && Successors[s].AsSpan().SequenceEqual(team.Successors[s]);
        }

        // A stage leading to one that is not shared is not shared either: walk back from those.
        var pending = new Stack<int>();
        for (var s = 0; s < n; s++)
        {
            if (HasRow[s] && !shared[s])
            {
                pending.Push(s);
            }
        }

        while (pending.TryPop(out var k))
        {
            for (var e = from[k]; e < from[k + 1]; e++)
            {
                var s = by[e];
                if (shared[s])
                {
                    shared[s] = false;
                    pending.Push(s);
                }
            }
        }

        return shared;
    }

    /// <summary>Who moves to each stage: the stages moving to k are <c>by[from[k]..from[k + 1]]</c>.</summary>
    private (int[] From, int[] By) Predecessors()
    {
        var n = StageCount;
        var from = new int[n + 1];
        foreach (var successors in Successors)
        {
            foreach (var (k, _) in successors)
            {
                from[k + 1]++;
            }
        }

        for (var k = 0; k < n; k++)
        {
            from[k + 1] += from[k];
        }

        var by = new int[from[n]];
        var fill = (int[])from.Clone();
        for (var s = 0; s < n; s++)
        {
            foreach (var (k, _) in Successors[s])
            {
                by[fill[k]++] = s;
            }
        }

        return (from, by);
    }

    /// <summary>One loop of at most <see cref="DenseLimit"/> stages, by Gaussian elimination: (I - Q) X = known.</summary>
    private void SolveDense(List<int> loop, Dictionary<int, int> place, double[][] known, double[]?[] x)
    {
        var m = loop.Count;
        var a = new double[m, m];
        var b = new double[m, 4];
        for (var i = 0; i < m; i++)
        {
            a[i, i] = 1;
            foreach (var (k, p) in Successors[loop[i]])
            {
                if (place.TryGetValue(k, out var j))
                {
                    a[i, j] -= p;
                }
            }

            for (var c = 0; c < 4; c++)
            {
                b[i, c] = known[i][c];
            }
        }

        LinearSolver.Solve(a, b);
        for (var i = 0; i < m; i++)
        {
            x[loop[i]] = [b[i, 0], b[i, 1], b[i, 2], b[i, 3]];
        }
    }

    /// <summary>
    /// One larger loop by Gauss-Seidel from 0, so every figure rises towards its value, until no chance moves by 10⁻¹⁵
    /// in a sweep or the budget is spent (then the loop's stages count in <see cref="ApproximatedStages"/>).
    /// </summary>
    private void Iterate(List<int> loop, Dictionary<int, int> place, double[][] known, double[]?[] x, IterationAllowance budget)
    {
        var m = loop.Count;
        var start = new int[m + 1];
        var to = new List<int>();
        var by = new List<double>();
        for (var i = 0; i < m; i++)
        {
            foreach (var (k, p) in Successors[loop[i]])
            {
                if (place.TryGetValue(k, out var j))
                {
                    to.Add(j);
                    by.Add(p);
                }
            }

            start[i + 1] = to.Count;
        }

        double[] w = new double[m], l = new double[m], u = new double[m], d = new double[m];
        var converged = false;
        while (!converged && budget.Remaining > 0)
        {
            double change = 0;
            for (var i = 0; i < m; i++)
            {
                double nw = known[i][0], nl = known[i][1], nu = known[i][2], nd = known[i][3];
                for (var e = start[i]; e < start[i + 1]; e++)
                {
                    var (j, p) = (to[e], by[e]);
                    nw += p * w[j];
                    nl += p * l[j];
                    nu += p * u[j];
                    nd += p * d[j];
                }

                change = Math.Max(change, Math.Abs(nw - w[i]) + Math.Abs(nl - l[i]) + Math.Abs(nu - u[i]));
                (w[i], l[i], u[i], d[i]) = (nw, nl, nu, nd);
            }

            budget.Remaining -= m + to.Count;
            converged = change < 1e-15;
        }

        if (!converged)
        {
            Approximated.AddRange(loop);
        }

        for (var i = 0; i < m; i++)
        {
            x[loop[i]] = [w[i], l[i], u[i], d[i]];
        }
    }

    /// <summary>
    /// The loops (strongly connected components) among the stages that reach an outcome, each listed after every loop it
    /// leads to (the order of Tarjan's algorithm), found without recursion.
    /// </summary>
    private List<List<int>> Loops(Func<int, bool> included)
    {
        var n = StageCount;
        var index = new int[n];
        Array.Fill(index, -1);
        var low = new int[n];
        var onStack = new bool[n];
        var stack = new Stack<int>();
        var loops = new List<List<int>>();
        var next = 0;
        var calls = new Stack<(int Stage, int Edge)>();
        for (var root = 0; root < n; root++)
        {
            if (!included(root) || index[root] >= 0)
            {
                continue;
            }

            calls.Push((root, 0));
            index[root] = low[root] = next++;
            stack.Push(root);
            onStack[root] = true;
            while (calls.TryPop(out var call))
            {
                var (s, edge) = call;
                var successors = Successors[s];
                var descended = false;
                while (edge < successors.Length)
                {
                    var k = successors[edge++].Stage;
                    if (!included(k))
                    {
                        continue;
                    }

                    if (index[k] < 0)
                    {
                        calls.Push((s, edge));
                        calls.Push((k, 0));
                        index[k] = low[k] = next++;
                        stack.Push(k);
                        onStack[k] = true;
                        descended = true;
                        break;
                    }

                    if (onStack[k])
                    {
                        low[s] = Math.Min(low[s], index[k]);
                    }
                }

                if (descended)
                {
                    continue;
                }

                if (low[s] == index[s])
                {
                    var loop = new List<int>();
                    int member;
                    do
                    {
                        member = stack.Pop();
                        onStack[member] = false;
                        loop.Add(member);
                    }
                    while (member != s);
                    loops.Add(loop);
                }

                if (calls.TryPeek(out var parent))
                {
                    low[parent.Stage] = Math.Min(low[parent.Stage], low[s]);
                }
            }
        }

        return loops;
    }

    private static double Mean(long[] values)
    {
        double total = 0;
        foreach (var v in values)
        {
            total += v;
        }

        return total / values.Length;
    }

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

    /// <summary>The shortest of the stages' median non-zero visit durations, in ticks; 0 when none has one.</summary>
    public long ShortestMedianVisit(IEnumerable<int> stages)
    {
        var shortest = 0L;
        foreach (var s in stages)
        {
            var durations = Durations[s];
            var zeros = 0;
            while (zeros < durations.Length && durations[zeros] == 0)
            {
                zeros++;
            }

            if (zeros < durations.Length)
            {
                var median = durations[zeros + ((durations.Length - zeros - 1) / 2)];
                shortest = shortest == 0 ? median : Math.Min(shortest, median);
            }
        }

        return shortest;
    }

    /// <summary>The stages with a row reachable from <paramref name="from"/> through <see cref="Successors"/>, <paramref name="from"/> included.</summary>
    public List<int> Reachable(IEnumerable<int> from)
    {
        var seen = new bool[StageCount];
        var order = new List<int>();
        foreach (var s in from)
        {
            if (HasRow[s] && !seen[s])
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

/// <summary>
/// Departures from one stage: how many ended in each outcome (a stage index, or the stage count for lost) and the visit
/// durations in ticks. The counts are an array for pipelines of up to 64 stages, a dictionary beyond.
/// </summary>
internal sealed class DepartureStats
{
    private const int DenseOutcomes = 65;
    private readonly int[]? _dense;
    private readonly Dictionary<int, int>? _sparse;
    private long[]? _sorted;
    private DurationStats? _summary;
    private (int, int)[]? _outcomes;

    /// <summary>Counts over the outcomes 0 to <paramref name="outcomes"/> - 1.</summary>
    public DepartureStats(int outcomes)
    {
        if (outcomes <= DenseOutcomes)
        {
            _dense = new int[outcomes];
        }
        else
        {
            _sparse = [];
        }
    }

    /// <summary>No departures; never added to.</summary>
    public static DepartureStats Empty { get; } = new(0);

    /// <summary>The durations added with <see cref="Add"/>, in that order; empty for those counted with <see cref="Tally"/>.</summary>
    public List<long> Durations { get; } = [];

    /// <summary>How many departures: added or tallied.</summary>
    public int Count { get; private set; }

    /// <summary>The durations sorted, computed once: the team's are shared by every owner's model that falls back to them.</summary>
    public long[] Sorted
    {
        get
        {
            if (_sorted is null)
            {
                if (Durations.Count != Count)
                {
                    throw new InvalidOperationException($"{Count - Durations.Count} tallied departure(s) were never given their sorted durations.");
                }

                var sorted = Durations.ToArray();
                Statistics.SortNonNegative(sorted); // Durations are never negative: a client's instants never decrease.
                _sorted = sorted;
            }

            return _sorted;
        }
    }

    /// <summary>Scratch for <see cref="ChainModel.Departures"/>: the sorted durations being filled in, before <see cref="SetSorted"/>.</summary>
    internal long[]? PendingSorted { get; set; }

    /// <summary>The durations' statistics, from <see cref="Sorted"/>, computed once.</summary>
    public DurationStats Summary => _summary ??= SummaryOf(Sorted);

    public void Add(int outcome, long duration)
    {
        if (_dense is not null)
        {
            _dense[outcome]++;
        }
        else
        {
            CollectionsMarshal.GetValueRefOrAddDefault(_sparse!, outcome, out _)++;
        }

        Durations.Add(duration);
        Count++;
    }

    /// <summary>Counts a departure without its duration: the sorted durations come later, from <see cref="SetSorted"/>.</summary>
    public void Tally(int outcome)
    {
        if (_dense is not null)
        {
            _dense[outcome]++;
        }
        else
        {
            CollectionsMarshal.GetValueRefOrAddDefault(_sparse!, outcome, out _)++;
        }

        Count++;
    }

    /// <summary>Adds another range's counts of the same stage (and its added durations, after these).</summary>
    public void AddCounts(DepartureStats other)
    {
        foreach (var (outcome, count) in other.Outcomes())
        {
            if (_dense is not null)
            {
                _dense[outcome] += count;
            }
            else
            {
                CollectionsMarshal.GetValueRefOrAddDefault(_sparse!, outcome, out _) += count;
            }
        }

        Durations.AddRange(other.Durations);
        Count += other.Count;
    }

    /// <summary>Sets the durations sorted, one per departure counted (by <see cref="Tally"/>, with none added).</summary>
    public void SetSorted(long[] sorted)
    {
        if (sorted.Length != Count || Durations.Count != 0)
        {
            throw new InvalidOperationException($"{sorted.Length} sorted duration(s) for {Count} departure(s), {Durations.Count} of them added one by one.");
        }

        (_sorted, PendingSorted) = (sorted, null);
    }

    /// <summary>The outcomes that occurred and how often, by outcome index; read once the departures are all added.</summary>
    public (int Outcome, int Count)[] Outcomes()
    {
        if (_outcomes is null)
        {
            var outcomes = new List<(int, int)>();
            if (_dense is not null)
            {
                for (var k = 0; k < _dense.Length; k++)
                {
                    if (_dense[k] > 0)
                    {
                        outcomes.Add((k, _dense[k]));
                    }
                }
            }
            else
            {
                outcomes.AddRange(_sparse!.Select(kv => (kv.Key, kv.Value)).Order());
            }

            _outcomes = [.. outcomes];
        }

        return _outcomes;
    }

    /// <summary>
    /// For departures from stage <paramref name="stage"/>: how many went to the next stage, to a later one (a skip), to an
    /// earlier one (a regression), none of them the won stage, to won, and to lost (outcome <paramref name="stages"/>).
    /// </summary>
    public (int Next, int Later, int Earlier, int Won, int Lost) Shares(int stage, int won, int stages)
    {
        int next = 0, later = 0, earlier = 0, wins = 0, lost = 0;
        foreach (var (t, n) in Outcomes())
        {
            if (t == stages)
            {
                lost += n;
            }
            else if (t == won)
            {
                wins += n;
            }
            else if (t == stage + 1)
            {
                next += n;
            }
            else if (t > stage + 1)
            {
                later += n;
            }
            else if (t < stage)
            {
                earlier += n;
            }
        }

        return (next, later, earlier, wins, lost);
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
            // Their order does not matter: all of them are sorted together.
            s.Sorted.CopyTo(all, at);
            at += s.Count;
        }

        Statistics.SortNonNegative(all);
        return all;
    }
}

/// <summary>What is left of the iteration budget (<see cref="ChainModel.IterationBudget"/>) of one forecast, shared by its chains.</summary>
internal sealed class IterationAllowance
{
    public long Remaining { get; set; } = ChainModel.IterationBudget;
}

/// <summary>The departures of one pass as flat columns (stage, owner, duration), in arrays rented from the shared pool.</summary>
internal sealed class DepartureColumns
{
    public int[] Stages { get; private set; } = System.Buffers.ArrayPool<int>.Shared.Rent(1024);

    public int[] Owners { get; private set; } = System.Buffers.ArrayPool<int>.Shared.Rent(1024);

    public long[] Durations { get; private set; } = System.Buffers.ArrayPool<long>.Shared.Rent(1024);

    public int Count { get; private set; }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void Add(int stage, int owner, long duration)
    {
        if (Count == Stages.Length)
        {
            Grow();
        }

        Stages[Count] = stage;
        Owners[Count] = owner;
        Durations[Count] = duration;
        Count++;
    }

    /// <summary>Gives the arrays back to the pool; the columns are empty after.</summary>
    public void Return()
    {
        System.Buffers.ArrayPool<int>.Shared.Return(Stages);
        System.Buffers.ArrayPool<int>.Shared.Return(Owners);
        System.Buffers.ArrayPool<long>.Shared.Return(Durations);
        (Stages, Owners, Durations, Count) = ([], [], [], 0);
    }

    private void Grow()
    {
        var size = Stages.Length * 2;
        Stages = Grown(System.Buffers.ArrayPool<int>.Shared, Stages, Count, size);
        Owners = Grown(System.Buffers.ArrayPool<int>.Shared, Owners, Count, size);
        Durations = Grown(System.Buffers.ArrayPool<long>.Shared, Durations, Count, size);
    }

    private static T[] Grown<T>(System.Buffers.ArrayPool<T> pool, T[] old, int count, int size)
    {
        var grown = pool.Rent(size);
        old.AsSpan(0, count).CopyTo(grown);
        pool.Return(old);
        return grown;
    }
}
