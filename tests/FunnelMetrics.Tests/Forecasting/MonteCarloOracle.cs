using FunnelMetrics.Tests.Support;

namespace FunnelMetrics.Tests.Forecasting;

/// <summary>
/// An independent reference for wins by a horizon, the way the library computed them before it became analytic: the
/// chain re-estimated from the events with <see cref="ClientState"/> (every stage with a departure uses its own rates,
/// a stage without one its configured probability and every departure's duration, else it has no basis), then each
/// client's future walked step by step with its own random stream. Each path's win is counted twice: by its true
/// instant, and by the horizon's grid of G bins (each visit's remaining time rounded up to whole bins of H / G, at
/// least one), which is what the library computes exactly.
/// </summary>
internal sealed class MonteCarloOracle
{
    private const int MaxSteps = 100_000;
    private readonly int _won;
    private readonly double[]?[] _rows; // per open stage: outcome probabilities over stages, then lost
    private readonly long[][] _durations;
    private readonly List<(int Stage, long Age)> _inWork = [];
    private readonly int _first;

    private MonteCarloOracle(RecordedHistory h, TimeSpan window)
    {
        var pipeline = h.Pipeline;
        var n = pipeline.Stages.Count;
        _won = pipeline.WonStageIndex;
        _first = _won == 0 ? 1 : 0;
        var counts = new int[n, n + 1];
        var totals = new int[n];
        var durations = Enumerable.Range(0, n).Select(_ => new List<long>()).ToArray();
        var lo = h.AsOf - window;
        foreach (var client in h.Clients)
        {
            var state = ClientState.Initial(client);
            foreach (var e in h.Events.Where(e => e.ClientId == client.Id && e.OccurredAt <= h.AsOf).OrderBy(e => e.Sequence))
            {
                if (e is StageTransition t && state.Status == ClientStatus.Open && e.OccurredAt >= lo)
                {
                    var from = pipeline.IndexOf(state.Stage!.Value);
                    counts[from, t.Kind == TransitionKind.Lost ? n : pipeline.IndexOf(t.ToStage!.Value)]++;
                    totals[from]++;
                    durations[from].Add((e.OccurredAt - state.StageEnteredAt!.Value).Ticks);
                }

                state = state.Apply(e);
            }

            if (state.Status == ClientStatus.Open)
            {
                _inWork.Add((pipeline.IndexOf(state.Stage!.Value), (h.AsOf - state.StageEnteredAt!.Value).Ticks));
            }
        }

        var pooled = durations.SelectMany(d => d).Order().ToArray();
        _rows = new double[n][];
        _durations = new long[n][];
        for (var s = 0; s < n; s++)
        {
            _durations[s] = [];
            if (s == _won)
            {
                continue;
            }

            if (totals[s] > 0)
            {
                _rows[s] = [.. Enumerable.Range(0, n + 1).Select(k => (double)counts[s, k] / totals[s])];
                _durations[s] = [.. durations[s].Order()];
            }
            else if (pipeline.Stages[s].WinProbability is { } p)
            {
                _rows[s] = new double[n + 1];
                _rows[s]![_won] = p;
                _rows[s]![n] = 1 - p;
                _durations[s] = pooled;
            }
        }
    }

    /// <summary>Whether every stage with rates has durations: without, the library gives no horizon.</summary>
    public bool HasTiming => Enumerable.Range(0, _rows.Length).All(s => _rows[s] is null || _durations[s].Length > 0);

    public static MonteCarloOracle Estimate(RecordedHistory h, TimeSpan window) => new(h, window);

    /// <summary>
    /// The bins the documented rule asks for over a span: a bin at most a quarter of the shortest median non-zero visit
    /// among the stages the paths can reach (from the clients' stages, and the first open stage with intake), as a power
    /// of two from 512 to 4,096. (These chains are far too small for the work budget to take bins away.)
    /// </summary>
    public int Bins(long span, bool intake)
    {
        var seen = new HashSet<int>();
        var pending = new Stack<int>(_inWork.Select(c => c.Stage).Append(intake ? _first : -1).Where(s => s >= 0 && _rows[s] is not null));
        while (pending.TryPop(out var s))
        {
            if (seen.Add(s))
            {
                for (var k = 0; k < _rows.Length; k++)
                {
                    if (k != _won && _rows[s]![k] > 0 && _rows[k] is not null)
                    {
                        pending.Push(k);
                    }
                }
            }
        }

        var medians = seen.Select(s => _durations[s].Where(d => d > 0).ToArray()).Where(d => d.Length > 0).Select(d => d[(d.Length - 1) / 2]).ToList();
        var shortest = medians.Count == 0 ? 0 : medians.Min();
        var bins = 512;
        while (bins < 4096 && shortest > 0 && span / bins > shortest / 4)
        {
            bins *= 2;
        }

        return bins;
    }

    /// <summary>The mean wins by <paramref name="span"/> ticks after the instant, over the runs, by the true instant and on the grid; and the variance of the grid count over runs.</summary>
    public (double True, double OnGrid, double GridVariance) Wins(long span, int bins, int runs, int seed, double intakePerDay)
    {
        double total = 0, onGrid = 0, squares = 0;
        var random = new Random(seed);
        for (var r = 0; r < runs; r++)
        {
            int trueWins = 0, gridWins = 0;
            foreach (var (stage, age) in _inWork)
            {
                if (_rows[stage] is null)
                {
                    continue;
                }

                var (won, at, used) = Walk(stage, age, span, bins, random);
                trueWins += won && at <= span ? 1 : 0;
                gridWins += won && used <= bins ? 1 : 0;
            }

            if (intakePerDay > 0 && _rows[_first] is not null)
            {
                // Poisson arrivals over [0, span): exponential gaps.
                var perTick = intakePerDay / TimeSpan.TicksPerDay;
                for (var t = -Math.Log(1 - random.NextDouble()) / perTick; t < span; t += -Math.Log(1 - random.NextDouble()) / perTick)
                {
                    var arrival = (long)Math.Floor(t);
                    var left = span - arrival;
                    var (won, at, used) = Walk(_first, 0, left, bins, random, span);
                    trueWins += won && at <= left ? 1 : 0;
                    // An arrival with u = left G / H bins left wins when its bins fit in floor(u).
                    gridWins += won && used <= (long)((Int128)left * bins / span) ? 1 : 0;
                }
            }

            total += trueWins;
            onGrid += gridWins;
            squares += (double)gridWins * gridWins;
        }

        var mean = onGrid / runs;
        return (total / runs, mean, (squares / runs) - (mean * mean));
    }

    /// <summary>
    /// One path from a stage with an age (the old simulation, without its horizon cut): each visit's length drawn from
    /// the stage's durations at least the age (all of them for a new visit; the age plus any when none is), then the
    /// outcome from the row. Returns whether it is won, when (ticks from the start), and the bins of the grid over
    /// <paramref name="gridSpan"/> it used.
    /// </summary>
    private (bool Won, long At, long Bins) Walk(int stage, long age, long limit, int bins, Random random, long gridSpan = 0)
    {
        gridSpan = gridSpan == 0 ? limit : gridSpan;
        long t = 0, used = 0;
        var s = stage;
        for (var step = 0; step < MaxSteps && t <= limit; step++)
        {
            var durations = _durations[s];
            if (_rows[s] is not { } row)
            {
                return (false, t, used);
            }

            var first = Array.FindIndex(durations, d => d >= age);
            var d = first >= 0 ? durations[first + random.Next(durations.Length - first)] : age + durations[random.Next(durations.Length)];
            var rest = d - age;
            t += rest;
            used += Math.Max(1, (long)(((Int128)rest * bins + gridSpan - 1) / gridSpan));
            var u = random.NextDouble();
            var outcome = row.Length - 1;
            for (var k = 0; k < row.Length; k++)
            {
                u -= row[k];
                if (u < 0)
                {
                    outcome = k;
                    break;
                }
            }

            if (outcome == _won)
            {
                return (true, t, used);
            }

            if (outcome == row.Length - 1 || _rows[outcome] is null)
            {
                return (false, t, used); // lost, or a stage without basis: unknown
            }

            (s, age) = (outcome, 0);
        }

        return (false, t, used);
    }
}
