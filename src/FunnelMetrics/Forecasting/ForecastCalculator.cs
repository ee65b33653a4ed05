using FunnelMetrics.Metrics;

namespace FunnelMetrics.Forecasting;

/// <summary>Computes <see cref="Forecast"/> and <see cref="Backtest"/>.</summary>
public static class ForecastCalculator
{
    /// <summary>The most forecasts one backtest makes.</summary>
    public const int MaxBacktestPoints = 1000;

    /// <summary>Forecasts the results of the clients in work as of an instant.</summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="asOf">The instant, inclusive: the history window ends here and the clients open here are forecast.</param>
    /// <param name="options">History window, minimum departures, intake (the options graph's <c>Forecast</c> section); <see langword="null"/> for the defaults.</param>
    /// <param name="horizonEnd">
    /// When set, also compute the wins by this instant (after <paramref name="asOf"/>), such as the end of the month: their
    /// expected number and value and their percentiles, from the same chain, computed on a grid of the span (see
    /// <see cref="HorizonForecast"/>), with no simulation.
    /// </param>
    /// <param name="targetWins">When set (0 or more, with a horizon), also compute the daily intake that reaches this many wins by the horizon.</param>
    /// <param name="filter">
    /// Which clients and owners; <see langword="null"/> for all. Client conditions (attributes as of <paramref name="asOf"/>)
    /// restrict both the history and the clients forecast; the owner condition restricts the clients forecast (owner as of the instant) and the departures used for
    /// rates (owner on each departure), with the whole team's rates as the fallback.
    /// </param>
    /// <returns>The forecast; without any basis, one that says so instead of numbers.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The horizon is not after <paramref name="asOf"/>, or the target is negative or given without a horizon.</exception>
    /// <exception cref="ArgumentException">An option is out of range; the message names it, such as <c>Forecast.HistoryWindow</c>.</exception>
    /// <remarks>
    /// A forecast at or after the log's last event (a warm read model's "now") keeps what it fitted (the chains of the
    /// window's departures and the clients in work) on <paramref name="log"/>, and a later call on the same log with the
    /// same window, minimum departures and filter uses it while no departure has left the window: the figures are those
    /// of a fresh computation. The log holds the last such fit (about 8 MB at a million transitions) as long as it is referenced.
    /// </remarks>
    public static Forecast Compute(FunnelEventLog log, DateTimeOffset asOf, ForecastOptions? options = null, DateTimeOffset? horizonEnd = null, int? targetWins = null, FunnelFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        return ComputeCore(log, asOf, ForecastOptions.Check(options, nameof(options)), horizonEnd, targetWins, filter, perOwner: true, Parallelism.DefaultDegree, reuse: true);
    }

    /// <summary>
    /// The chain model's win probability per open stage as of an instant, without the rest of the forecast: the
    /// <see cref="StageForecast.WinProbability"/> that <see cref="Compute"/> with the same arguments gives each stage
    /// (stages without basis left out). The input of <see cref="PipelineValueCalculator"/>'s chain-weighted pipeline.
    /// </summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="asOf">The instant, inclusive: the history window ends here.</param>
    /// <param name="options">The history window and minimum departures (the options graph's <c>Forecast</c> section); <see langword="null"/> for the defaults.</param>
    /// <param name="filter">Which clients and owners, as <see cref="Compute"/> reads it; <see langword="null"/> for all.</param>
    /// <returns>The probability of each open stage with a basis, by stage.</returns>
    /// <exception cref="ArgumentException">An option is out of range; the message names it, such as <c>Forecast.HistoryWindow</c>.</exception>
    public static IReadOnlyDictionary<StageId, double> WinProbabilities(FunnelEventLog log, DateTimeOffset asOf, ForecastOptions? options = null, FunnelFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        var settings = ForecastOptions.Check(options, nameof(options));
        filter ??= FunnelFilter.All;
        var (lo, hi) = ((asOf - settings.HistoryWindow).UtcTicks, asOf.UtcTicks);
        var clientMask = filter.ClientMask(log, hi);
        var ownerMask = filter.OwnerMask(log);
        var (team, subject, _) = ChainModel.Departures(log, lo, hi, clientMask, filter.Owners is null ? null : ownerMask, false, Parallelism.DefaultDegree);
        var pooled = new Lazy<long[]>(() => DepartureStats.SortedUnion(team));
        var model = ChainModel.Build(log.Pipeline, subject, team, filter.Owners is not null, settings.MinimumDepartures, pooled, budget: new IterationAllowance());
        var result = new Dictionary<StageId, double>();
        for (var s = 0; s < log.Pipeline.Stages.Count; s++)
        {
            if (s != log.Pipeline.WonStageIndex && model.Won[s] is { } p)
            {
                result.Add(log.Pipeline.Stages[s].Key, p);
            }
        }

        return result;
    }

    /// <summary>
    /// The forecast, its independent parts on up to <paramref name="degree"/> threads: the same whatever the degree. With
    /// <paramref name="reuse"/>, the fitted part may come from, and go to, the snapshot's kept fit
    /// (<see cref="ForecastFit"/>): the figures are the same either way; without, everything is fitted afresh and nothing
    /// is kept (the backtests, and the tests comparing degrees).
    /// </summary>
    internal static Forecast ComputeCore(FunnelEventLog log, DateTimeOffset asOf, ForecastOptions settings, DateTimeOffset? horizonEnd, int? targetWins, FunnelFilter? filter, bool perOwner, int degree, bool reuse = false)
    {
        filter ??= FunnelFilter.All;
        if (horizonEnd is { } end && end <= asOf)
        {
            throw new ArgumentOutOfRangeException(nameof(horizonEnd), end, $"The horizon must be after the forecast's instant {asOf:O}: a positive span.");
        }

        if (targetWins is { } target && (target < 0 || horizonEnd is null))
        {
            throw new ArgumentOutOfRangeException(nameof(targetWins), target, "The target number of wins must be 0 or more, and needs a horizon to be reached by.");
        }

        var lo = (asOf - settings.HistoryWindow).UtcTicks;
        var hi = asOf.UtcTicks;

        var byOwnerWanted = filter.Owners is null && perOwner;
        // The masks, the chains and the clients in work: the snapshot's kept fit when it is exactly this window's.
        var fit = ForecastFit.For(log, lo, hi, settings, filter, byOwnerWanted, degree, reuse);
        var (clientMask, ownerMask, model, clients) = (fit.ClientMask, fit.OwnerMask, fit.Model, fit.Clients);
        var historyFrom = asOf - settings.HistoryWindow;

        if (!model.AnyBasis)
        {
            var nothing = $"No visit of any stage ended in the history window [{historyFrom:O}, {asOf:O}] and no stage has a configured win probability: there is nothing to forecast from.";
            return new Forecast(log.Pipeline.Id, asOf, historyFrom, false,
                nothing,
                Stages(log, model, clients), clients.Count, clients.Count, null, null, null, null, [], [new ForecastLimitation(ForecastLimitationKind.NoBasis, nothing, clients: clients.Count)]);
        }

        var intake = settings.IncludeIntake ? IntakePerDay(log, lo, hi, clientMask, filter.Owners is null ? null : ownerMask) : (double?)null;
        var (expectedWins, expectedValue, withoutBasis) = Expected(model, clients);
        var limitations = new List<ForecastLimitation>();
        AddLimitations(limitations, log.Pipeline, model, clients, withoutBasis, settings.MinimumDepartures, null);

        var horizons = horizonEnd is { } h ? new HorizonForecaster(log, hi, h.UtcTicks, degree) : null;
        HorizonForecaster.Plan? plan = null;
        if (horizons is not null)
        {
            if (model.HasTiming)
            {
                plan = horizons.Add(model, clients, intake, targetWins is not null);
                if (plan.Bins < plan.Wanted)
                {
                    limitations.Add(new ForecastLimitation(ForecastLimitationKind.CoarseHorizonGrid, $"The chain is large, so wins by the horizon are counted on {plan.Bins} bins of {TimeSpan.FromTicks((horizonEnd!.Value - asOf).Ticks / plan.Bins)} instead of {plan.Wanted}: each visit counts as lasting a whole number of bins, rounded up."));
                }
            }
            else
            {
                limitations.Add(Untimed(log.Pipeline, model, null));
            }
        }

        // The reason speaks for the forecast itself; the owners' limitations follow it in the list only.
        var reason = limitations.Count == 0 ? null : string.Join(' ', limitations.Select(l => l.Message));

        var owners = new List<(int Owner, ChainModel Model, List<ClientInWork> Clients, double? Intake)>(fit.Owners.Count);
        if (byOwnerWanted)
        {
            var entries = settings.IncludeIntake ? IntakeByOwner(log, lo, hi, clientMask) : null;
            foreach (var (owner, ownerModel, ownerClients) in fit.Owners)
            {
                owners.Add((owner, ownerModel, ownerClients, entries?[owner]));
            }
        }

        var timedOwners = owners.Where(o => o.Model.HasTiming).ToList();
        var ownerPlans = horizons is null || timedOwners.Count == 0
            ? []
            : horizons.AddOwners(model, plan, [.. timedOwners.Select(o => (o.Model, (IReadOnlyList<ClientInWork>)o.Clients, o.Intake))]);
        horizons?.Run();
        var horizon = plan?.Result();
        var goal = plan is not null && targetWins is { } wanted ? Goal(model, plan, wanted, hi, horizonEnd!.Value.UtcTicks, log.Pipeline.FirstOpenStageIndex) : null;

        var byOwner = new List<OwnerForecast>(owners.Count);
        var stageFigures = new StageForecast?[log.Pipeline.Stages.Count];
        foreach (var (owner, ownerModel, ownerClients, _) in owners)
        {
            var (ownerWins, ownerValue, ownerWithoutBasis) = Expected(ownerModel, ownerClients);
            var ownerHasNone = ownerWithoutBasis == ownerClients.Count;
            var timed = timedOwners.FindIndex(o => o.Owner == owner);
            var ownerHorizon = timed >= 0 && ownerPlans.Count > 0 ? ownerPlans[timed].Result() : null;
            byOwner.Add(new OwnerForecast(log.OwnerAt(owner), Stages(log, ownerModel, ownerClients, stageFigures), ownerClients.Count, ownerWithoutBasis, ownerHasNone ? null : ownerWins, ownerHasNone ? null : ownerValue, ownerHorizon));
            AddLimitations(limitations, log.Pipeline, ownerModel, ownerClients, ownerWithoutBasis, settings.MinimumDepartures, log.OwnerAt(owner));
            if (horizons is not null && !ownerModel.HasTiming)
            {
                limitations.Add(Untimed(log.Pipeline, ownerModel, log.OwnerAt(owner)));
            }
        }

        var allWithoutBasis = clients.Count > 0 && withoutBasis == clients.Count;
        return new Forecast(log.Pipeline.Id, asOf, historyFrom, true, reason, Stages(log, model, clients), clients.Count, withoutBasis, allWithoutBasis ? null : expectedWins, allWithoutBasis ? null : expectedValue, horizon, goal, byOwner, limitations);
    }

    /// <summary>
    /// What limits one chain's forecast of its clients, in the order the reason names them (the horizon's apart): clients
    /// without basis, sparse stages, loops left approximate, clients whose fate is partly unknown.
    /// </summary>
    /// <param name="into">The list to add to.</param>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="model">The chain: the forecast's own or an owner's.</param>
    /// <param name="clients">Its clients in work.</param>
    /// <param name="withoutBasis">How many of them are in a stage without basis.</param>
    /// <param name="minimumDepartures">The departures a stage needs for its own rates.</param>
    /// <param name="owner">The owner of an owner's chain in <see cref="Forecast.ByOwner"/>; null for the forecast itself.</param>
    private static void AddLimitations(List<ForecastLimitation> into, PipelineDefinition pipeline, ChainModel model, List<ClientInWork> clients, int withoutBasis, int minimumDepartures, OwnerId? owner)
    {
        if (withoutBasis > 0)
        {
            var stages = StagesHolding(pipeline, clients, s => model.Won[s] is null || model.Basis[s] == StageBasis.None);
            into.Add(new ForecastLimitation(ForecastLimitationKind.ClientsWithoutBasis, $"{withoutBasis} client(s) in work are in stages with no basis and count in no expected figure.", stages, withoutBasis, owner));
        }

        var sparse = Enumerable.Range(0, model.Basis.Length).Where(s => model.Basis[s] == StageBasis.SparseHistory).Select(s => pipeline.Stages[s].Key).ToList();
        if (sparse.Count > 0)
        {
            into.Add(new ForecastLimitation(ForecastLimitationKind.SparseHistory, $"Stage(s) {TextRules.Some([.. sparse.Select(k => k.Value)])} had fewer than {minimumDepartures} departures in the window and no configured win probability: their rates rest on the few there were.", sparse, null, owner));
        }

        if (model.ApproximatedStages > 0)
        {
            into.Add(new ForecastLimitation(ForecastLimitationKind.ApproximatedLoops, $"{model.ApproximatedStages} stage(s) form loops of more than {ChainModel.DenseLimit} stages that iteration did not settle within its budget: their chances are approximate, and low.", [.. model.Approximated.Order().Select(s => pipeline.Stages[s].Key)], null, owner));
        }

        var uncertain = clients.Count(c => model.UnknownProbability[c.Stage] is > 1e-9);
        if (uncertain > 0)
        {
            var stages = StagesHolding(pipeline, clients, s => model.UnknownProbability[s] is > 1e-9);
            into.Add(new ForecastLimitation(ForecastLimitationKind.UnknownFate, $"{uncertain} client(s) in work may reach a stage with no basis (or a loop no departure leaves); that share of their fate is unknown and counts as not won.", stages, uncertain, owner));
        }
    }

    /// <summary>The horizon cannot be timed: the stages with rates but no durations.</summary>
    private static ForecastLimitation Untimed(PipelineDefinition pipeline, ChainModel model, OwnerId? owner) =>
        new(ForecastLimitationKind.HorizonNotTimed,
            "No visit durations are known for some stage, so wins by the horizon cannot be timed.",
            [.. Enumerable.Range(0, model.StageCount).Where(s => model.HasRow[s] && model.Durations[s].Length == 0).Select(s => pipeline.Stages[s].Key)],
            null,
            owner);

    /// <summary>The stages, in pipeline order, that hold a client in work and match <paramref name="match"/>.</summary>
    private static StageId[] StagesHolding(PipelineDefinition pipeline, List<ClientInWork> clients, Func<int, bool> match)
    {
        var held = new bool[pipeline.Stages.Count];
        foreach (var client in clients)
        {
            held[client.Stage] = true;
        }

        return [.. Enumerable.Range(0, held.Length).Where(s => held[s] && match(s)).Select(s => pipeline.Stages[s].Key)];
    }

    /// <summary>
    /// Makes a forecast at each of several past instants, using only the history up to each, and compares its wins by
    /// <c>instant + horizon</c> with the wins that really followed. The instants are <paramref name="instants"/>' start,
    /// then every <paramref name="step"/> after it while before the window's end: [start, end) as every window.
    /// </summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="instants">The window the forecasts are made in, [start, end), not empty: the first at its start, none at or after its end.</param>
    /// <param name="step">The spacing of the instants, positive.</param>
    /// <param name="horizon">Each forecast's span, positive.</param>
    /// <param name="options">The forecast options (the options graph's <c>Forecast</c> section); <see langword="null"/> for the defaults.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all.</param>
    /// <returns>The points and their error.</returns>
    /// <exception cref="ArgumentException">The window is empty, the step or horizon is not positive, the step makes more than <see cref="MaxBacktestPoints"/> forecasts, or an option is out of range.</exception>
    public static Backtest Backtest(FunnelEventLog log, TimeWindow instants, TimeSpan step, TimeSpan horizon, ForecastOptions? options = null, FunnelFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        var settings = ForecastOptions.Check(options, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(step, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(horizon, TimeSpan.Zero);
        if (instants.IsEmpty)
        {
            throw new ArgumentException($"The backtest's window {instants} is empty: it holds no instant to forecast from.", nameof(instants));
        }

        if ((instants.Duration.Ticks - 1) / step.Ticks >= MaxBacktestPoints)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, $"The backtest over {instants} every {step} would make more than {MaxBacktestPoints} forecasts; use a longer step.");
        }

        var spans = new List<(DateTimeOffset, DateTimeOffset)>();
        for (var at = instants.Start; at < instants.End; at += step)
        {
            spans.Add((at, at + horizon));
        }

        return BacktestOf(log, spans, settings, filter);
    }

    /// <summary>
    /// The forecast against actuals, month by month: a forecast made at the start of each month of
    /// <paramref name="timeZoneId"/> (its first local midnight, <see cref="TimeZoneDays"/>) for the wins by the month's
    /// end (the next month's start), against the wins that followed in the month. Each point is exactly what
    /// <see cref="Compute"/> predicts at the month's start with the month's end as the horizon, from the history up to that
    /// instant only; months have their own lengths, which a fixed step of <see cref="Backtest(FunnelEventLog, TimeWindow, TimeSpan, TimeSpan, ForecastOptions?, FunnelFilter?)"/> cannot follow.
    /// </summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="firstMonth">The first month: the month holding this date (any day of it).</param>
    /// <param name="lastMonth">The last month, inclusive: the month holding this date; not before <paramref name="firstMonth"/>. A month not over in the log counts the wins recorded so far.</param>
    /// <param name="timeZoneId">The IANA time zone whose local midnights start the months.</param>
    /// <param name="options">The forecast options (the options graph's <c>Forecast</c> section); <see langword="null"/> for the defaults.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all.</param>
    /// <returns>One point per month with a basis and timing, in order, and their error; as <see cref="Backtest(FunnelEventLog, TimeWindow, TimeSpan, TimeSpan, ForecastOptions?, FunnelFilter?)"/>.</returns>
    /// <exception cref="ArgumentException">The last month is before the first, the months are more than <see cref="MaxBacktestPoints"/>, the time zone is unknown, or an option is out of range.</exception>
    public static Backtest MonthlyBacktest(FunnelEventLog log, DateOnly firstMonth, DateOnly lastMonth, string timeZoneId, ForecastOptions? options = null, FunnelFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        var settings = ForecastOptions.Check(options, nameof(options));
        var zone = TimeZones.Find(timeZoneId, nameof(timeZoneId));
        var (first, last) = (new DateOnly(firstMonth.Year, firstMonth.Month, 1), new DateOnly(lastMonth.Year, lastMonth.Month, 1));
        if (last < first)
        {
            throw new ArgumentOutOfRangeException(nameof(lastMonth), lastMonth, $"The last month {last:yyyy-MM} is before the first, {first:yyyy-MM}.");
        }

        var count = ((last.Year - first.Year) * 12) + last.Month - first.Month + 1;
        if (count > MaxBacktestPoints || last.Year == DateOnly.MaxValue.Year && last.Month == 12)
        {
            throw new ArgumentOutOfRangeException(nameof(lastMonth), lastMonth, $"The months {first:yyyy-MM} to {last:yyyy-MM} are more than {MaxBacktestPoints} forecasts, or end at the last representable month.");
        }

        var spans = new List<(DateTimeOffset, DateTimeOffset)>(count);
        for (var month = first; month <= last; month = month.AddMonths(1))
        {
            spans.Add((TimeZoneDays.StartOfDay(month, zone), TimeZoneDays.StartOfDay(month.AddMonths(1), zone)));
        }

        return BacktestOf(log, spans, settings, filter);
    }

    /// <summary>A forecast made at each span's start for the wins by its end, against the wins that followed.</summary>
    private static Backtest BacktestOf(FunnelEventLog log, List<(DateTimeOffset MadeAt, DateTimeOffset HorizonEnd)> spans, ForecastOptions settings, FunnelFilter? filter)
    {
        filter ??= FunnelFilter.All;
        var ownerMask = filter.OwnerMask(log);
        var points = new List<BacktestPoint>();
        var skipped = 0;
        foreach (var (at, end) in spans)
        {
            var forecast = ComputeCore(log, at, settings, end, null, filter, perOwner: false, Parallelism.DefaultDegree);
            if (forecast.Horizon is not { } h)
            {
                skipped++;
                continue;
            }

            // The wins counted are those of the clients the forecast was about: the filter's, as of the forecast's instant.
            var actual = ActualWins(log, at.UtcTicks, end.UtcTicks, filter.ClientMask(log, at.UtcTicks), ownerMask, settings.IncludeIntake);
            points.Add(new BacktestPoint(at, end, h.ExpectedWins, h.P10, h.P90, actual, h.ExpectedWins - actual));
        }

        return points.Count == 0
            ? new Backtest(points, skipped, null, null, null)
            : new Backtest(points, skipped, points.Average(p => Math.Abs(p.Error)), points.Average(p => p.Error), points.Count(p => p.Actual >= p.P10 && p.Actual <= p.P90) / (double)points.Count);
    }

    private static (double Wins, decimal Value, int WithoutBasis) Expected(ChainModel model, List<ClientInWork> clients)
    {
        double wins = 0;
        decimal value = 0;
        var withoutBasis = 0;
        foreach (var (_, stage, _, _, clientValue) in clients)
        {
            if (model.Won[stage] is not { } p || model.Basis[stage] == StageBasis.None)
            {
                withoutBasis++;
                continue;
            }

            wins += p;
            value += (clientValue ?? 0) * (decimal)p;
        }

        return (wins, value, withoutBasis);
    }

    /// <param name="log">The log.</param>
    /// <param name="model">The chain.</param>
    /// <param name="clients">Its clients in work.</param>
    /// <param name="reuse">
    /// Per stage, the last figures made, shared by the team's and the owners' stages of one forecast: figures equal to
    /// them (an owner's stage on the team's rates with none of its clients there) reuse the same record.
    /// </param>
    private static List<StageForecast> Stages(FunnelEventLog log, ChainModel model, List<ClientInWork> clients, StageForecast?[]? reuse = null)
    {
        var pipeline = log.Pipeline;
        var won = pipeline.WonStageIndex;
        var stages = new List<StageForecast>(pipeline.Stages.Count);
        var perStage = new int[pipeline.Stages.Count];
        foreach (var c in clients)
        {
            perStage[c.Stage]++;
        }

        for (var s = 0; s < pipeline.Stages.Count; s++)
        {
            if (s == won)
            {
                continue;
            }

            var stats = model.Stats[s];
            var count = stats.Count;
            var shares = stats.Shares(s, won, pipeline.Stages.Count);
            double? Share(int part) => count == 0 ? null : (double)part / count;
            var inStage = perStage[s];
            var stage = new StageForecast(
                pipeline.Stages[s].Key,
                model.Basis[s],
                count,
                Share(shares.Next),
                Share(shares.Later),
                Share(shares.Earlier),
                Share(shares.Won),
                Share(shares.Lost),
                stats.Summary,
                model.Won[s],
                model.LostProbability[s],
                model.UnknownProbability[s],
                model.ExpectedDays[s],
                inStage,
                model.Won[s] is { } p ? inStage * p : null);
            if (reuse is not null)
            {
                if (reuse[s] is { } same && same == stage)
                {
                    stage = same;
                }

                reuse[s] = stage;
            }

            stages.Add(stage);
        }

        return stages;
    }

    /// <summary>First entries into the first open stage per day, over the part of the window the history covers.</summary>
    private static double IntakePerDay(FunnelEventLog log, long lo, long hi, bool[] clientMask, bool[]? ownerMask)
    {
        var perOwner = Entries(log, lo, hi, clientMask);
        var entries = 0;
        for (var o = 0; o < perOwner.Length; o++)
        {
            entries += ownerMask is null || ownerMask[o] ? perOwner[o] : 0;
        }

        return entries * PerDay(log, lo, hi);
    }

    /// <summary><see cref="IntakePerDay"/> for every owner (by the owner on the entry) in one pass.</summary>
    private static double[] IntakeByOwner(FunnelEventLog log, long lo, long hi, bool[] clientMask)
    {
        var perDay = PerDay(log, lo, hi);
        return [.. Entries(log, lo, hi, clientMask).Select(n => n * perDay)];
    }

    private static int[] Entries(FunnelEventLog log, long lo, long hi, bool[] clientMask)
    {
        var first = log.Pipeline.FirstOpenStageIndex;
        var entries = new int[log.OwnerCount];
        for (var c = 0; c < clientMask.Length; c++)
        {
            if (!clientMask[c])
            {
                continue;
            }

            // A client enters once: its entry, if in [lo, hi] and into the first open stage.
            var history = log.History(c);
            if (history.FirstEntryTicks is var t && t >= lo && t <= hi && history.Entry() is var e && history.Stage(e) == first)
            {
                entries[history.Owner(e)]++;
            }
        }

        return entries;
    }

    /// <summary>1 / the days of [lo, hi] the history covers: a young pipeline's history starts after the window's start.</summary>
    private static double PerDay(FunnelEventLog log, long lo, long hi)
    {
        var start = Math.Max(lo, log.FirstEventAt?.UtcTicks ?? hi);
        return hi > start ? TimeSpan.TicksPerDay / (double)(hi - start) : 0;
    }

    /// <summary>The intake a target needs: at current conversion, and counting only new clients won in time (q from the grid).</summary>
    private static IntakeForTarget Goal(ChainModel model, HorizonForecaster.Plan plan, int target, long now, long end, int first)
    {
        var days = (double)(end - now) / TimeSpan.TicksPerDay;
        var pipelineMean = plan.PipelineWins();
        var shortfall = Math.Max(0, target - pipelineMean);
        var pFirst = model.Won[first];
        var inTime = plan.FirstStageInTime();
        double? steady = shortfall == 0 ? 0 : pFirst is > 0 and var p ? shortfall / (days * p) : null;
        double? within = shortfall == 0 ? 0 : inTime > 0 ? shortfall / (days * inTime) : null;
        return new IntakeForTarget(target, pipelineMean, pFirst, steady, within);
    }

    /// <summary>Whether the client's first entry was into the first open stage, by an owner the filter keeps: what intake simulates.</summary>
    private static bool EntersFirstStage(FunnelEventLog.ClientHistory history, int first, bool[] ownerMask) =>
        history.Entry() is >= 0 and var e && history.Stage(e) == first && ownerMask[history.Owner(e)];

    private static int ActualWins(FunnelEventLog log, long at, long end, bool[] clientMask, bool[] ownerMask, bool includeNew)
    {
        var wins = 0;
        var first = log.Pipeline.FirstOpenStageIndex;
        for (var c = 0; c < clientMask.Length; c++)
        {
            if (!clientMask[c])
            {
                continue;
            }

            var history = log.History(c);
            var last = history.LastAtOrBefore(at);
            var openThen = last >= 0 && history.Status(last) == ClientStatus.Open && ownerMask[history.Owner(last)];
            var newLater = includeNew && history.FirstEntryTicks > at && history.FirstEntryTicks <= end && EntersFirstStage(history, first, ownerMask);
            if (!openThen && !newLater)
            {
                continue;
            }

            for (var i = last + 1; i < history.Count && history.Ticks(i) <= end; i++)
            {
                if (history.Kind(i) == EventKind.Won && history.Ticks(i) > at)
                {
                    wins++;
                    break;
                }
            }
        }

        return wins;
    }
}
