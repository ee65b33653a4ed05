extern alias baseline;

using B = baseline::FunnelMetrics;
using BF = baseline::FunnelMetrics.Forecasting;
using BM = baseline::FunnelMetrics.Metrics;
using BS = baseline::FunnelMetrics.Storage;

namespace FunnelMetrics.Benchmarks.Compare;

/// <summary>
/// The library as of the baseline commit (<c>FunnelMetrics.Baseline</c>, extern alias <c>baseline</c>), over the
/// generated history mapped to its types. Written against the baseline's API (2f25a5a); another baseline commit with
/// another API needs this file adapted, the after side does not.
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
        _clients = [.. history.Clients.Select(Map)];
        _events = [.. history.Events.Select(Map)];
        _month = [.. history.Month.Select(i => _events[i])];
        _log = BM.FunnelEventLog.Build(_pipeline, _clients, _events);
        _stalls = new BM.StallSettings { StageThresholds = _pipeline.Stages.ToDictionary(s => s.Key, s => Windows.Threshold(s.Key.Value, s.StallThreshold)) };
    }

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

    // The mapping from the current model to the baseline's: same values, the baseline's types.
    private static B.PipelineDefinition Map(PipelineDefinition p) => new(
        new B.PipelineId(p.Id.Value),
        p.Name,
        [.. p.Stages.Select(s => new B.StageDefinition(new B.StageId(s.Key.Value), s.DisplayName, s.StallThreshold, s.WinProbability))],
        new B.StageId(p.Stages[p.WonStageIndex].Key.Value),
        p.CurrencyCode);

    private static B.Client Map(Client c) => new(new B.ClientId(c.Id.Value), new B.PipelineId(c.PipelineId.Value), new B.OwnerId(c.Owner.Value), c.CreatedAt, c.Value, c.Attributes);

    private static B.ClientEvent Map(ClientEvent e) => e switch
    {
        StageTransition t => new B.StageTransition(
            new B.EventId(t.Id.Value), new B.ClientId(t.ClientId.Value), new B.PipelineId(t.PipelineId.Value), t.Sequence, Map(t.Kind),
            t.FromStage is { } from ? new B.StageId(from.Value) : null, t.ToStage is { } to ? new B.StageId(to.Value) : null,
            t.OccurredAt, t.RecordedAt, new B.OwnerId(t.Owner.Value), t.LostReason, t.Note),
        ClientActivity a => new B.ClientActivity(new B.EventId(a.Id.Value), new B.ClientId(a.ClientId.Value), new B.PipelineId(a.PipelineId.Value), a.Sequence, a.OccurredAt, a.RecordedAt, new B.OwnerId(a.Owner.Value), a.Note),
        OwnerReassignment r => new B.OwnerReassignment(new B.EventId(r.Id.Value), new B.ClientId(r.ClientId.Value), new B.PipelineId(r.PipelineId.Value), r.Sequence, r.OccurredAt, r.RecordedAt, new B.OwnerId(r.Owner.Value), new B.OwnerId(r.PreviousOwner.Value), r.Note),
        _ => throw new NotSupportedException($"No baseline counterpart for event type {e.GetType().Name} ({e.Id}).")
    };

    private static readonly Dictionary<TransitionKind, B.TransitionKind> Kinds = Enum.GetValues<TransitionKind>().ToDictionary(k => k, k => Enum.Parse<B.TransitionKind>(k.ToString()));

    private static B.TransitionKind Map(TransitionKind kind) => Kinds[kind];

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
