namespace FunnelMetrics.Metrics;

/// <summary>Computes the <see cref="FlowLedger"/>: one pass over each client's events in the window.</summary>
public static class FlowLedgerCalculator
{
    /// <summary>The longest ledger computed in one call, in days (about ten years).</summary>
    public const int MaxDays = 3700;

    /// <summary>The most counters one call allocates (days x (stages + 1) x owners x 11): 64 million, 256 MB.</summary>
    private const long MaxCells = 64_000_000;

    // Counter columns of one (day, bucket, owner) cell.
    private const int Entered = 0, New = 1, Reopened = 2, AdvancedOut = 3, RegressedOut = 4, Lost = 5, ReopenedOut = 6, ReassignedIn = 7, ReassignedOut = 8, Activities = 9, Delta = 10, Columns = 11;

    /// <summary>Computes the ledger for the days from <paramref name="firstDay"/> to <paramref name="lastDay"/>, both inclusive.</summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="firstDay">The first local calendar day.</param>
    /// <param name="lastDay">The last local calendar day, inclusive; not before <paramref name="firstDay"/>.</param>
    /// <param name="timeZoneId">The IANA id of the time zone whose midnights divide the days, such as <c>Europe/Sofia</c>.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all. The owner condition applies to the owner each movement is counted for; the attribute condition to the clients as of the end of the last day.</param>
    /// <param name="parallelism">How many threads may read the clients (the options graph's <c>Parallelism</c> section); <see langword="null"/> for the defaults. The ledger is the same whatever the degree; fewer partitions are used when their counters would exceed the counters one call allocates.</param>
    /// <returns>The ledger.</returns>
    /// <exception cref="ArgumentException">The time zone is unknown, the days are out of order or more than <see cref="MaxDays"/>, or an option is out of range (the message names it, <c>Parallelism.MaxDegreeOfParallelism</c>).</exception>
    public static FlowLedger Compute(FunnelEventLog log, DateOnly firstDay, DateOnly lastDay, string timeZoneId, FunnelFilter? filter = null, ParallelismOptions? parallelism = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        var threads = ParallelismOptions.Check(parallelism, nameof(parallelism));
        var zone = TimeZones.Find(timeZoneId, nameof(timeZoneId));
        var dayCount = lastDay.DayNumber - firstDay.DayNumber + 1;
        if (dayCount < 1 || dayCount > MaxDays)
        {
            throw new ArgumentException($"The ledger's days run from {firstDay:yyyy-MM-dd} to {lastDay:yyyy-MM-dd}: the last day must not be before the first, and at most {MaxDays} days are computed at once.", nameof(lastDay));
        }

        filter ??= FunnelFilter.All;
        var ownerMask = filter.OwnerMask(log);
        var stageCount = log.Pipeline.Stages.Count;
        var buckets = stageCount + 1; // the stages, then lost
        var owners = log.OwnerCount;

        var bounds = new long[dayCount + 1];
        for (var d = 0; d <= dayCount; d++)
        {
            bounds[d] = TimeZoneDays.StartOfDay(firstDay.AddDays(d), zone).UtcTicks;
        }

        // Clients as of the ledger's last instant (the tick before the day after the last): attributes then decide the filter.
        var clientMask = filter.ClientMask(log, bounds[dayCount] - 1);

        var size = (long)dayCount * buckets * owners * Columns;
        if (size > MaxCells)
        {
            throw new ArgumentException($"A ledger of {dayCount} days for {owners} owners and {stageCount} stages needs {size:N0} counters, more than the {MaxCells:N0} computed at once; ask for fewer days.", nameof(lastDay));
        }

        var at = new CellIndex(buckets, owners);

        // The counters add: each partition of clients counts into its own, summed in partition order. The partitions
        // after the first count into pooled arrays, and together they stay within the counters one call may allocate.
        var parts = ClientPartitions.Fold(
            clientMask.Length,
            threads,
            (first, end) => Counters.Fold(log, bounds, clientMask, ownerMask, at, size, dayCount * owners, buckets * owners, pooled: first > 0, first, end),
            maxParts: size == 0 ? 1 : (int)Math.Max(1, MaxCells / size));
        var counters = parts[0];
        for (var p = 1; p < parts.Length; p++)
        {
            counters.AddAndReturn(parts[p]);
        }

        return Shape(log, firstDay, lastDay, zone, bounds, counters.Cells, counters.Totals, counters.Start, at);
    }

    /// <summary>
    /// The counters of a range of clients: per (day, bucket, owner) cell its columns, per (day, owner) every activity,
    /// and per (bucket, owner) the clients there at the first day's start.
    /// </summary>
    private sealed class Counters
    {
        private readonly bool _pooled;

        private Counters(int[] cells, int[] totals, int[] start, bool pooled) => (Cells, Totals, Start, _pooled) = (cells, totals, start, pooled);

        public int[] Cells { get; }

        public int[] Totals { get; }

        public int[] Start { get; }

        /// <summary>Counts the clients [<paramref name="from"/>, <paramref name="to"/>) of the mask.</summary>
        public static Counters Fold(FunnelEventLog log, long[] bounds, bool[] clientMask, bool[] ownerMask, CellIndex at, long size, int totalsSize, int startSize, bool pooled, int from, int to)
        {
            var counters = pooled
                ? new Counters(Rent(checked((int)size)), Rent(totalsSize), Rent(startSize), pooled: true)
                : new Counters(new int[size], new int[totalsSize], new int[startSize], pooled: false);
            var (cells, totals, start) = (counters.Cells, counters.Totals, counters.Start);
            var dayCount = bounds.Length - 1;
            var owners = log.OwnerCount;

            for (var c = from; c < to; c++)
            {
                if (!clientMask[c])
                {
                    continue;
                }

                var history = log.History(c);
                var end = history.Count;
                var i = history.LastAtOrBefore(bounds[0] - 1);
                if (i >= 0 && history.Bucket(i) is >= 0 and var b0 && ownerMask[history.Owner(i)])
                {
                    start[(b0 * owners) + history.Owner(i)]++;
                }

                i++;
                if (i >= end || history.Ticks(i) >= bounds[dayCount])
                {
                    continue;
                }

                // The first day by binary search, then forward: each client's events are in time order.
                var found = Array.BinarySearch(bounds, history.Ticks(i));
                var day = found >= 0 ? found : ~found - 1;
                for (; i < end && history.Ticks(i) < bounds[dayCount]; i++)
                {
                    while (history.Ticks(i) >= bounds[day + 1])
                    {
                        day++;
                    }

                    var owner = history.Owner(i);
                    var before = i > 0 ? history.Bucket(i - 1) : -1;
                    var beforeOwner = history.OwnerBefore(i);
                    var after = history.Bucket(i);
                    var kind = history.Kind(i);
                    void Add(int bucket, int who, int column)
                    {
                        if (bucket >= 0 && ownerMask[who])
                        {
                            cells[at[day, bucket, who, column]]++;
                        }
                    }

                    switch (kind)
                    {
                        case EventKind.Entered:
                            Add(after, owner, Entered);
                            Add(after, owner, New);
                            break;
                        case EventKind.Advanced or EventKind.Skipped or EventKind.Won:
                            Add(before, beforeOwner, AdvancedOut);
                            Add(after, owner, Entered);
                            break;
                        case EventKind.Regressed:
                            Add(before, beforeOwner, RegressedOut);
                            Add(after, owner, Entered);
                            break;
                        case EventKind.Lost:
                            Add(history.Stage(i), beforeOwner, Lost);
                            break;
                        case EventKind.Reopened:
                            if (history.Status(i - 1) == ClientStatus.Won)
                            {
                                Add(before, beforeOwner, ReopenedOut);
                            }

                            Add(after, owner, Entered);
                            Add(after, owner, Reopened);
                            break;
                        case EventKind.Activity:
                            if (history.Status(i) is ClientStatus.Open or ClientStatus.Won)
                            {
                                Add(after, owner, Activities);
                            }

                            if (ownerMask[owner])
                            {
                                totals[(day * owners) + owner]++;
                            }

                            break;
                    }

                    // A hand-over without a move: a reassignment, or an imported activity carrying another owner.
                    if (!kind.IsTransition() && beforeOwner != owner && history.Status(i) is ClientStatus.Open or ClientStatus.Won)
                    {
                        Add(before, beforeOwner, ReassignedOut);
                        Add(after, owner, ReassignedIn);
                    }

                    if (before != after || beforeOwner != owner)
                    {
                        if (before >= 0 && ownerMask[beforeOwner])
                        {
                            cells[at[day, before, beforeOwner, Delta]]--;
                        }

                        Add(after, owner, Delta);
                    }
                }
            }

            return counters;
        }

        /// <summary>Adds another range's counters into these and returns the other's pooled arrays.</summary>
        public void AddAndReturn(Counters other)
        {
            AddTo(Cells, other.Cells);
            AddTo(Totals, other.Totals);
            AddTo(Start, other.Start);
            if (other._pooled)
            {
                System.Buffers.ArrayPool<int>.Shared.Return(other.Cells);
                System.Buffers.ArrayPool<int>.Shared.Return(other.Totals);
                System.Buffers.ArrayPool<int>.Shared.Return(other.Start);
            }
        }

        private static int[] Rent(int length)
        {
            var array = System.Buffers.ArrayPool<int>.Shared.Rent(length);
            Array.Clear(array, 0, length);
            return array;
        }

        /// <summary>into[i] += from[i] for every i of <paramref name="into"/> (a rented <paramref name="from"/> may be longer).</summary>
        private static void AddTo(int[] into, int[] from)
        {
            Span<int> target = into;
            ReadOnlySpan<int> source = from.AsSpan(0, into.Length);
            var i = 0;
            if (System.Numerics.Vector.IsHardwareAccelerated)
            {
                var width = System.Numerics.Vector<int>.Count;
                for (; i <= target.Length - width; i += width)
                {
                    (new System.Numerics.Vector<int>(target[i..]) + new System.Numerics.Vector<int>(source[i..])).CopyTo(target[i..]);
                }
            }

            for (; i < target.Length; i++)
            {
                target[i] += source[i];
            }
        }
    }

    private static FlowLedger Shape(FunnelEventLog log, DateOnly firstDay, DateOnly lastDay, TimeZoneInfo zone, long[] bounds, int[] cells, int[] activityTotals, int[] start, CellIndex cell)
    {
        var pipeline = log.Pipeline;
        var stageCount = pipeline.Stages.Count;
        var won = pipeline.WonStageIndex;
        var owners = log.OwnerCount;
        var running = (int[])start.Clone();
        var days = new FlowDay[bounds.Length - 1];
        for (var d = 0; d < days.Length; d++)
        {
            var stageTotals = new int[stageCount, Columns + 1];
            var byOwner = new List<OwnerFlow>();
            var dayActivities = 0;
            for (var o = 0; o < owners; o++)
            {
                var any = activityTotals[(d * owners) + o] != 0;
                for (var b = 0; b <= stageCount; b++)
                {
                    running[(b * owners) + o] += cells[cell[d, b, o, Delta]];
                    any |= running[(b * owners) + o] != 0;
                }

                for (var s = 0; s < stageCount; s++)
                {
                    for (var k = 0; k < Delta; k++)
                    {
                        var v = cells[cell[d, s, o, k]];
                        stageTotals[s, k] += v;
                        any |= v != 0;
                    }

                    stageTotals[s, Columns] += running[(s * owners) + o];
                }

                dayActivities += activityTotals[(d * owners) + o];
                if (!any)
                {
                    continue;
                }

                var rows = new StageFlow[stageCount];
                for (var s = 0; s < stageCount; s++)
                {
                    rows[s] = Row(pipeline.Stages[s].Key, cells, cell, d, s, o, running[(s * owners) + o]);
                }

                byOwner.Add(new OwnerFlow(log.OwnerAt(o), rows, Totals(rows, won, activityTotals[(d * owners) + o], running[(stageCount * owners) + o])));
            }

            var allRows = new StageFlow[stageCount];
            var lostAtEnd = 0;
            for (var o = 0; o < owners; o++)
            {
                lostAtEnd += running[(stageCount * owners) + o];
            }

            for (var s = 0; s < stageCount; s++)
            {
                allRows[s] = new StageFlow(
                    pipeline.Stages[s].Key,
                    stageTotals[s, Entered],
                    stageTotals[s, New],
                    stageTotals[s, Reopened],
                    stageTotals[s, AdvancedOut],
                    stageTotals[s, RegressedOut],
                    stageTotals[s, Lost],
                    stageTotals[s, ReopenedOut],
                    0,
                    0,
                    stageTotals[s, Activities],
                    stageTotals[s, Columns]);
            }

            days[d] = new FlowDay(
                firstDay.AddDays(d),
                new DateTimeOffset(bounds[d], TimeSpan.Zero),
                new DateTimeOffset(bounds[d + 1], TimeSpan.Zero),
                allRows,
                Totals(allRows, won, dayActivities, lostAtEnd),
                byOwner);
        }

        return new FlowLedger(pipeline.Id, zone.Id, firstDay, lastDay, days);
    }

    private static StageFlow Row(StageId stage, int[] cells, CellIndex cell, int d, int s, int o, int countAtEnd) => new(
        stage,
        cells[cell[d, s, o, Entered]],
        cells[cell[d, s, o, New]],
        cells[cell[d, s, o, Reopened]],
        cells[cell[d, s, o, AdvancedOut]],
        cells[cell[d, s, o, RegressedOut]],
        cells[cell[d, s, o, Lost]],
        cells[cell[d, s, o, ReopenedOut]],
        cells[cell[d, s, o, ReassignedIn]],
        cells[cell[d, s, o, ReassignedOut]],
        cells[cell[d, s, o, Activities]],
        countAtEnd);

    /// <summary>The position of counter (day, bucket, owner, column) in the flat counter array.</summary>
    private readonly struct CellIndex(int buckets, int owners)
    {
        public long this[int day, int bucket, int owner, int column] => (((((((long)day * buckets) + bucket) * owners) + owner) * Columns) + column);
    }

    private static FlowTotals Totals(StageFlow[] rows, int won, int activities, int lostAtEnd)
    {
        int @new = 0, forward = 0, regressions = 0, losses = 0, reopens = 0, inWork = 0;
        foreach (var r in rows)
        {
            @new += r.New;
            forward += r.AdvancedOut;
            regressions += r.RegressedOut;
            losses += r.Lost;
            reopens += r.Reopened;
        }

        for (var s = 0; s < rows.Length; s++)
        {
            inWork += s == won ? 0 : rows[s].CountAtEnd;
        }

        // Wins are the arrivals into the won stage: nothing else may enter it.
        return new FlowTotals(@new, forward, regressions, rows[won].Entered, losses, reopens, activities, inWork, rows[won].CountAtEnd, lostAtEnd);
    }
}
