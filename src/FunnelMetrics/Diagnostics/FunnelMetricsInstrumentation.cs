using System.Diagnostics.Metrics;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Diagnostics;

/// <summary>
/// The <see cref="Meter"/> named <see cref="MeterName"/> and every instrument of FunnelMetrics, for OpenTelemetry or any
/// <see cref="MeterListener"/>: events recorded, refusals, import rows, clients in work and stalled clients per stage
/// (read from the warm models), and the hosted read model's lag and load time. Registered as a singleton by
/// <c>AddFunnelMetrics</c>, with <c>AddMetrics</c> for the <see cref="IMeterFactory"/>; export it with
/// <c>.WithMetrics(m =&gt; m.AddMeter("FunnelMetrics"))</c>. docs/integration.md ("Monitoring with OpenTelemetry")
/// lists each instrument's name, unit, tags and meaning.
/// </summary>
/// <remarks>
/// <para>
/// No tag names a client or an owner: the tags are the pipeline (<c>funnelmetrics.pipeline.id</c>), the stage
/// (<c>funnelmetrics.stage.key</c>), the event kind (<c>funnelmetrics.event.kind</c>) and the rule
/// (<c>funnelmetrics.rule</c>), so the number of series stays that of the pipelines' stages.
/// </para>
/// <para>
/// A <see cref="Recording.FunnelRecorder"/> or <see cref="Import.FunnelImporter"/> built without it (by the constructors
/// that take none) measures nothing. Thread-safe.
/// </para>
/// </remarks>
public sealed class FunnelMetricsInstrumentation
{
    /// <summary>The meter's name, <c>FunnelMetrics</c>: what <c>AddMeter</c> takes.</summary>
    public const string MeterName = "FunnelMetrics";

    internal const string PipelineTag = "funnelmetrics.pipeline.id";
    internal const string StageTag = "funnelmetrics.stage.key";
    internal const string KindTag = "funnelmetrics.event.kind";
    internal const string RuleTag = "funnelmetrics.rule";
    internal const string SourceTag = "funnelmetrics.refusal.source";
    internal const string LoadPathTag = "funnelmetrics.read_model.load.path";

    internal const string FromRecorder = "recorder";
    internal const string FromImporter = "importer";

    internal const string LoadedFromSnapshotFile = "snapshot_file";
    internal const string LoadedByFastLoad = "fast_load";
    internal const string LoadedFromFeed = "feed";

    /// <summary>How long a gauge's figures (of one snapshot) or the lag read are reused: collections within it share one computation, and the two lag gauges one read.</summary>
    internal static readonly TimeSpan Reuse = TimeSpan.FromSeconds(1);

    /// <summary>How long a collection waits for the lag to be read from the store before it reports the last lag read.</summary>
    internal static readonly TimeSpan LagWait = TimeSpan.FromSeconds(2);

    private readonly Counter<long> _events;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _rowsRead;
    private readonly Counter<long> _rowsStored;
    private readonly Counter<long> _rowsRefused;
    private readonly Histogram<double> _loadDuration;
    private readonly TimeProvider _time;
    private readonly StallOptions? _stalls;
    private readonly ParallelismOptions? _parallelism;
    private readonly WorkingCalendar? _calendar;
    private readonly Lock _gate = new();
    private readonly Lock _lagGate = new();
    private readonly Dictionary<PipelineId, StageFigures> _inWork = [];
    private readonly Dictionary<PipelineId, StageFigures> _stalled = [];
    private Func<IEnumerable<FunnelEventLog>>? _served;
    private Func<CancellationToken, Task<IReadOnlyList<ReadModelLagReading>>>? _lagSource;
    private Task<LagFigures>? _lagRead;
    private LagFigures? _lag;

    /// <summary>Creates the meter through the factory and every instrument on it.</summary>
    /// <param name="meterFactory">The factory the meter is created by (and disposed with): <c>AddMetrics</c> registers one.</param>
    /// <param name="timeProvider">"Now" for the per-stage gauges and the lag.</param>
    /// <param name="stalls">The stall clock and thresholds the stalled-clients gauge uses (the options graph's <c>Stalls</c> section); <see langword="null"/> for the defaults.</param>
    /// <param name="parallelism">How many threads the per-stage gauges' calculators may use (the options graph's <c>Parallelism</c> section); <see langword="null"/> for the defaults.</param>
    /// <param name="calendar">The working calendar the stalled-clients gauge measures idle time in (the options graph's <c>WorkingCalendar</c> section, when enabled); <see langword="null"/> for elapsed time.</param>
    /// <remarks>
    /// The per-stage gauges report the pipelines of the <c>FunnelReadModelRegistry</c> when <c>AddFunnelMetrics</c>
    /// created the instrumentation; one created here reports no per-stage value.
    /// </remarks>
    public FunnelMetricsInstrumentation(IMeterFactory meterFactory, TimeProvider timeProvider, StallOptions? stalls = null, ParallelismOptions? parallelism = null, WorkingCalendar? calendar = null)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _stalls = stalls;
        _parallelism = parallelism;
        _calendar = calendar;

        var meter = meterFactory.Create(new MeterOptions(MeterName) { Version = typeof(FunnelMetricsInstrumentation).Assembly.GetName().Version?.ToString() });
        _events = meter.CreateCounter<long>("funnelmetrics.recorder.events", "{event}", "Events the recorder stored: moves (by transition kind), activities, reassignments and client updates. An idempotent retry that returns the event stored first is not counted.");
        _refusals = meter.CreateCounter<long>("funnelmetrics.refusals", "{refusal}", "Requests refused because they break a funnel rule, by rule: the recorder's calls that threw, and the import records whose problem names a rule.");
        _rowsRead = meter.CreateCounter<long>("funnelmetrics.import.rows.read", "{row}", "Import records read, whatever the import's outcome (validation-only runs included).");
        _rowsStored = meter.CreateCounter<long>("funnelmetrics.import.rows.stored", "{row}", "Import records whose events the import appended to the store (records already stored by an earlier run are not counted again).");
        _rowsRefused = meter.CreateCounter<long>("funnelmetrics.import.rows.refused", "{row}", "Import records with at least one problem (an import with any problem stores nothing).");
        _ = meter.CreateObservableGauge<int>("funnelmetrics.stage.client.count", ObserveInWork, "{client}", "Clients in work in each open stage of a pipeline served by a warm model, as of the collection, on the model's latest snapshot.");
        _ = meter.CreateObservableGauge<int>("funnelmetrics.stage.stalled_client.count", ObserveStalled, "{client}", "Of the clients in work in each open stage, those stalled (past the stage's threshold, with the configured stall clock), as of the collection, on the warm model's latest snapshot.");
        _ = meter.CreateObservableGauge<long>("funnelmetrics.read_model.events_behind", ObserveEventsBehind, "{event}", "Feed positions (changes) the hosted read model's published snapshot is behind the store's head, per pipeline.");
        _ = meter.CreateObservableGauge<double>("funnelmetrics.read_model.time_behind", ObserveTimeBehind, "s", "How long the oldest change not yet in the hosted read model's published snapshot has been at the store's head, per pipeline; 0 when current.");
        _loadDuration = meter.CreateHistogram(
            "funnelmetrics.read_model.load.duration",
            "s",
            "How long the hosted read model took to load a pipeline, by load path: a saved snapshot file, the store's fast load, or the change feed from position 0.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250] });
    }

    /// <summary>Counts one event stored by the recorder (never a retry's original): one <see cref="Counter{T}.Add(T, KeyValuePair{string, object?}, KeyValuePair{string, object?}, KeyValuePair{string, object?})"/>, no allocation.</summary>
    internal void EventStored(ClientEvent recorded)
    {
        if (!_events.Enabled)
        {
            return;
        }

        var pipeline = new KeyValuePair<string, object?>(PipelineTag, recorded.PipelineId.Value);
        switch (recorded)
        {
            case StageTransition move:
                // The stage reached; for a loss, the stage the client was lost at.
                _events.Add(1, pipeline, new(KindTag, KindName(move.Kind)), new(StageTag, (move.ToStage ?? move.FromStage)?.Value));
                break;
            case ClientActivity:
                _events.Add(1, pipeline, new(KindTag, "Activity"));
                break;
            case OwnerReassignment:
                _events.Add(1, pipeline, new(KindTag, "Reassignment"));
                break;
            default:
                _events.Add(1, pipeline, new(KindTag, "Update"));
                break;
        }
    }

    /// <summary>Counts one refusal by the recorder, by its rule (an unknown stage counts as <see cref="FunnelRule.UnknownStage"/>); other exceptions are not refusals.</summary>
    /// <returns><see langword="false"/>, so it can be an exception filter that lets the exception go on.</returns>
    internal bool Refused(Exception exception, PipelineId? pipelineId)
    {
        FunnelRule? rule = exception switch
        {
            FunnelRuleException e => e.Rule,
            UnknownStageException => FunnelRule.UnknownStage,
            _ => null,
        };
        if (rule is { } broken)
        {
            Refused(broken, pipelineId, FromRecorder, 1);
        }

        return false;
    }

    /// <summary>Counts refusals of a rule.</summary>
    internal void Refused(FunnelRule rule, PipelineId? pipelineId, string source, long count)
    {
        if (count > 0 && _refusals.Enabled)
        {
            _refusals.Add(count, new(PipelineTag, pipelineId?.Value), new(RuleTag, rule.ToString()), new(SourceTag, source));
        }
    }

    /// <summary>Counts one import's rows.</summary>
    internal void Imported(PipelineId pipelineId, long read, long stored, long refused)
    {
        var pipeline = new KeyValuePair<string, object?>(PipelineTag, pipelineId.Value);
        _rowsRead.Add(read, pipeline);
        _rowsStored.Add(stored, pipeline);
        _rowsRefused.Add(refused, pipeline);
    }

    /// <summary>Records how long the hosted read model took to load a pipeline by one of the load paths (<see cref="LoadedFromSnapshotFile"/>, <see cref="LoadedByFastLoad"/>, <see cref="LoadedFromFeed"/>).</summary>
    internal void ReadModelLoaded(PipelineId pipelineId, string path, TimeSpan duration) =>
        _loadDuration.Record(duration.TotalSeconds, new(PipelineTag, pipelineId.Value), new(LoadPathTag, path));

    /// <summary>
    /// Sets where the lag gauges read the lag (the hosted read model's), or none (<see langword="null"/>: they report
    /// nothing). The source is called at most once per <see cref="Reuse"/>, from a collection, which waits for it at
    /// most <see cref="LagWait"/>.
    /// </summary>
    internal void SetLagSource(Func<CancellationToken, Task<IReadOnlyList<ReadModelLagReading>>>? source)
    {
        lock (_lagGate)
        {
            _lagSource = source;
            _lagRead = null;
            _lag = null;
        }
    }

    /// <summary>
    /// Sets the logs the per-stage gauges report, one per pipeline served (the latest snapshot of each warm model), read
    /// at each collection; <c>AddFunnelMetrics</c> sets the registry's. <see langword="null"/> for none.
    /// </summary>
    internal void SetServedLogs(Func<IEnumerable<FunnelEventLog>>? served) => Volatile.Write(ref _served, served);

    private static string KindName(TransitionKind kind) => kind switch
    {
        TransitionKind.Entered => nameof(TransitionKind.Entered),
        TransitionKind.Advanced => nameof(TransitionKind.Advanced),
        TransitionKind.Skipped => nameof(TransitionKind.Skipped),
        TransitionKind.Regressed => nameof(TransitionKind.Regressed),
        TransitionKind.Won => nameof(TransitionKind.Won),
        TransitionKind.Lost => nameof(TransitionKind.Lost),
        TransitionKind.Reopened => nameof(TransitionKind.Reopened),
        _ => kind.ToString(),
    };

    private List<Measurement<int>> ObserveInWork() => ObserveStages(_inWork, InWork);

    private List<Measurement<int>> ObserveStalled() => ObserveStages(_stalled, Stalled);

    /// <summary>
    /// One value per open stage of each pipeline served, from the figures of its latest snapshot: computed once per
    /// snapshot and <see cref="Reuse"/>, so the collections of one scrape cost one computation.
    /// </summary>
    private List<Measurement<int>> ObserveStages(Dictionary<PipelineId, StageFigures> cache, Func<FunnelEventLog, DateTimeOffset, Measurement<int>[]> compute)
    {
        var now = _time.GetUtcNow();
        var logs = Volatile.Read(ref _served)?.Invoke() ?? [];
        var measurements = new List<Measurement<int>>();
        lock (_gate)
        {
            // Pipelines no longer served drop out.
            var served = new HashSet<PipelineId>();
            foreach (var log in logs)
            {
                var id = log.Pipeline.Id;
                served.Add(id);
                if (!cache.TryGetValue(id, out var figures) || !figures.Holds(log, now))
                {
                    figures = new StageFigures(log, now, compute(log, now));
                    cache[id] = figures;
                }

                measurements.AddRange(figures.Values);
            }

            foreach (var id in cache.Keys)
            {
                if (!served.Contains(id))
                {
                    cache.Remove(id);
                }
            }
        }

        return measurements;
    }

    private Measurement<int>[] InWork(FunnelEventLog log, DateTimeOffset now)
    {
        var counts = StageCountsCalculator.Compute(log, now, parallelism: _parallelism);
        var values = new List<Measurement<int>>(counts.Stages.Count);
        foreach (var stage in counts.Stages)
        {
            if (stage.Stage != log.Pipeline.WonStage)
            {
                values.Add(StageValue(log.Pipeline.Id, stage.Stage, stage.Clients));
            }
        }

        return [.. values];
    }

    private Measurement<int>[] Stalled(FunnelEventLog log, DateTimeOffset now)
    {
        var stalls = StallCalculator.Compute(log, now, _stalls, parallelism: _parallelism, calendar: _calendar);
        var values = new List<Measurement<int>>(stalls.ByStage.Count);
        foreach (var stage in stalls.ByStage)
        {
            if (stage.Stage != log.Pipeline.WonStage)
            {
                values.Add(StageValue(log.Pipeline.Id, stage.Stage, stage.Stalled));
            }
        }

        return [.. values];
    }

    private static Measurement<int> StageValue(PipelineId pipelineId, StageId stage, int value) =>
        new(value, new KeyValuePair<string, object?>(PipelineTag, pipelineId.Value), new KeyValuePair<string, object?>(StageTag, stage.Value));

    private List<Measurement<long>> ObserveEventsBehind()
    {
        var lags = ReadLag();
        var values = new List<Measurement<long>>(lags.Count);
        foreach (var lag in lags)
        {
            values.Add(new(lag.EventsBehind, new KeyValuePair<string, object?>(PipelineTag, lag.PipelineId.Value)));
        }

        return values;
    }

    private List<Measurement<double>> ObserveTimeBehind()
    {
        var lags = ReadLag();
        var values = new List<Measurement<double>>(lags.Count);
        foreach (var lag in lags)
        {
            values.Add(new(lag.Behind.TotalSeconds, new KeyValuePair<string, object?>(PipelineTag, lag.PipelineId.Value)));
        }

        return values;
    }

    /// <summary>
    /// The lag, read from the source at most once per <see cref="Reuse"/>: a collection waits up to <see cref="LagWait"/>
    /// for a read (the in-memory store answers at once), else reports the last lag read; nothing when the last read failed.
    /// </summary>
    private IReadOnlyList<ReadModelLagReading> ReadLag()
    {
        Task<LagFigures> read;
        var now = _time.GetUtcNow();
        lock (_lagGate)
        {
            if (_lagSource is not { } source)
            {
                return [];
            }

            if (_lag is { } last && now >= last.At && now - last.At < Reuse)
            {
                return last.Readings;
            }

            if (_lagRead is null || _lagRead.IsCompleted)
            {
                _lagRead = ReadLagAsync(source, now);
            }

            read = _lagRead;
        }

        if (read.Wait(LagWait))
        {
            return read.Result.Readings;
        }

        lock (_lagGate)
        {
            return _lag?.Readings ?? [];
        }
    }

    private async Task<LagFigures> ReadLagAsync(Func<CancellationToken, Task<IReadOnlyList<ReadModelLagReading>>> source, DateTimeOffset now)
    {
        LagFigures figures;
        try
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30), _time);
            figures = new LagFigures(now, await source(patience.Token).ConfigureAwait(false));
        }
#pragma warning disable CA1031 // A store that cannot say its head has no lag to report: the gauges report nothing (the health check says why).
        catch (Exception)
#pragma warning restore CA1031
        {
            figures = new LagFigures(now, []);
        }

        lock (_lagGate)
        {
            if (ReferenceEquals(_lagSource, source))
            {
                _lag = figures;
            }
        }

        return figures;
    }

    /// <summary>The figures of one snapshot's log as of one instant.</summary>
    private sealed class StageFigures(FunnelEventLog log, DateTimeOffset asOf, Measurement<int>[] values)
    {
        public Measurement<int>[] Values { get; } = values;

        public bool Holds(FunnelEventLog current, DateTimeOffset now) =>
            ReferenceEquals(log, current) && now >= asOf && now - asOf < Reuse;
    }

    /// <summary>The lag read at an instant.</summary>
    private sealed record LagFigures(DateTimeOffset At, IReadOnlyList<ReadModelLagReading> Readings);
}

/// <summary>One pipeline's lag, as the hosted read model reads it for the lag gauges.</summary>
internal readonly record struct ReadModelLagReading(PipelineId PipelineId, long EventsBehind, TimeSpan Behind);
