using FunnelMetrics.Metrics;

namespace FunnelMetrics.Forecasting;

/// <summary>
/// Wins by a horizon for one or more chains over the same clients in work: the forecast's own chain and, for the
/// breakdown by owner, each owner's. Each chain gets a <see cref="TransientSolution"/> on a grid, each client in work a
/// chance of a win from <see cref="RemainingVisits"/> (all clients of all chains answered together, so those sharing a
/// stage's durations share one pass), and each chain a <see cref="HorizonForecast"/> from those chances.
/// </summary>
internal sealed class HorizonForecaster
{
    private readonly FunnelEventLog _log;
    private readonly long _now;
    private readonly long _end;
    private readonly int _first;
    private readonly int _degree;
    private readonly Dictionary<int, HorizonGrid> _grids = [];
    private readonly RemainingVisits _visits = new();

    /// <summary>Per grid and stage, the first group asked for: a later chain whose stage has the same durations array joins it.</summary>
    private readonly Dictionary<(int Bins, int Stage), (long[] Durations, List<RemainingVisits.Query> Queries)> _shared = [];
    private double[] _chances = [];
    private int _slots;

    /// <param name="log">The log.</param>
    /// <param name="now">The forecast's instant.</param>
    /// <param name="end">The horizon.</param>
    /// <param name="degree">How many threads may solve the owners' chains and answer the clients' groups: the figures are the same whatever it is.</param>
    public HorizonForecaster(FunnelEventLog log, long now, long end, int degree = 1)
    {
        (_log, _now, _end, _degree) = (log, now, end, degree);
        _first = log.Pipeline.FirstOpenStageIndex;
    }

    /// <summary>Plans the horizon of a chain on the most bins its own size allows.</summary>
    /// <param name="model">The chain; it must have timing.</param>
    /// <param name="clients">Its clients in work.</param>
    /// <param name="intakePerDay">The intake rate, or null without intake.</param>
    /// <param name="needsFirstStage">Whether the fresh-entry chances of the first open stage are needed (a target).</param>
    public Plan Add(ChainModel model, IReadOnlyList<ClientInWork> clients, double? intakePerDay, bool needsFirstStage)
    {
        var stages = Starts(model, clients, intakePerDay, needsFirstStage);
        var reachable = model.Reachable(stages);
        var wanted = HorizonGrid.Wanted(_end - _now, model.ShortestMedianVisit(reachable));
        // The work: the recursion, and the clients' chances (a client takes at most G + 1 steps, two at a time).
        var grid = Grid(HorizonGrid.ForBudget(bins => model.RenewalWork(reachable, bins) + ((long)clients.Count * bins / 2), wanted));
        var solution = new TransientSolution(grid, model.StageCount);
        solution.Extend(model, reachable);
        return Ask(new Plan(this, model, solution, clients, intakePerDay) { Wanted = wanted });
    }

    /// <summary>
    /// Plans the horizons of the owners' chains, given the team's: a stage whose rates and durations are the team's, and
    /// so are those of every stage it leads to (<see cref="ChainModel.SharedWithTeam"/>), takes the team's solution
    /// instead of being solved again. All owners share
    /// one grid: the most bins, up to the team's, for which all their chains and clients fit the budget together.
    /// </summary>
    /// <param name="team">The team's chain.</param>
    /// <param name="teamPlan">The team's own horizon, when planned: its solution is reused when the grids agree.</param>
    /// <param name="owners">Each owner's chain, clients in work and intake rate.</param>
    public List<Plan> AddOwners(ChainModel team, Plan? teamPlan, IReadOnlyList<(ChainModel Model, IReadOnlyList<ClientInWork> Clients, double? IntakePerDay)> owners)
    {
        // Per owner, the stages its paths reach: those it shares with the team (the team's solution serves them) and its own.
        var own = new List<(List<int> Shared, List<int> Own)>(owners.Count);
        var sharedAll = new List<int>();
        var inShared = new bool[team.StageCount];
        foreach (var (model, clients, intake) in owners)
        {
            var reachable = model.Reachable(Starts(model, clients, intake, false));
            var shared = reachable.Where(s => model.SharedWithTeam?[s] == true).ToList();
            own.Add((shared, [.. reachable.Where(s => model.SharedWithTeam?[s] != true)]));
            foreach (var s in shared)
            {
                if (!inShared[s])
                {
                    inShared[s] = true;
                    sharedAll.Add(s);
                }
            }
        }

        long Work(int bins)
        {
            var work = team.RenewalWork(sharedAll, bins);
            for (var o = 0; o < owners.Count; o++)
            {
                work += owners[o].Model.RenewalWork(own[o].Own, bins) + ((long)owners[o].Clients.Count * bins / 2);
            }

            return work;
        }

        // The team's bins when it has a horizon (never more), else what the owners' shortest visits want.
        var wanted = teamPlan?.Bins ?? HorizonGrid.Wanted(_end - _now, owners.Select((o, i) => o.Model.ShortestMedianVisit(own[i].Own)).Where(v => v > 0).DefaultIfEmpty(0).Min());
        var grid = Grid(HorizonGrid.ForBudget(Work, wanted));
        var teamSolution = teamPlan?.Solution.Grid == grid ? teamPlan.Solution : new TransientSolution(grid, team.StageCount);
        teamSolution.Extend(team, sharedAll);
        // Each owner's recursion reads the team's solution and writes only its own: in parallel, then asked in order.
        var solutions = new TransientSolution[owners.Count];
        Parallelism.For(owners.Count, Parallelism.For(Work(grid.Bins), _degree), o =>
        {
            var solution = solutions[o] = new TransientSolution(grid, owners[o].Model.StageCount);
            foreach (var s in own[o].Shared)
            {
                solution.Link(teamSolution, s);
            }

            solution.Extend(owners[o].Model, own[o].Own);
        });
        var plans = new List<Plan>(owners.Count);
        for (var o = 0; o < owners.Count; o++)
        {
            var (model, clients, intake) = owners[o];
            plans.Add(Ask(new Plan(this, model, solutions[o], clients, intake)));
        }

        return plans;
    }

    /// <summary>Answers every client's chance; the plans' results are ready after this.</summary>
    public void Run()
    {
        _chances = new double[_slots];
        _visits.Run(_chances, _degree);
    }

    /// <summary>The stages a chain's paths start from: its clients' stages with a row, and the first open stage when intake or a target needs it.</summary>
    private List<int> Starts(ChainModel model, IReadOnlyList<ClientInWork> clients, double? intakePerDay, bool needsFirstStage)
    {
        var starts = clients.Select(c => c.Stage).Where(s => model.HasRow[s]).Distinct().ToList();
        if ((needsFirstStage || intakePerDay is > 0) && model.HasRow[_first])
        {
            starts.Add(_first);
        }

        return starts;
    }

    private HorizonGrid Grid(int bins)
    {
        if (!_grids.TryGetValue(bins, out var grid))
        {
            _grids[bins] = grid = new HorizonGrid(_end - _now, bins);
        }

        return grid;
    }

    /// <summary>Asks for the chance of each of the plan's clients in a stage with a row.</summary>
    private Plan Ask(Plan plan)
    {
        var grid = plan.Solution.Grid;
        var groups = new Dictionary<int, List<RemainingVisits.Query>>();
        for (var i = 0; i < plan.Clients.Count; i++)
        {
            var c = plan.Clients[i];
            if (!plan.Model.HasRow[c.Stage])
            {
                continue; // A stage without basis: no chance counted, as in the expected wins.
            }

            plan.Slots[i] = _slots;
            if (!groups.TryGetValue(c.Stage, out var group))
            {
                // Clients of several chains whose stage draws from the same durations (an owner's stage on the team's rates)
                // are answered in one pass.
                var durations = plan.Model.Durations[c.Stage];
                if (_shared.TryGetValue((grid.Bins, c.Stage), out var shared) && ReferenceEquals(shared.Durations, durations))
                {
                    group = shared.Queries;
                }
                else
                {
                    group = _visits.NewGroup(grid, durations);
                    _shared.TryAdd((grid.Bins, c.Stage), (durations, group));
                }

                groups[c.Stage] = group;
            }

            group.Add(new RemainingVisits.Query(_now - c.VisitStart, plan.Solution.Leave[c.Stage]!, plan.Solution.Enter[c.Stage]![grid.Bins], _slots++));
        }

        return plan;
    }

    /// <summary>One chain's horizon: its solution, its clients and where their chances are.</summary>
    internal sealed class Plan
    {
        private readonly HorizonForecaster _owner;

        public Plan(HorizonForecaster owner, ChainModel model, TransientSolution solution, IReadOnlyList<ClientInWork> clients, double? intakePerDay)
        {
            (_owner, Model, Solution, Clients, IntakePerDay) = (owner, model, solution, clients, intakePerDay);
            Slots = new int[clients.Count];
            Array.Fill(Slots, -1);
        }

        public ChainModel Model { get; }

        public TransientSolution Solution { get; }

        public IReadOnlyList<ClientInWork> Clients { get; }

        public double? IntakePerDay { get; }

        /// <summary>Per client, where its chance is; -1 for a client in a stage without basis (chance 0).</summary>
        public int[] Slots { get; }

        public int Bins => Solution.Grid.Bins;

        /// <summary>The bins its shortest visits wanted, before the budget (<see cref="HorizonGrid.Wanted"/>).</summary>
        public int Wanted { get; init; }

        /// <summary>Each client's chance of a win by the horizon, after <see cref="Run"/>.</summary>
        public double[] Chances() => [.. Slots.Select(s => s < 0 ? 0 : Math.Clamp(_owner._chances[s], 0, 1))];

        /// <summary>
        /// q: the chance that a client entering the first open stage at an instant uniform in [now, horizon) is won by the
        /// horizon. On the grid, an arrival with u bins left wins when its bins fit in floor(u): the mean of W_first(j)
        /// over j = 0..G-1. 0 when the first stage has no basis.
        /// </summary>
        public double FirstStageInTime()
        {
            if (Solution.Enter[_owner._first] is not { } enter)
            {
                return 0;
            }

            double sum = 0;
            for (var j = 0; j < Solution.Grid.Bins; j++)
            {
                sum += enter[j];
            }

            return Math.Clamp(sum / Solution.Grid.Bins, 0, 1);
        }

        public HorizonForecast Result()
        {
            var chances = Chances();
            var intakeMean = IntakePerDay is > 0 and var rate ? rate * ((double)(_owner._end - _owner._now) / TimeSpan.TicksPerDay) * FirstStageInTime() : 0;
            decimal value = 0;
            for (var i = 0; i < chances.Length; i++)
            {
                // The value as of the forecast's instant.
                if (Clients[i].Value is { } v && chances[i] > 0)
                {
                    value += v * (decimal)chances[i];
                }
            }

            var (p10, p50, p90) = WinCountDistribution.Percentiles(chances, intakeMean);
            return new HorizonForecast(new DateTimeOffset(_owner._end, TimeSpan.Zero), IntakePerDay, PipelineWins() + intakeMean, p10, p50, p90, value);
        }

        /// <summary>The expected wins by the horizon from the clients in work alone: the sum of their chances.</summary>
        public double PipelineWins()
        {
            double sum = 0;
            foreach (var slot in Slots)
            {
                sum += slot < 0 ? 0 : Math.Clamp(_owner._chances[slot], 0, 1);
            }

            return sum;
        }
    }
}

/// <summary>A client open at the forecast's instant: its index in the log, its stage, when its current visit began, its owner, its value then.</summary>
internal readonly record struct ClientInWork(int Client, int Stage, long VisitStart, int Owner, decimal? Value);
