using FunnelMetrics.Analytics;
using FunnelMetrics.Forecasting;
using FunnelMetrics.Metrics;
using FunnelMetrics.Storage;

namespace FunnelMetrics.Benchmarks.Compare;

/// <summary>
/// The library in the working tree (src/FunnelMetrics). THE ONE FILE TO ADAPT when the library's API changes: each
/// member makes the same call as its <see cref="BeforeSide"/> counterpart in today's names and shapes, and
/// <see cref="Figures()"/> reads today's result shapes under the same figure names. A figure a deliberate rule change
/// alters (or one the new shape no longer has) is left out here; <see cref="Compare.Figures.Check"/> compares the
/// figures both sides name and still insists on at least one per calculation.
/// </summary>
public sealed class AfterSide : ISide
{
    private readonly PipelineDefinition _pipeline;
    private readonly Client[] _clients;
    private readonly ClientEvent[] _events;
    private readonly ClientEvent[] _month;
    private readonly FunnelEventLog _log;
    private readonly StallOptions _stalls;
    private FunnelLiveView _view = null!;
    private FunnelAnalytics? _analytics;

    /// <summary>Builds the log of the history, in the current types.</summary>
    public AfterSide(History history)
    {
        ArgumentNullException.ThrowIfNull(history);
        _pipeline = HistoryGenerator.Pipeline;
        (_clients, _events) = Copy(history);
        _month = [.. history.Month.Select(i => _events[i])];
        _log = FunnelEventLog.Build(_pipeline, _clients, _events);
        _stalls = new StallOptions { StageThresholds = _pipeline.Stages.ToDictionary(s => s.Key.Value, s => Windows.Threshold(s.Key.Value, s.StallThreshold), StringComparer.Ordinal) };
    }

    /// <inheritdoc/>
    public object BuildLog() => FunnelEventLog.Build(_pipeline, _clients, _events);

    /// <inheritdoc/>
    public object StageCounts() => StageCountsCalculator.Compute(_log, Windows.AsOf);

    /// <inheritdoc/>
    // The baseline's time in stage read the events up to and including asOf; a window holds its start, not its end.
    public object TimeInStage() => TimeInStageCalculator.Compute(_log, TimeWindow.Until(Windows.AsOf.AddTicks(1)));

    /// <inheritdoc/>
    public object Conversion() => ConversionCalculator.Compute(_log, new TimeWindow(Windows.QuarterStart, Windows.AsOf));

    /// <inheritdoc/>
    public object Velocity() => VelocityCalculator.Compute(_log, new TimeWindow(Windows.QuarterStart, Windows.AsOf));

    /// <inheritdoc/>
    public object StalledClients() => StallCalculator.Compute(_log, Windows.AsOf, _stalls);

    /// <inheritdoc/>
    public object StuckStages() => StuckStagesCalculator.Compute(_log, TimeWindow.Ending(Windows.AsOf, Windows.StuckPeriod));

    /// <inheritdoc/>
    public object FlowLedger() => FlowLedgerCalculator.Compute(_log, Windows.LedgerFirst, Windows.LedgerLast, "UTC");

    /// <inheritdoc/>
    public object OwnerBreakdown() => FunnelBreakdowns.ByOwner(_log, f => StageCountsCalculator.Compute(_log, Windows.AsOf, f));

    /// <inheritdoc/>
    public object Forecast() => ForecastCalculator.Compute(_log, Windows.AsOf, horizonEnd: Windows.HorizonEnd);

    /// <inheritdoc/>
    public void FreshLiveView() => _view = FunnelLiveView.Create(_log, Windows.MonthStart, _stalls);

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
        var store = new InMemoryFunnelStore();
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

            store.Events.AppendAsync(client.Id, 0, new ArraySegment<ClientEvent>(_events, start, end - start)).GetAwaiter().GetResult();
            start = end;
        }

        _analytics = new FunnelAnalytics(store.Pipelines, store.Clients, store.Events, new FixedClock(HistoryGenerator.End), Microsoft.Extensions.Options.Options.Create(new FunnelMetricsOptions()));
    }

    /// <inheritdoc/>
    public object AnalyticsStageCounts() => _analytics!.GetStageCountsAsync(_pipeline.Id, Windows.AsOf).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public Figures Figures()
    {
        var f = new Figures();
        var log = (FunnelEventLog)BuildLog();
        f.Add("log.events", log.EventCount);
        f.Add("log.clients", log.Clients.Count);

        AddStageCounts(f, "stageCounts", (StageCounts)StageCounts());

        foreach (var s in ((TimeInStage)TimeInStage()).Stages)
        {
            var key = $"timeInStage.{s.Stage.Value}";
            f.Add($"{key}.completed", s.Completed.Count);
            f.Add($"{key}.completedMedian", s.Completed.Median);
            f.Add($"{key}.completedP90", s.Completed.P90);
            f.Add($"{key}.openVisits", s.OpenVisits);
            f.Add($"{key}.median", s.Median.Value ?? s.Median.MoreThan);
            f.Add($"{key}.perClientMedian", s.PerClient.Median);
        }

        var conversion = (Conversion)Conversion();
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

        AddVelocity(f, "velocity", (Velocity)Velocity());

        var stalled = (StalledClients)StalledClients();
        f.Add("stalled.clients", stalled.Clients.Count);
        f.Add("stalled.firstOverdue", stalled.Clients.Count > 0 ? stalled.Clients[0].Overdue : null);
        foreach (var s in stalled.ByStage)
        {
            f.Add($"stalled.{s.Stage.Value}.clients", s.Clients);
            f.Add($"stalled.{s.Stage.Value}.stalled", s.Stalled);
        }

        f.Add("stalled.owners", stalled.ByOwner.Count);

        var stuck = (StuckStages)StuckStages();
        foreach (var s in stuck.Stages)
        {
            var key = $"stuckStages.{s.Stage.Value}";
            f.Add($"{key}.rank", s.Rank);
            f.Add($"{key}.score", s.Score);
            f.Add($"{key}.clients", s.Current.Clients);
            f.Add($"{key}.stalled", s.Current.Stalled);
        }

        f.Add("stuckStages.owners", stuck.ByOwner.Count);

        var ledger = (FlowLedger)FlowLedger();
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

        var byOwner = (IReadOnlyList<Breakdown<StageCounts>>)OwnerBreakdown();
        f.Add("ownerBreakdown.groups", byOwner.Count);
        f.Add("ownerBreakdown.inWork", byOwner.Sum(g => g.Result.InWork));
        f.Add("ownerBreakdown.won", byOwner.Sum(g => g.Result.Won));
        f.Add("ownerBreakdown.firstOwnerInWork", byOwner.Count > 0 ? byOwner[0].Result.InWork : null);

        var forecast = (Forecast)Forecast();
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
        AddStageCounts(f, "analytics", (StageCounts)AnalyticsStageCounts());
        return f;
    }

    private static void AddStageCounts(Figures f, string prefix, StageCounts counts)
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

    private static void AddVelocity(Figures f, string prefix, Velocity velocity)
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

    /// <summary>
    /// A fresh copy of the history's clients and events, allocated as <see cref="BeforeSide"/>'s mapping allocates the
    /// baseline's (client by client, each with its own strings: <see cref="History.Text"/>).
    /// </summary>
    private static (Client[] Clients, ClientEvent[] Events) Copy(History history)
    {
        var (source, sourceEvents) = (history.Clients, history.Events);
        var owners = new Dictionary<string, OwnerId>(StringComparer.Ordinal);
        OwnerId Owner(OwnerId owner)
        {
            if (!owners.TryGetValue(owner.Value, out var mapped))
            {
                mapped = new OwnerId(History.Text(owner.Value));
                owners.Add(owner.Value, mapped);
            }

            return mapped;
        }

        var pipeline = HistoryGenerator.Pipeline;
        var stages = pipeline.Stages.ToDictionary(s => s.Key.Value, s => s.Key, StringComparer.Ordinal);
        var clients = new Client[source.Length];
        var events = new ClientEvent[sourceEvents.Length];
        var e = 0;
        for (var c = 0; c < clients.Length; c++)
        {
            var client = source[c];
            var id = new ClientId(History.Text(client.Id.Value));
            clients[c] = new Client(id, pipeline.Id, Owner(client.Owner), client.CreatedAt, client.Value, client.Attributes.ToDictionary(a => History.Text(a.Key), a => History.Text(a.Value), StringComparer.Ordinal));
            for (; e < events.Length && sourceEvents[e].ClientId == client.Id; e++)
            {
                events[e] = sourceEvents[e] switch
                {
                    StageTransition t => new StageTransition(
                        new ClientEventId(History.Text(t.Id.Value)), id, pipeline.Id, t.Sequence, t.Kind, t.FromStage is { } from ? stages[from.Value] : null, t.ToStage is { } to ? stages[to.Value] : null,
                        t.OccurredAt, t.RecordedAt, Owner(t.Owner), t.LostReason, t.Note),
                    ClientActivity a => new ClientActivity(new ClientEventId(History.Text(a.Id.Value)), id, pipeline.Id, a.Sequence, a.OccurredAt, a.RecordedAt, Owner(a.Owner), a.Note),
                    OwnerReassignment r => new OwnerReassignment(new ClientEventId(History.Text(r.Id.Value)), id, pipeline.Id, r.Sequence, r.OccurredAt, r.RecordedAt, Owner(r.Owner), Owner(r.PreviousOwner), r.Note),
                    var other => throw new NotSupportedException($"Cannot copy event type {other.GetType().Name} ({other.Id})."),
                };
            }
        }

        return e == events.Length ? (clients, events) : throw new InvalidOperationException($"Event {e} ({sourceEvents[e].Id}) is not in its client's run: the history is not ordered by client as the clients are.");
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
