using FunnelMetrics.Metrics;
using FunnelMetrics.Storage;
using Microsoft.Extensions.Options;

namespace FunnelMetrics.Analytics;

/// <summary>
/// The metrics as a service, for callers who do not hold events themselves: reads a pipeline's clients and events from
/// the repositories, builds the <see cref="FunnelEventLog"/>, and computes a metric, taking "now" from the
/// <see cref="TimeProvider"/> and the time zone, stall, conversion, parallelism and forecast options from <see cref="FunnelMetricsOptions"/>. To compute several
/// metrics from one read, call <see cref="LoadAsync"/> once and the calculators on the log.
/// </summary>
/// <remarks>
/// When a <see cref="FunnelReadModelRegistry"/> serves the pipeline (the hosted follower of <c>FunnelMetrics.Hosting</c>
/// fills it), <see cref="LoadAsync"/> and every metric take the model's latest snapshot instead, without touching
/// storage; while the model loads, they wait for it. Other pipelines are read from storage as before.
/// </remarks>
public sealed class FunnelAnalytics
{
    private const int PageSize = 10_000;

    private readonly IPipelineRepository _pipelines;
    private readonly IClientRepository _clients;
    private readonly IFunnelEventStore _events;
    private readonly TimeProvider _timeProvider;
    private readonly FunnelMetricsOptions _options;
    private readonly FunnelReadModelRegistry? _readModels;
    private readonly WorkingCalendar? _calendar;

    /// <summary>Creates the service over the given storage.</summary>
    /// <param name="pipelines">Where pipeline definitions are read.</param>
    /// <param name="clients">Where clients are read.</param>
    /// <param name="events">Where events are read.</param>
    /// <param name="timeProvider">The source of "now" when no instant is given.</param>
    /// <param name="options">The time zone of daily metrics and the stall, conversion and forecast options; validated here too, for use without a host.</param>
    /// <exception cref="OptionsValidationException">The options are invalid; the message names the setting, such as <c>Stalls.DefaultThreshold</c>.</exception>
    public FunnelAnalytics(IPipelineRepository pipelines, IClientRepository clients, IFunnelEventStore events, TimeProvider timeProvider, IOptions<FunnelMetricsOptions> options)
        : this(pipelines, clients, events, timeProvider, options, null)
    {
    }

    /// <summary>Creates the service over the given storage, answering from the warm models of <paramref name="readModels"/> for the pipelines it serves.</summary>
    /// <param name="pipelines">Where pipeline definitions are read.</param>
    /// <param name="clients">Where clients are read.</param>
    /// <param name="events">Where events are read.</param>
    /// <param name="timeProvider">The source of "now" when no instant is given.</param>
    /// <param name="options">The time zone of daily metrics and the stall, conversion and forecast options; validated here too, for use without a host.</param>
    /// <param name="readModels">The warm models to answer from; <see langword="null"/> (or a registry that does not serve a pipeline) to read storage.</param>
    /// <exception cref="OptionsValidationException">The options are invalid; the message names the setting, such as <c>Stalls.DefaultThreshold</c>.</exception>
    public FunnelAnalytics(IPipelineRepository pipelines, IClientRepository clients, IFunnelEventStore events, TimeProvider timeProvider, IOptions<FunnelMetricsOptions> options, FunnelReadModelRegistry? readModels)
    {
        _readModels = readModels;
        _pipelines = pipelines ?? throw new ArgumentNullException(nameof(pipelines));
        _clients = clients ?? throw new ArgumentNullException(nameof(clients));
        _events = events ?? throw new ArgumentNullException(nameof(events));
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value ?? throw new ArgumentException("The options hold no value.", nameof(options));
        OptionsCheck.ThrowIfInvalid(FunnelMetricsOptionsValidator.Instance, "", _options);

        // Built once, so its cached clock-change table serves every request.
        _calendar = _options.WorkingCalendar.ToCalendar(_options.TimeZone);
    }

    /// <summary>
    /// The configured working calendar (<see cref="FunnelMetricsOptions.WorkingCalendar"/>) that time in stage, stalls,
    /// the stuck stages and velocity are measured in, or <see langword="null"/> when it is not enabled: elapsed time.
    /// </summary>
    public WorkingCalendar? Calendar => _calendar;

    /// <summary>The current instant, from the <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset Now => _timeProvider.GetUtcNow();

    /// <summary>
    /// The pipeline's log: the latest snapshot of its warm model when the <see cref="FunnelReadModelRegistry"/> serves it
    /// (no storage read; waits while the model loads), else its whole history read from storage and built.
    /// </summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The log.</returns>
    /// <exception cref="UnknownPipelineException">The pipeline is not known.</exception>
    public async Task<FunnelEventLog> LoadAsync(PipelineId pipelineId, CancellationToken cancellationToken = default)
    {
        if (_readModels is not null && await _readModels.GetSnapshotAsync(pipelineId, cancellationToken).ConfigureAwait(false) is { } snapshot)
        {
            return snapshot.Log;
        }

        return await LoadFromStorageAsync(pipelineId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a pipeline's whole history from storage and builds its log, whether or not a warm model serves it.</summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The log.</returns>
    /// <exception cref="UnknownPipelineException">The pipeline is not known.</exception>
    public async Task<FunnelEventLog> LoadFromStorageAsync(PipelineId pipelineId, CancellationToken cancellationToken = default)
    {
        var pipeline = await _pipelines.GetAsync(pipelineId, cancellationToken).ConfigureAwait(false) ?? throw new UnknownPipelineException(pipelineId);
        var clients = new List<Client>();
        ClientId? after = null;
        while (true)
        {
            var page = 0;
            await foreach (var client in _clients.ListAsync(pipelineId, after, PageSize, cancellationToken).ConfigureAwait(false))
            {
                clients.Add(client);
                after = client.Id;
                page++;
            }

            if (page < PageSize)
            {
                break;
            }
        }

        var events = new List<ClientEvent>();
        var query = new PipelineEventQuery { Limit = PageSize };
        while (true)
        {
            var page = 0;
            await foreach (var e in _events.ReadPipelineAsync(pipelineId, query, cancellationToken).ConfigureAwait(false))
            {
                events.Add(e);
                page++;
            }

            if (page < PageSize)
            {
                break;
            }

            query = query with { After = EventCursor.Of(events[^1]) };
        }

        await RepairConcurrentWritesAsync(pipelineId, clients, events, cancellationToken).ConfigureAwait(false);
        return FunnelEventLog.Build(pipeline, clients, events);
    }

    /// <summary>
    /// The clients and the pages of events are separate reads, so writes between them can leave the snapshot
    /// inconsistent: an event of a client added after the clients were listed, or a client's history with a hole where
    /// a backdated event landed before a page already read. Adds the missing clients and re-reads, whole, the history
    /// of every client with a hole, so the log is built from complete histories (each as of its own read).
    /// </summary>
    private async Task RepairConcurrentWritesAsync(PipelineId pipelineId, List<Client> clients, List<ClientEvent> events, CancellationToken cancellationToken)
    {
        var known = new HashSet<ClientId>(clients.Count);
        foreach (var client in clients)
        {
            known.Add(client.Id);
        }

        var seen = new Dictionary<ClientId, (long Count, long Max)>(known.Count);
        foreach (var e in events)
        {
            ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(seen, e.ClientId, out _);
            entry = (entry.Count + 1, Math.Max(entry.Max, e.Sequence));
        }

        HashSet<ClientId>? reread = null;
        foreach (var (clientId, (count, max)) in seen)
        {
            if (!known.Contains(clientId))
            {
                var added = await _clients.GetAsync(clientId, cancellationToken).ConfigureAwait(false);
                if (added is null || added.PipelineId != pipelineId)
                {
                    continue;
                }

                clients.Add(added);
                known.Add(clientId);
            }

            if (count != max)
            {
                (reread ??= []).Add(clientId);
            }
        }

        if (reread is null)
        {
            return;
        }

        events.RemoveAll(e => reread.Contains(e.ClientId));
        foreach (var clientId in reread)
        {
            await foreach (var e in _events.ReadClientAsync(clientId, cancellationToken).ConfigureAwait(false))
            {
                events.Add(e);
            }
        }
    }

    /// <summary>Counts the clients at each stage; see <see cref="StageCountsCalculator.Compute"/>.</summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="asOf">The instant, inclusive; <see langword="null"/> for now.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The counts.</returns>
    public async Task<StageCounts> GetStageCountsAsync(PipelineId pipelineId, DateTimeOffset? asOf = null, FunnelFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var log = await LoadAsync(pipelineId, cancellationToken).ConfigureAwait(false);
        return StageCountsCalculator.Compute(log, asOf ?? Now, filter, _options.Parallelism);
    }

    /// <summary>
    /// Money per stage and owner with the weighted pipeline; see <see cref="PipelineValueCalculator.Compute"/>. The chain
    /// probabilities are the forecast's with the configured settings (<see cref="Forecasting.ForecastCalculator.WinProbabilities"/>, same filter).
    /// </summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="asOf">The instant, inclusive; <see langword="null"/> for now.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The money per stage.</returns>
    public async Task<PipelineValue> GetPipelineValueAsync(PipelineId pipelineId, DateTimeOffset? asOf = null, FunnelFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var log = await LoadAsync(pipelineId, cancellationToken).ConfigureAwait(false);
        var at = asOf ?? Now;
        var chain = Forecasting.ForecastCalculator.WinProbabilities(log, at, _options.Forecast, filter);
        return PipelineValueCalculator.Compute(log, at, filter, chain, _options.Parallelism);
    }

    /// <summary>Computes the daily flow ledger in the configured time zone; see <see cref="FlowLedgerCalculator.Compute"/>.</summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="firstDay">The first local day.</param>
    /// <param name="lastDay">The last local day, inclusive; <see langword="null"/> for today in the configured zone.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The ledger.</returns>
    public async Task<FlowLedger> GetFlowLedgerAsync(PipelineId pipelineId, DateOnly firstDay, DateOnly? lastDay = null, FunnelFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var log = await LoadAsync(pipelineId, cancellationToken).ConfigureAwait(false);
        return FlowLedgerCalculator.Compute(log, firstDay, lastDay ?? Today(), _options.TimeZone, filter, _options.Parallelism);
    }

    /// <summary>Measures time in stage, in the configured working calendar's working time when one is enabled (<see cref="Calendar"/>); see <see cref="TimeInStageCalculator.Compute"/>.</summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="window">The visits' window, [start, end); <see langword="null"/> for every visit begun before now (<see cref="TimeWindow.Until"/> <see cref="Now"/>).</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The durations.</returns>
    public async Task<TimeInStage> GetTimeInStageAsync(PipelineId pipelineId, TimeWindow? window = null, FunnelFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var log = await LoadAsync(pipelineId, cancellationToken).ConfigureAwait(false);
        return TimeInStageCalculator.Compute(log, window ?? TimeWindow.Until(Now), filter, _options.Parallelism, _calendar);
    }

    /// <summary>Computes conversion with the configured skip rule; see <see cref="ConversionCalculator.Compute"/>.</summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="cohorts">The cohort window, [start, end), not empty; for example <c>TimeWindow.Ending(analytics.Now, TimeSpan.FromDays(90))</c>.</param>
    /// <param name="conversionWindow">When set, advancing counts only within this time of first reaching a stage.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The conversion figures, the outcomes read from the events before now (or before the window's end when that is later).</returns>
    public async Task<Conversion> GetConversionAsync(PipelineId pipelineId, TimeWindow cohorts, TimeSpan? conversionWindow = null, FunnelFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var log = await LoadAsync(pipelineId, cancellationToken).ConfigureAwait(false);
        var now = Now;
        return ConversionCalculator.Compute(log, cohorts, cohorts.End > now ? cohorts.End : now, conversionWindow, _options.Conversion, filter, _options.Parallelism);
    }

    /// <summary>Computes velocity, cycle times and days in the configured working calendar's working time when one is enabled (<see cref="Calendar"/>); see <see cref="VelocityCalculator.Compute"/>.</summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="window">The window, [start, end), not empty; for example <c>TimeWindow.Ending(analytics.Now, TimeSpan.FromDays(30))</c>.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The velocity figures.</returns>
    public async Task<Velocity> GetVelocityAsync(PipelineId pipelineId, TimeWindow window, FunnelFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var log = await LoadAsync(pipelineId, cancellationToken).ConfigureAwait(false);
        return VelocityCalculator.Compute(log, window, filter, _calendar);
    }

    /// <summary>
    /// Computes the trends (time in stage, conversion and drop-off per day, ISO week or month of entry) in the configured
    /// time zone, with the configured skip rule; see <see cref="FunnelTrendsCalculator.Compute"/>.
    /// </summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="window">The periods' window, [start, end), not empty; for example <c>TimeWindow.Ending(analytics.Now, TimeSpan.FromDays(91))</c> for 13 weeks.</param>
    /// <param name="period">Days, ISO weeks or months.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all.</param>
    /// <param name="byOwner">Whether to add one series per owner.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The series, durations and outcomes read from the events before now (or before the window's end when that is later).</returns>
    /// <exception cref="UnknownPipelineException">The pipeline is not known.</exception>
    /// <exception cref="ArgumentException">The window is empty or holds more than <see cref="FunnelTrendsCalculator.MaxPeriods"/> periods.</exception>
    public async Task<FunnelTrends> GetTrendsAsync(PipelineId pipelineId, TimeWindow window, CohortPeriod period, FunnelFilter? filter = null, bool byOwner = false, CancellationToken cancellationToken = default)
    {
        var log = await LoadAsync(pipelineId, cancellationToken).ConfigureAwait(false);
        var now = Now;
        return FunnelTrendsCalculator.Compute(log, window, period, _options.TimeZone, window.End > now ? window.End : now, filter, _options.Conversion, byOwner, _options.Parallelism, _calendar);
    }

    /// <summary>Finds the stalled clients with the configured clock and thresholds, idle times in the configured working calendar's working time when one is enabled (<see cref="Calendar"/>); see <see cref="StallCalculator.Compute"/>.</summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="asOf">The instant, inclusive; <see langword="null"/> for now, so advancing the <see cref="TimeProvider"/> past a threshold makes a client appear.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The stalled clients.</returns>
    public async Task<StalledClients> GetStalledClientsAsync(PipelineId pipelineId, DateTimeOffset? asOf = null, FunnelFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var log = await LoadAsync(pipelineId, cancellationToken).ConfigureAwait(false);
        return StallCalculator.Compute(log, asOf ?? Now, _options.Stalls, filter, _options.Parallelism, _calendar);
    }

    /// <summary>
    /// Computes the head of sales' dashboard (<see cref="FunnelDashboard"/>) on one log: the warm model's snapshot when
    /// one serves the pipeline, so no storage is read; with the configured options (time zone, dashboard, stalls,
    /// conversion, forecast, parallelism).
    /// </summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="request">The instant (null for now), the filter and the month's target; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The dashboard.</returns>
    /// <exception cref="UnknownPipelineException">The pipeline is not known.</exception>
    public async Task<FunnelDashboard> GetDashboardAsync(PipelineId pipelineId, DashboardRequest? request = null, CancellationToken cancellationToken = default)
    {
        var log = await LoadAsync(pipelineId, cancellationToken).ConfigureAwait(false);
        return FunnelDashboard.Compute(log, request?.AsOf ?? Now, request, _options);
    }

    /// <summary>
    /// Lists a page of the rows behind a count (<see cref="ClientListCalculator"/>): the clients in a stage, stalled,
    /// won or lost, or the moves into or out of a stage in a window. A state measure without
    /// <see cref="ClientListQuery.AsOf"/> is read now; stalled clients with the configured stall options.
    /// </summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="query">What to list.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The page and the total.</returns>
    /// <exception cref="UnknownPipelineException">The pipeline is not known.</exception>
    /// <exception cref="ArgumentException">The query lacks what its measure needs or names an unknown stage.</exception>
    public async Task<ClientList> ListClientsAsync(PipelineId pipelineId, ClientListQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var log = await LoadAsync(pipelineId, cancellationToken).ConfigureAwait(false);
        if (query.IsState && query.AsOf is null)
        {
            query = query with { AsOf = Now };
        }

        if (query.Measure == ClientListMeasure.Slipped && query.TimeZone is null)
        {
            query = query with { TimeZone = _options.TimeZone };
        }

        return ClientListCalculator.Compute(log, query, _options.Stalls, _calendar);
    }

    /// <summary>Computes the pipeline waterfall and the stage matrix between two instants, the period's days in the configured time zone; see <see cref="PipelineWaterfallCalculator.Compute"/>.</summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="start">The first instant: states as of it open the waterfall.</param>
    /// <param name="end">The last instant, after <paramref name="start"/>; <see langword="null"/> for now.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The waterfall.</returns>
    /// <exception cref="UnknownPipelineException">The pipeline is not known.</exception>
    /// <exception cref="ArgumentException">The end is not after the start.</exception>
    public async Task<PipelineWaterfall> GetWaterfallAsync(PipelineId pipelineId, DateTimeOffset start, DateTimeOffset? end = null, FunnelFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var log = await LoadAsync(pipelineId, cancellationToken).ConfigureAwait(false);
        return PipelineWaterfallCalculator.Compute(log, start, end ?? Now, _options.TimeZone, filter, _options.Parallelism);
    }

    /// <summary>Finds the open clients whose expected close date has passed, in the configured time zone's days; see <see cref="SlippedClientsCalculator.Compute"/>.</summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="asOf">The instant, inclusive; <see langword="null"/> for now.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all.</param>
    /// <param name="limit">The most clients listed; the counts count them all.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The slipped clients.</returns>
    /// <exception cref="UnknownPipelineException">The pipeline is not known.</exception>
    public async Task<SlippedClients> GetSlippedClientsAsync(PipelineId pipelineId, DateTimeOffset? asOf = null, FunnelFilter? filter = null, int limit = SlippedClientsCalculator.DefaultLimit, CancellationToken cancellationToken = default)
    {
        var log = await LoadAsync(pipelineId, cancellationToken).ConfigureAwait(false);
        return SlippedClientsCalculator.Compute(log, asOf ?? Now, _options.TimeZone, filter, limit);
    }

    /// <summary>Ranks the stages where clients get stuck, with the configured stall settings, skip rule and working calendar; see <see cref="StuckStagesCalculator.Compute"/>.</summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="window">The current window, [start, end), not empty; for example <c>TimeWindow.Ending(analytics.Now, TimeSpan.FromDays(30))</c>. It is compared with the window of the same length before it.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The ranking.</returns>
    public async Task<StuckStages> GetStuckStagesAsync(PipelineId pipelineId, TimeWindow window, FunnelFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var log = await LoadAsync(pipelineId, cancellationToken).ConfigureAwait(false);
        return StuckStagesCalculator.Compute(log, window, _options.Stalls, _options.Conversion, filter, _options.Parallelism, _calendar);
    }

    /// <summary>Forecasts the results of the clients in work with the configured settings; see <see cref="Forecasting.ForecastCalculator.Compute"/>.</summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="horizonEnd">When set, also the wins by this instant, such as the end of the month.</param>
    /// <param name="targetWins">When set (with a horizon), also the daily intake that reaches this many wins.</param>
    /// <param name="asOf">The instant; <see langword="null"/> for now.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The forecast.</returns>
    public async Task<Forecasting.Forecast> GetForecastAsync(PipelineId pipelineId, DateTimeOffset? horizonEnd = null, int? targetWins = null, DateTimeOffset? asOf = null, FunnelFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var log = await LoadAsync(pipelineId, cancellationToken).ConfigureAwait(false);
        return Forecasting.ForecastCalculator.Compute(log, asOf ?? Now, _options.Forecast, horizonEnd, targetWins, filter);
    }

    /// <summary>Backtests the forecast with the configured settings; see <see cref="Forecasting.ForecastCalculator.Backtest"/>.</summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="instants">The window the past forecasts are made in, [start, end): at its start and every <paramref name="step"/> after it, before its end.</param>
    /// <param name="step">The spacing of the instants.</param>
    /// <param name="horizon">Each forecast's span.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The backtest.</returns>
    public async Task<Forecasting.Backtest> GetBacktestAsync(PipelineId pipelineId, TimeWindow instants, TimeSpan step, TimeSpan horizon, FunnelFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var log = await LoadAsync(pipelineId, cancellationToken).ConfigureAwait(false);
        return Forecasting.ForecastCalculator.Backtest(log, instants, step, horizon, _options.Forecast, filter);
    }

    /// <summary>
    /// The forecast against actuals, month by month, in the configured time zone and with the configured forecast
    /// settings: a forecast made at each month's start for its end, against the month's wins; see
    /// <see cref="Forecasting.ForecastCalculator.MonthlyBacktest"/>. Each point is a whole forecast: ask for the months you chart.
    /// </summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="firstMonth">The first month (any day of it); <see langword="null"/> for five months before the last (six points).</param>
    /// <param name="lastMonth">The last month, inclusive (any day of it); <see langword="null"/> for the last month over: the one before today's in the configured zone.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The points and their error.</returns>
    /// <exception cref="UnknownPipelineException">The pipeline is not known.</exception>
    /// <exception cref="ArgumentException">The last month is before the first, or they are more than <see cref="Forecasting.ForecastCalculator.MaxBacktestPoints"/>.</exception>
    public async Task<Forecasting.Backtest> GetForecastAccuracyAsync(PipelineId pipelineId, DateOnly? firstMonth = null, DateOnly? lastMonth = null, FunnelFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var log = await LoadAsync(pipelineId, cancellationToken).ConfigureAwait(false);
        var last = lastMonth ?? Today().AddMonths(-1);
        return Forecasting.ForecastCalculator.MonthlyBacktest(log, firstMonth ?? last.AddMonths(-5), last, _options.TimeZone, _options.Forecast, filter);
    }

    private DateOnly Today() => TimeZoneDays.DateOf(Now, TimeZones.Find(_options.TimeZone, nameof(FunnelMetricsOptions.TimeZone)));
}
