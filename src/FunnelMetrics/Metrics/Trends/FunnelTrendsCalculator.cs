namespace FunnelMetrics.Metrics;

/// <summary>
/// Computes <see cref="FunnelTrends"/>: one pass over each client's events, bucketing its visits and its first reaches by
/// period, then one sort per period and stage; not one pass per period.
/// </summary>
public static class FunnelTrendsCalculator
{
    /// <summary>The most periods one call computes: 1,000 (nearly three years of days, nineteen of weeks).</summary>
    public const int MaxPeriods = 1000;

    /// <summary>
    /// Computes the trends over <paramref name="window"/>, [start, end), divided into the days, ISO weeks or months of
    /// <paramref name="timeZoneId"/> (the first and last cut to the window): per period and stage, the time in stage of
    /// the visits begun in the period and the conversion and drop-off of the clients who first reached the stage in it,
    /// read from the events before <paramref name="asOf"/>.
    /// </summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="window">The periods' window, [start, end), not empty; for example the last 13 weeks up to now.</param>
    /// <param name="period">Days, ISO weeks (Monday to Sunday) or calendar months.</param>
    /// <param name="timeZoneId">The IANA time zone whose local midnights divide the periods (<see cref="TimeZoneDays"/>).</param>
    /// <param name="asOf">Durations and outcomes are read from the events before this instant, exclusive, and visits still running then are censored at it; <see langword="null"/> for the window's end. Not before that end.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all. As in <see cref="TimeInStageCalculator"/> and <see cref="ConversionCalculator"/>: the owner condition applies to the owner on the transition that began each visit and to the owner when the client first reached each stage; the attribute condition reads the clients as of the tick before <paramref name="asOf"/>.</param>
    /// <param name="options">The skip rule of the cohorts (the options graph's <c>Conversion</c> section); <see langword="null"/> for the defaults.</param>
    /// <param name="byOwner">Whether to add one series per owner (<see cref="FunnelTrends.ByOwner"/>), each equal to the trends filtered to that owner.</param>
    /// <param name="parallelism">How many threads may read the clients and sort the periods' visits (the options graph's <c>Parallelism</c> section); <see langword="null"/> for the defaults. The figures are the same whatever the degree.</param>
    /// <param name="calendar">The working calendar the visits are measured in (working time only: docs/metrics.md, "Working-hours clocks"); <see langword="null"/> for elapsed time, the default. The cohorts do not depend on it.</param>
    /// <returns>The series.</returns>
    /// <exception cref="ArgumentException">The window is empty or holds more than <see cref="MaxPeriods"/> periods, <paramref name="asOf"/> is before its end, the period is not defined, the time zone is unknown, or an option is out of range (the message names it).</exception>
    public static FunnelTrends Compute(
        FunnelEventLog log,
        TimeWindow window,
        CohortPeriod period,
        string timeZoneId,
        DateTimeOffset? asOf = null,
        FunnelFilter? filter = null,
        ConversionOptions? options = null,
        bool byOwner = false,
        ParallelismOptions? parallelism = null,
        WorkingCalendar? calendar = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (window.IsEmpty)
        {
            throw new ArgumentException($"The trends' window {window} is empty: it holds no period.", nameof(window));
        }

        if (!Enum.IsDefined(period))
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "The period must be Day, Week or Month.");
        }

        var zone = TimeZones.Find(timeZoneId, nameof(timeZoneId));
        var at = asOf ?? window.End;
        if (at < window.End)
        {
            throw new ArgumentException($"Outcomes are read before {at:O}, earlier than the trends' window's end at {window.End:O}.", nameof(asOf));
        }

        var settings = ParallelismOptions.Check(parallelism, nameof(parallelism));
        var passSkipped = (options ?? ConversionOptions.Defaults).SkippedStagesCountAsPassed;
        filter ??= FunnelFilter.All;
        var (keys, bounds) = Periods(window, period, zone);

        var stageCount = log.Pipeline.Stages.Count;
        var series = byOwner ? 1 + log.OwnerCount : 1;
        var shape = new Shape(bounds, stageCount, series, at.UtcTicks);
        var clientMask = filter.ClientMask(log, at.UtcTicks - 1);
        var ownerMask = filter.OwnerMask(log);

        // Counts add and observation lists concatenate: the partitions' merge, sorted, is the sequential fold's.
        var parts = ClientPartitions.Fold(clientMask.Length, settings, (first, end) => Buckets.Fold(log, shape, passSkipped, clientMask, ownerMask, byOwner, first, end, calendar));
        using var buckets = parts[0];
        for (var p = 1; p < parts.Length; p++)
        {
            using var part = parts[p];
            buckets.Add(part);
        }

        buckets.Group();

        // Each cell's sort and statistics are its own: on a log large enough to have been split, cells run in parallel.
        // A cell without visits has the empty sample's figures (no durations, no estimate), shared rather than recomputed.
        var cells = series * shape.Periods * stageCount;
        var time = new (DurationStats Completed, DurationEstimate Median, DurationEstimate P90)[cells];
        ClientPartitions.ForEach(cells, parts.Length > 1 ? settings.MaxDegreeOfParallelism : 1, cell =>
        {
            if (buckets.Completed[cell] == 0 && buckets.Open[cell] == 0)
            {
                time[cell] = (DurationStats.Empty, DurationEstimate.None, DurationEstimate.None);
                return;
            }

            var sorted = buckets.SortedKeys(cell);
            var estimates = Statistics.KaplanMeier(sorted, 0.5, 0.9);
            time[cell] = (Statistics.Completed(sorted, buckets.Completed[cell]), estimates[0], estimates[1]);
        });

        // Each period lists only the open stages with an observation in it (a visit begun in it or a cohort member), in
        // pipeline order: a pipeline of many stages and few clients writes rows in proportion to its history.
        var present = new List<StageTrend>();
        TrendPeriod[] Series(int s)
        {
            var periods = new TrendPeriod[shape.Periods];
            for (var k = 0; k < shape.Periods; k++)
            {
                present.Clear();
                for (var st = 0; st < stageCount; st++)
                {
                    var cell = shape.Cell(s, k, st);
                    var (cohort, advanced, lost) = (buckets.Cohort[cell], buckets.Advanced[cell], buckets.Lost[cell]);
                    if (st == log.Pipeline.WonStageIndex || (cohort == 0 && buckets.Completed[cell] == 0 && buckets.Open[cell] == 0))
                    {
                        continue;
                    }

                    present.Add(new StageTrend(
                        log.Pipeline.Stages[st].Key,
                        time[cell].Completed,
                        buckets.Open[cell],
                        time[cell].Median,
                        time[cell].P90,
                        cohort,
                        advanced,
                        lost,
                        cohort - advanced - lost,
                        Statistics.Share(advanced, cohort),
                        Statistics.Share(lost, cohort)));
                }

                var row = (s * shape.Periods) + k;
                var (firstCohort, won) = (buckets.FirstCohort[row], buckets.WonFromFirst[row]);
                periods[k] = new TrendPeriod(keys[k], At(bounds[k]), At(bounds[k + 1]), present.ToArray(), firstCohort, won, Statistics.Share(won, firstCohort));
            }

            return periods;
        }

        var owners = new List<OwnerTrends>();
        for (var o = 0; byOwner && o < log.OwnerCount; o++)
        {
            if (buckets.Touched(1 + o))
            {
                owners.Add(new OwnerTrends(log.OwnerAt(o), Series(1 + o)));
            }
        }

        return new FunnelTrends(log.Pipeline.Id, period, zone.Id, window.Start, window.End, at, passSkipped, Series(0), owners, calendar);

        DateTimeOffset At(long ticks) => new DateTimeOffset(ticks, TimeSpan.Zero).ToOffset(zone.GetUtcOffset(new DateTime(ticks, DateTimeKind.Utc)));
    }

    /// <summary>The periods' keys and their bounds in UTC ticks: period k is [bounds[k], bounds[k + 1]), the first and last cut to the window.</summary>
    private static (string[] Keys, long[] Bounds) Periods(TimeWindow window, CohortPeriod period, TimeZoneInfo zone)
    {
        // A loose bound before walking the calendar (a day is at least 12 hours, even around a clock change), so an
        // unbounded window fails fast; the walk below counts exactly.
        var shortest = period switch
        {
            CohortPeriod.Day => TimeSpan.FromHours(12),
            CohortPeriod.Week => TimeSpan.FromDays(6),
            _ => TimeSpan.FromDays(27),
        };
        if (window.Duration.Ticks / shortest.Ticks > (2 * MaxPeriods) + 2)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, $"The trends' window {window} holds more than {MaxPeriods} periods of a {period}; use a shorter window or a longer period.");
        }

        var keys = new List<string>();
        var bounds = new List<long> { window.StartTicks };
        var day = FunnelBreakdowns.PeriodStart(TimeZoneDays.DateOf(window.Start, zone), period);
        while (true)
        {
            keys.Add(FunnelBreakdowns.Key(day, period));
            day = FunnelBreakdowns.NextPeriod(day, period);
            var next = TimeZoneDays.StartOfDay(day, zone).UtcTicks;
            if (next >= window.EndTicks)
            {
                bounds.Add(window.EndTicks);
                break;
            }

            bounds.Add(next);
            if (keys.Count >= MaxPeriods)
            {
                throw new ArgumentOutOfRangeException(nameof(window), window, $"The trends' window {window} holds more than {MaxPeriods} periods of a {period}; use a shorter window or a longer period.");
            }
        }

        return ([.. keys], [.. bounds]);
    }

    /// <summary>The layout of the cells: per series (the whole, then each owner), period and stage.</summary>
    private sealed class Shape(long[] bounds, int stageCount, int series, long asOf)
    {
        public long[] Bounds { get; } = bounds;

        public int Periods { get; } = bounds.Length - 1;

        public int StageCount { get; } = stageCount;

        public int Series { get; } = series;

        /// <summary>The instant durations are measured at, exclusive: the events at or before the tick before it are read.</summary>
        public long AsOf { get; } = asOf;

        public long Lo => Bounds[0];

        public long Hi => Bounds[^1];

        public int Cell(int series, int period, int stage) => (((series * Periods) + period) * StageCount) + stage;

        /// <summary>The period of an instant in [Lo, Hi): the last bound at or before it.</summary>
        public int PeriodOf(long ticks)
        {
            int lo = 0, hi = Periods - 1;
            while (lo < hi)
            {
                var mid = (lo + hi + 1) >> 1;
                if (Bounds[mid] <= ticks)
                {
                    lo = mid;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            return lo;
        }
    }

    /// <summary>The counters and observations of a set of clients, per cell.</summary>
    private sealed class Buckets : IDisposable
    {
        private readonly Shape _shape;

        // Each observation's cell and key, in the order read: one flat pair of lists, whatever the number of cells.
        private readonly PooledLongBuffer _cells = new(1024);
        private readonly PooledLongBuffer _keys = new(1024);

        // After Group: the observations ordered by cell, each cell's from _start[cell] to _start[cell + 1].
        private long[]? _grouped;
        private int[]? _start;

        private Buckets(Shape shape)
        {
            _shape = shape;
            var cells = shape.Series * shape.Periods * shape.StageCount;
            Cohort = new int[cells];
            Advanced = new int[cells];
            Lost = new int[cells];
            Completed = new int[cells];
            Open = new int[cells];
            FirstCohort = new int[shape.Series * shape.Periods];
            WonFromFirst = new int[shape.Series * shape.Periods];
        }

        public int[] Cohort { get; }

        public int[] Advanced { get; }

        public int[] Lost { get; }

        public int[] Completed { get; }

        public int[] Open { get; }

        public int[] FirstCohort { get; }

        public int[] WonFromFirst { get; }

        /// <summary>The clients [<paramref name="from"/>, <paramref name="to"/>) of the mask.</summary>
        public static Buckets Fold(FunnelEventLog log, Shape shape, bool passSkipped, bool[] clientMask, bool[] ownerMask, bool byOwner, int from, int to, WorkingCalendar? calendar)
        {
            var buckets = new Buckets(shape);
            var (cohort, advanced, lost, completed, open, cells, keys) = (buckets.Cohort, buckets.Advanced, buckets.Lost, buckets.Completed, buckets.Open, buckets._cells, buckets._keys);
            var stageCount = shape.StageCount;
            var won = log.Pipeline.WonStageIndex;
            var first = log.Pipeline.FirstOpenStageIndex;
            long lo = shape.Lo, hi = shape.Hi, measuredAt = shape.AsOf, cut = shape.AsOf - 1;
            var reach = new StageReach(log.Pipeline);
            var (reachedAt, advancedAt, reachOwner, reachedSinceFirst) = (reach.ReachedAt, reach.AdvancedAt, reach.ReachOwner, reach.ReachedSinceFirst);
            for (var c = from; c < to; c++)
            {
                if (!clientMask[c])
                {
                    continue;
                }

                // A client whose events up to the cut all lie before the window, or all after it, reaches nothing and begins no visit in it.
                var history = log.History(c);
                var last = history.LastAtOrBefore(cut);
                if (last < 0 || history.Ticks(last) < lo || history.Ticks(0) >= hi)
                {
                    continue;
                }

                // Conversion: the client's first reach of each stage, in the period it falls in (ConversionCalculator's cohorts).
                reach.Read(history, last, passSkipped);
                var isLost = history.Status(last) == ClientStatus.Lost;
                if (reachedAt[first] >= lo && reachedAt[first] < hi && reachOwner[first] is var firstOwner && ownerMask[firstOwner])
                {
                    var k = shape.PeriodOf(reachedAt[first]);
                    var wonToo = reachedSinceFirst[won] ? 1 : 0;
                    buckets.FirstCohort[k]++;
                    buckets.WonFromFirst[k] += wonToo;
                    if (byOwner)
                    {
                        buckets.FirstCohort[((1 + firstOwner) * shape.Periods) + k]++;
                        buckets.WonFromFirst[((1 + firstOwner) * shape.Periods) + k] += wonToo;
                    }
                }

                for (var s = 0; s < stageCount; s++)
                {
                    if (s == won || reachedAt[s] < lo || reachedAt[s] >= hi || !ownerMask[reachOwner[s]])
                    {
                        continue;
                    }

                    var k = shape.PeriodOf(reachedAt[s]);
                    var passed = advancedAt[s] != StageReach.Never;
                    var dropped = !passed && isLost;
                    for (var cell = shape.Cell(0, k, s); cell >= 0; cell = byOwner && cell < shape.Periods * stageCount ? shape.Cell(1 + reachOwner[s], k, s) : -1)
                    {
                        cohort[cell]++;
                        advanced[cell] += passed ? 1 : 0;
                        lost[cell] += dropped ? 1 : 0;
                    }
                }

                // Time in stage: each visit begun in the window, in the period of its beginning (TimeInStageCalculator's
                // visits), read from the client's first event in it.
                foreach (var visit in history.Visits(history.FirstAtOrAfter(lo), last))
                {
                    if (visit.EnteredAt < lo || visit.EnteredAt >= hi || history.Owner(visit.Entered) is var owner && !ownerMask[owner])
                    {
                        continue;
                    }

                    var k = shape.PeriodOf(visit.EnteredAt);
                    var duration = calendar is null ? visit.Duration(measuredAt, default(ElapsedClock)) : visit.Duration(measuredAt, new WorkingClock(calendar));
                    var key = Statistics.Key(duration, !visit.IsOpen);
                    for (var cell = shape.Cell(0, k, visit.Stage); cell >= 0; cell = byOwner && cell < shape.Periods * stageCount ? shape.Cell(1 + owner, k, visit.Stage) : -1)
                    {
                        (visit.IsOpen ? open : completed)[cell]++;
                        cells.Add(cell);
                        keys.Add(key);
                    }
                }
            }

            return buckets;
        }

        /// <summary>Adds the counters and observations of other clients.</summary>
        public void Add(Buckets other)
        {
            for (var cell = 0; cell < Cohort.Length; cell++)
            {
                Cohort[cell] += other.Cohort[cell];
                Advanced[cell] += other.Advanced[cell];
                Lost[cell] += other.Lost[cell];
                Completed[cell] += other.Completed[cell];
                Open[cell] += other.Open[cell];
            }

            _cells.AddRange(other._cells.AsSpan());
            _keys.AddRange(other._keys.AsSpan());

            for (var row = 0; row < FirstCohort.Length; row++)
            {
                FirstCohort[row] += other.FirstCohort[row];
                WonFromFirst[row] += other.WonFromFirst[row];
            }
        }

        /// <summary>Orders the observations by cell (a counting sort: each cell's count is known), for <see cref="SortedKeys"/>.</summary>
        public void Group()
        {
            var start = new int[Completed.Length + 1];
            for (var cell = 0; cell < Completed.Length; cell++)
            {
                start[cell + 1] = start[cell] + Completed[cell] + Open[cell];
            }

            var grouped = System.Buffers.ArrayPool<long>.Shared.Rent(Math.Max(1, start[^1]));
            var next = start[..^1];
            var cells = _cells.AsSpan();
            var keys = _keys.AsSpan();
            for (var i = 0; i < cells.Length; i++)
            {
                grouped[next[cells[i]]++] = keys[i];
            }

            (_grouped, _start) = (grouped, start);
        }

        /// <summary>The cell's observation keys (<see cref="Statistics.Key"/>), sorted in place; empty when none. After <see cref="Group"/>.</summary>
        public ReadOnlySpan<long> SortedKeys(int cell)
        {
            var keys = _grouped.AsSpan(_start![cell], _start[cell + 1] - _start[cell]);
            Statistics.SortNonNegative(keys);
            return keys;
        }

        /// <summary>Whether the series has a visit or a cohort member in some period.</summary>
        public bool Touched(int series)
        {
            var cells = _shape.Periods * _shape.StageCount;
            for (var cell = series * cells; cell < (series + 1) * cells; cell++)
            {
                if (Cohort[cell] > 0 || Completed[cell] > 0 || Open[cell] > 0)
                {
                    return true;
                }
            }

            for (var row = series * _shape.Periods; row < (series + 1) * _shape.Periods; row++)
            {
                if (FirstCohort[row] > 0)
                {
                    return true;
                }
            }

            return false;
        }

        public void Dispose()
        {
            _cells.Dispose();
            _keys.Dispose();
            if (_grouped is not null)
            {
                System.Buffers.ArrayPool<long>.Shared.Return(_grouped);
                _grouped = null;
            }
        }
    }
}
