extern alias baseline;

using B = baseline::FunnelMetrics;
using BF = baseline::FunnelMetrics.Forecasting;
using BM = baseline::FunnelMetrics.Metrics;
using BS = baseline::FunnelMetrics.Storage;

namespace FunnelMetrics.Benchmarks.Compare;

/// <summary>
/// The library as of the baseline commit (<c>FunnelMetrics.Baseline</c>, extern alias <c>baseline</c>), over the
/// generated history mapped to its types. Written against the 0.1 API (the default baseline, 2f25a5a); compiled when
/// <c>BaselineApi</c> is 0.1. A baseline with the 0.2 API (7524743, release 0.2.0, and later) uses Before02.cs instead;
/// a baseline with yet another API needs a side of its own, the after side does not.
/// </summary>
public sealed class BeforeSide : ISide
{
    private readonly B.PipelineDefinition _pipeline;
    private readonly B.Client[] _clients;
    private readonly B.ClientEvent[] _events;
    private readonly B.ClientEvent[] _month;
    private readonly BM.FunnelEventLog _log;
    private readonly BM.StallSettings _stalls;
    private BM.FunnelLiveView _view = null!;
    private BM.FunnelAnalytics? _analytics;

    /// <summary>Maps the history to the baseline's types and builds its log.</summary>
    public BeforeSide(History history)
    {
        ArgumentNullException.ThrowIfNull(history);
        _pipeline = Map(HistoryGenerator.Pipeline);
        (_clients, _events) = new Mapper(_pipeline).Map(history);
        _month = [.. history.Month.Select(i => _events[i])];
        _log = BM.FunnelEventLog.Build(_pipeline, _clients, _events);
        _stalls = new BM.StallSettings { StageThresholds = _pipeline.Stages.ToDictionary(s => s.Key, s => Windows.Threshold(s.Key.Value, s.StallThreshold)) };
    }

    /// <summary>The API this side is written against (the csproj's BaselineApi).</summary>
    public const string Api = "0.1";

    /// <summary>The baseline commit the library was built from.</summary>
    public static string Commit => typeof(B.PipelineDefinition).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
        .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "BaselineCommit")?.Value ?? "?";

    /// <inheritdoc/>
    public object BuildLog() => BM.FunnelEventLog.Build(_pipeline, _clients, _events);

    /// <inheritdoc/>
    public object StageCounts() => BM.StageCountsCalculator.Compute(_log, Windows.AsOf);

    /// <inheritdoc/>
    public object TimeInStage() => BM.TimeInStageCalculator.Compute(_log, Windows.AsOf);

    /// <inheritdoc/>
    public object Conversion() => BM.ConversionCalculator.Compute(_log, Windows.QuarterStart, Windows.AsOf);

    /// <inheritdoc/>
    public object Velocity() => BM.VelocityCalculator.Compute(_log, Windows.QuarterStart, Windows.AsOf);

    /// <inheritdoc/>
    public object StalledClients() => BM.StallCalculator.Compute(_log, Windows.AsOf, _stalls);

    /// <inheritdoc/>
    public object StuckStages() => BM.StuckStagesCalculator.Compute(_log, Windows.AsOf, Windows.StuckPeriod);

    /// <inheritdoc/>
    public object FlowLedger() => BM.FlowLedgerCalculator.Compute(_log, Windows.LedgerFirst, Windows.LedgerLast, "UTC");

    /// <inheritdoc/>
    public object OwnerBreakdown() => BM.FunnelBreakdowns.ByOwner(_log, f => BM.StageCountsCalculator.Compute(_log, Windows.AsOf, f));

    /// <inheritdoc/>
    public object Forecast() => BF.ForecastCalculator.Compute(_log, Windows.AsOf, horizonEnd: Windows.HorizonEnd);

    /// <inheritdoc/>
    public void FreshLiveView() => _view = BM.FunnelLiveView.Create(_log, Windows.MonthStart, _stalls);

    /// <inheritdoc/>
    public long ApplyMonth()
    {
        var view = _view;
        foreach (var e in _month)
        {
            view.Apply(e);
        }

        return view.EventsApplied;
    }

    /// <inheritdoc/>
    public void FillStore()
    {
        var store = new BS.InMemoryFunnelStore();
        store.Pipelines.AddAsync(_pipeline).GetAwaiter().GetResult();
        var start = 0;
        foreach (var client in _clients)
        {
            store.Clients.AddAsync(client).GetAwaiter().GetResult();
            var end = start;
            while (end < _events.Length && _events[end].ClientId == client.Id)
            {
                end++;
            }

            store.Events.AppendAsync(client.Id, 0, new ArraySegment<B.ClientEvent>(_events, start, end - start)).GetAwaiter().GetResult();
            start = end;
        }

        _analytics = new BM.FunnelAnalytics(store.Pipelines, store.Clients, store.Events, new FixedClock(HistoryGenerator.End), Microsoft.Extensions.Options.Options.Create(new B.FunnelMetricsOptions()));
    }

    /// <inheritdoc/>
    public object AnalyticsStageCounts() => _analytics!.GetStageCountsAsync(_pipeline.Id, Windows.AsOf).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public Figures Figures()
    {
        var f = new Figures();
        var log = (BM.FunnelEventLog)BuildLog();
        f.Add("log.events", log.EventCount);
        f.Add("log.clients", log.Clients.Count);

        AddStageCounts(f, "stageCounts", (BM.StageCounts)StageCounts());

        foreach (var s in ((BM.TimeInStage)TimeInStage()).Stages)
        {
            var key = $"timeInStage.{s.Stage.Value}";
            f.Add($"{key}.completed", s.Completed.Count);
            f.Add($"{key}.completedMedian", s.Completed.Median);
            f.Add($"{key}.completedP90", s.Completed.P90);
            f.Add($"{key}.openVisits", s.OpenVisits);
            f.Add($"{key}.median", s.Median.Value ?? s.Median.MoreThan);
            f.Add($"{key}.perClientMedian", s.PerClient.Median);
        }

        var conversion = (BM.Conversion)Conversion();
        f.Add("conversion.firstStageCohort", conversion.FirstStageCohort);
        f.Add("conversion.wonFromFirstStage", conversion.WonFromFirstStage);
        foreach (var s in conversion.Stages)
        {
            var key = $"conversion.{s.Stage.Value}";
            f.Add($"{key}.cohort", s.Cohort);
            f.Add($"{key}.advanced", s.Advanced);
            f.Add($"{key}.advancedLate", s.AdvancedLate);
            f.Add($"{key}.lost", s.Lost);
            f.Add($"{key}.remaining", s.Remaining);
            f.Add($"{key}.reachedFromFirstStage", s.ReachedFromFirstStage);
        }

        AddVelocity(f, "velocity", (BM.Velocity)Velocity());

        var stalled = (BM.StalledClients)StalledClients();
        f.Add("stalled.clients", stalled.Clients.Count);
        f.Add("stalled.firstOverdue", stalled.Clients.Count > 0 ? stalled.Clients[0].Overdue : null);
        foreach (var s in stalled.ByStage)
        {
            f.Add($"stalled.{s.Stage.Value}.clients", s.Clients);
            f.Add($"stalled.{s.Stage.Value}.stalled", s.Stalled);
        }

        f.Add("stalled.owners", stalled.ByOwner.Count);

        var stuck = (BM.StuckStages)StuckStages();
        foreach (var s in stuck.Stages)
        {
            var key = $"stuckStages.{s.Stage.Value}";
            f.Add($"{key}.rank", s.Rank);
            f.Add($"{key}.score", s.Score);
            f.Add($"{key}.clients", s.Current.Clients);
            f.Add($"{key}.stalled", s.Current.Stalled);
        }

        f.Add("stuckStages.owners", stuck.ByOwner.Count);

        var ledger = (BM.FlowLedger)FlowLedger();
        f.Add("flowLedger.days", ledger.Days.Count);
        foreach (var d in ledger.Days)
        {
            var key = $"flowLedger.{d.Day:yyyy-MM-dd}";
            f.Add($"{key}.new", d.Totals.New);
            f.Add($"{key}.forwardMoves", d.Totals.ForwardMoves);
            f.Add($"{key}.regressions", d.Totals.Regressions);
            f.Add($"{key}.wins", d.Totals.Wins);
            f.Add($"{key}.losses", d.Totals.Losses);
            f.Add($"{key}.activities", d.Totals.Activities);
            f.Add($"{key}.inWorkAtEnd", d.Totals.InWorkAtEnd);
            f.Add($"{key}.owners", d.ByOwner.Count);
        }

        var byOwner = (IReadOnlyList<BM.Breakdown<BM.StageCounts>>)OwnerBreakdown();
        f.Add("ownerBreakdown.groups", byOwner.Count);
        f.Add("ownerBreakdown.inWork", byOwner.Sum(g => g.Result.InWork));
        f.Add("ownerBreakdown.won", byOwner.Sum(g => g.Result.Won));
        f.Add("ownerBreakdown.firstOwnerInWork", byOwner.Count > 0 ? byOwner[0].Result.InWork : null);

        var forecast = (BF.Forecast)Forecast();
        f.Add("forecast.openClients", forecast.OpenClients);
        f.Add("forecast.clientsWithoutBasis", forecast.ClientsWithoutBasis);
        f.Add("forecast.expectedWins", forecast.ExpectedWins);
        f.Add("forecast.expectedValue", forecast.ExpectedValue);
        f.Add("forecast.horizonExpectedWins", forecast.Horizon?.ExpectedWins);
        f.Add("forecast.horizonP50", forecast.Horizon?.P50);
        f.Add("forecast.owners", forecast.ByOwner.Count);

        FreshLiveView();
        f.Add("liveView.applied", ApplyMonth());
        AddStageCounts(f, "liveView", _view.Counts(Windows.AsOf));
        f.Add("liveView.stalled", _view.Stalled(Windows.AsOf).Clients.Count);
        return f;
    }

    /// <inheritdoc/>
    public Figures AnalyticsFigures()
    {
        var f = new Figures();
        AddStageCounts(f, "analytics", (BM.StageCounts)AnalyticsStageCounts());
        return f;
    }

    private static void AddStageCounts(Figures f, string prefix, BM.StageCounts counts)
    {
        foreach (var s in counts.Stages)
        {
            f.Add($"{prefix}.{s.Stage.Value}", s.Clients);
        }

        f.Add($"{prefix}.inWork", counts.InWork);
        f.Add($"{prefix}.won", counts.Won);
        f.Add($"{prefix}.lost", counts.Lost);
        f.Add($"{prefix}.entered", counts.Entered);
        f.Add($"{prefix}.owners", counts.ByOwner.Count);
    }

    private static void AddVelocity(Figures f, string prefix, BM.Velocity velocity)
    {
        foreach (var s in velocity.Stages)
        {
            f.Add($"{prefix}.{s.Stage.Value}.forwardMoves", s.ForwardMoves);
        }

        f.Add($"{prefix}.cycles", velocity.CycleTime.Count);
        f.Add($"{prefix}.cycleMedian", velocity.CycleTime.Median);
        f.Add($"{prefix}.owners", velocity.ByOwner.Count);
        f.Add($"{prefix}.openClients", velocity.SalesVelocity.OpenClients);
        f.Add($"{prefix}.winRate", velocity.SalesVelocity.WinRate);
        f.Add($"{prefix}.valuePerDay", velocity.SalesVelocity.ValuePerDay);
    }

    private static B.PipelineDefinition Map(PipelineDefinition p) => new(
        new B.PipelineId(p.Id.Value),
        p.Name,
        [.. p.Stages.Select(s => new B.StageDefinition(new B.StageId(s.Key.Value), s.DisplayName, s.StallThreshold, s.WinProbability))],
        new B.StageId(p.Stages[p.WonStageIndex].Key.Value),
        p.CurrencyCode);

    /// <summary>
    /// The mapping from the current model to the baseline's: same values, the baseline's types. The objects get their
    /// own strings, allocated client by client (the client, then its events), exactly as <see cref="AfterSide"/> copies
    /// the history for itself, so both sides' data have the same layout in memory (see <see cref="History.Text"/>:
    /// with the baseline's events pointing at the generator's strings, reading the store was a third slower for them
    /// on identical code).
    /// </summary>
    private sealed class Mapper(B.PipelineDefinition pipeline)
    {
        private static readonly Dictionary<TransitionKind, B.TransitionKind> Kinds = Enum.GetValues<TransitionKind>().ToDictionary(k => k, k => Enum.Parse<B.TransitionKind>(k.ToString()));

        private readonly Dictionary<string, B.OwnerId> _owners = new(StringComparer.Ordinal);
        private readonly Dictionary<string, B.StageId> _stages = pipeline.Stages.ToDictionary(s => s.Key.Value, s => s.Key, StringComparer.Ordinal);

        public (B.Client[] Clients, B.ClientEvent[] Events) Map(History history)
        {
            var clients = new B.Client[history.Clients.Length];
            var events = new B.ClientEvent[history.Events.Length];
            var e = 0;
            for (var c = 0; c < clients.Length; c++)
            {
                var client = history.Clients[c];
                var id = new B.ClientId(Copy(client.Id.Value));
                clients[c] = new B.Client(id, pipeline.Id, Owner(client.Owner), client.CreatedAt, client.Value, client.Attributes.ToDictionary(a => Copy(a.Key), a => Copy(a.Value), StringComparer.Ordinal));
                for (; e < events.Length && history.Events[e].ClientId == client.Id; e++)
                {
                    events[e] = Map(history.Events[e], id);
                }
            }

            return e == events.Length ? (clients, events) : throw new InvalidOperationException($"Event {e} ({history.Events[e].Id}) is not in its client's run: the history is not ordered by client as the clients are.");
        }

        private B.ClientEvent Map(ClientEvent e, B.ClientId clientId) => e switch
        {
            StageTransition t => new B.StageTransition(
                Id(t), clientId, pipeline.Id, t.Sequence, Kinds[t.Kind], t.FromStage is { } from ? _stages[from.Value] : null, t.ToStage is { } to ? _stages[to.Value] : null,
                t.OccurredAt, t.RecordedAt, Owner(t.Owner), t.LostReason, t.Note),
            ClientActivity a => new B.ClientActivity(Id(a), clientId, pipeline.Id, a.Sequence, a.OccurredAt, a.RecordedAt, Owner(a.Owner), a.Note),
            OwnerReassignment r => new B.OwnerReassignment(Id(r), clientId, pipeline.Id, r.Sequence, r.OccurredAt, r.RecordedAt, Owner(r.Owner), Owner(r.PreviousOwner), r.Note),
            _ => throw new NotSupportedException($"No baseline counterpart for event type {e.GetType().Name} ({e.Id}).")
        };

        private static B.EventId Id(ClientEvent e) => new(Copy(e.Id.Value));

        private B.OwnerId Owner(OwnerId owner)
        {
            if (!_owners.TryGetValue(owner.Value, out var mapped))
            {
                mapped = new B.OwnerId(Copy(owner.Value));
                _owners.Add(owner.Value, mapped);
            }

            return mapped;
        }

        private static string Copy(string value) => History.Text(value);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
