using System.Runtime.CompilerServices;

namespace FunnelMetrics.Metrics;

/// <summary>Computes the <see cref="PipelineWaterfall"/>: one pass over the clients, each read as of the start and as of the end.</summary>
public static class PipelineWaterfallCalculator
{
    // Lines of one (owner, stage) cell.
    private const int OpenAtStart = 0, New = 1, Reopened = 2, HandedIn = 3, Won = 4, Lost = 5, HandedOut = 6, Increased = 7, Decreased = 8,
        BecameKnown = 9, BecameUnknown = 10, OpenAtEnd = 11, PushedOut = 12, PulledIn = 13, Lines = 14;

    /// <summary>Computes the waterfall and the stage matrix between two instants.</summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="start">The first instant: each client's state as of it (events at or before it applied).</param>
    /// <param name="end">The last instant, after <paramref name="start"/>: each client's state as of it.</param>
    /// <param name="timeZoneId">The IANA id of the time zone the period's days (for the expected close dates) are read in, such as <c>Europe/Sofia</c>.</param>
    /// <param name="filter">
    /// Which clients and owners; <see langword="null"/> for all. The attribute condition uses the clients as of
    /// <paramref name="end"/>; the owner condition keeps each line's owner (as of the start for clients leaving a
    /// stage's open pipeline, as of the end for clients arriving), so a client handed over between a kept owner and
    /// another shows as handed over in or out.
    /// </param>
    /// <param name="parallelism">How many threads may read the clients (the options graph's <c>Parallelism</c> section); <see langword="null"/> for the defaults. The waterfall is the same whatever the degree.</param>
    /// <returns>The waterfall.</returns>
    /// <exception cref="ArgumentException">The time zone is unknown, <paramref name="end"/> is not after <paramref name="start"/>, or an option is out of range (the message names it, <c>Parallelism.MaxDegreeOfParallelism</c>).</exception>
    public static PipelineWaterfall Compute(FunnelEventLog log, DateTimeOffset start, DateTimeOffset end, string timeZoneId, FunnelFilter? filter = null, ParallelismOptions? parallelism = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        var threads = ParallelismOptions.Check(parallelism, nameof(parallelism));
        var zone = TimeZones.Find(timeZoneId, nameof(timeZoneId));
        if (end <= start)
        {
            throw new ArgumentException($"The waterfall's end {end:O} must be after its start {start:O}.", nameof(end));
        }

        filter ??= FunnelFilter.All;
        var (t0, t1) = (start.UtcTicks, end.UtcTicks);
        var firstDay = TimeZoneDays.DateOf(start, zone);
        var lastDay = DayOfOrEndingAt(end, zone);
        var (clientMask, ownerMask) = (filter.ClientMask(log, t1), filter.OwnerMask(log));
        var allOwners = filter.Owners is null;

        // The counters add: each partition of clients counts into its own, summed in partition order.
        var parts = ClientPartitions.Fold(clientMask.Length, threads, (from, to) => Fold(log, t0, t1, firstDay, lastDay, clientMask, ownerMask, allOwners, from, to));
        var counts = parts[0];
        for (var p = 1; p < parts.Length; p++)
        {
            counts.Add(parts[p]);
        }

        return counts.Shape(log, start, end, timeZoneId, firstDay, lastDay);
    }

    /// <summary>The local day containing <paramref name="instant"/>, or ending at it when it is a day's start (the dashboard's today).</summary>
    internal static DateOnly DayOfOrEndingAt(DateTimeOffset instant, TimeZoneInfo zone)
    {
        var day = TimeZoneDays.DateOf(instant, zone);
        return TimeZoneDays.StartOfDay(day, zone) >= instant ? day.AddDays(-1) : day;
    }

    /// <summary>The counters of the clients [<paramref name="first"/>, <paramref name="last"/>): one pass, each client read as of both instants.</summary>
    private static Counters Fold(FunnelEventLog log, long t0, long t1, DateOnly firstDay, DateOnly lastDay, bool[] clientMask, bool[] ownerMask, bool allOwners, int first, int last)
    {
        var pipeline = log.Pipeline;
        var stages = pipeline.Stages.Count;
        var won = pipeline.WonStageIndex;
        var counts = new Counters(log.OwnerCount, stages);
        for (var c = first; c < last; c++)
        {
            if (!clientMask[c])
            {
                continue;
            }

            var history = log.History(c);
            var e1 = history.LastAtOrBefore(t1);
            var b1 = e1 >= 0 ? history.Bucket(e1) : -1;
            if (b1 < 0)
            {
                // Not entered as of the end, so not as of the start either: in no line and no cell.
                continue;
            }

            // A client whose last event by the end is not after the start (most clients of a long history) has one state.
            var e0 = history.Ticks(e1) <= t0 ? e1 : history.LastAtOrBefore(t0);
            var b0 = e0 == e1 ? b1 : e0 >= 0 ? history.Bucket(e0) : -1;
            if (e0 == e1 && allOwners && (b1 == won || b1 == stages))
            {
                // Won or lost at both instants, nothing in between: one matrix cell, no line, its record not read.
                counts.Count(1 + b1, 1 + b1);
                continue;
            }

            var o0 = e0 >= 0 ? history.Owner(e0) : history.InitialOwner;
            var o1 = history.Owner(e1);
            var (k0, k1) = (ownerMask[o0], ownerMask[o1]);
            var open0 = b0 >= 0 && b0 != won && b0 < stages;
            var open1 = b1 != won && b1 < stages;
            var (from, to) = (k0 && b0 >= 0 ? 1 + b0 : 0, k1 ? 1 + b1 : 0);
            if (!open0 && b0 == b1)
            {
                // Won or lost at both instants (most of a long history): in one matrix cell and no line, its record not
                // read (a cache miss per client would cost more than the rest of the pass), so the cell has no values.
                counts.Count(from, to);
                continue;
            }

            // The segment's value columns, not the records: one array read each for a client without updates.
            var (v0, v1) = (history.ValueAsOf(t0), history.ValueAsOf(t1));
            counts.Matrix(from, to, v0, v1);

            if (open0 && k0)
            {
                counts.Add(o0, b0, OpenAtStart, v0);
            }

            if (open1 && k1)
            {
                counts.Add(o1, b1, OpenAtEnd, v1);
            }

            if (open0 && open1)
            {
                if (o0 != o1)
                {
                    if (k0)
                    {
                        counts.Add(o0, b0, HandedOut, v0);
                    }

                    if (k1)
                    {
                        counts.Add(o1, b0, HandedIn, v0);
                    }
                }

                if (!k1)
                {
                    continue;
                }

                if (b0 != b1)
                {
                    counts.Move(o1, b0, b1, v0);
                }

                switch (v0, v1)
                {
                    case ({ } before, { } after) when after > before:
                        counts.Add(o1, b1, Increased, after - before);
                        break;
                    case ({ } before, { } after) when after < before:
                        counts.Add(o1, b1, Decreased, before - after);
                        break;
                    case (null, { } after):
                        counts.Add(o1, b1, BecameKnown, after);
                        break;
                    case ({ } before, null):
                        counts.Add(o1, b1, BecameUnknown, before);
                        break;
                }

                var (d0, d1) = (history.CloseDateAsOf(t0), history.CloseDateAsOf(t1));
                if (d0 is { } was && d1 is { } now)
                {
                    if (was >= firstDay && was <= lastDay && now > lastDay)
                    {
                        counts.Add(o1, b1, PushedOut, v1);
                    }
                    else if (was > lastDay && now >= firstDay && now <= lastDay)
                    {
                        counts.Add(o1, b1, PulledIn, v1);
                    }
                }
            }
            else if (open0)
            {
                if (k0)
                {
                    counts.Add(o0, b0, b1 == won ? Won : Lost, v0);
                }
            }
            else if (open1)
            {
                if (k1)
                {
                    counts.Add(o1, b1, b0 < 0 ? New : Reopened, v1);
                }
            }
            else if (b0 < 0 && k1)
            {
                counts.Entered(o1, b1 == won ? 0 : 1, v1);
            }
        }

        return counts;
    }

    /// <summary>The counters: per (owner, stage) its lines, per (owner, from, to) the moves, per owner the clients that entered and closed, and the matrix; the team is the row after the last owner.</summary>
    private sealed class Counters
    {
        private readonly int _owners;
        private readonly int _stages;
        private readonly int _states;
        private readonly Tally _lines;
        private readonly Tally _moves;
        private readonly Tally _entered;
        private readonly int[] _cells;
        private readonly decimal[] _cellStart;
        private readonly int[] _cellUnknownStart;
        private readonly decimal[] _cellEnd;
        private readonly int[] _cellUnknownEnd;
        private readonly int[] _closedCells;

        public Counters(int owners, int stages)
        {
            (_owners, _stages, _states) = (owners, stages, stages + 2);
            var rows = Math.Max(owners, 1) + 1;
            _lines = new Tally(rows * stages * Lines);
            _moves = new Tally(rows * stages * stages);
            _entered = new Tally(rows * 2);
            var cells = _states * _states;
            (_cells, _cellStart, _cellUnknownStart, _cellEnd, _cellUnknownEnd) = (new int[cells], new decimal[cells], new int[cells], new decimal[cells], new int[cells]);
            _closedCells = new int[cells];
        }

        private int Team => Math.Max(_owners, 1);

        /// <summary>Adds the counters of another partition of the clients (same log).</summary>
        public void Add(Counters other)
        {
            _lines.AddAll(other._lines);
            _moves.AddAll(other._moves);
            _entered.AddAll(other._entered);
            for (var i = 0; i < _cells.Length; i++)
            {
                _cells[i] += other._cells[i];
                _cellStart[i] += other._cellStart[i];
                _cellUnknownStart[i] += other._cellUnknownStart[i];
                _cellEnd[i] += other._cellEnd[i];
                _cellUnknownEnd[i] += other._cellUnknownEnd[i];
                _closedCells[i] += other._closedCells[i];
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(int owner, int stage, int line, decimal? value) => _lines.Add((((owner * _stages) + stage) * Lines) + line, value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Move(int owner, int from, int to, decimal? value) => _moves.Add((((owner * _stages) + from) * _stages) + to, value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Entered(int owner, int lost, decimal? value) => _entered.Add((owner * 2) + lost, value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Count(int from, int to) => _closedCells[(from * _states) + to]++;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Matrix(int from, int to, decimal? v0, decimal? v1)
        {
            var cell = (from * _states) + to;
            _cells[cell]++;
            if (v0 is { } a)
            {
                _cellStart[cell] += a;
            }
            else
            {
                _cellUnknownStart[cell]++;
            }

            if (v1 is { } b)
            {
                _cellEnd[cell] += b;
            }
            else
            {
                _cellUnknownEnd[cell]++;
            }
        }

        public PipelineWaterfall Shape(FunnelEventLog log, DateTimeOffset start, DateTimeOffset end, string timeZone, DateOnly firstDay, DateOnly lastDay)
        {
            var pipeline = log.Pipeline;
            var team = Team;
            for (var o = 0; o < _owners; o++)
            {
                _lines.AddRow(o, team, _stages * Lines);
                _moves.AddRow(o, team, _stages * _stages);
                _entered.AddRow(o, team, 2);
            }

            var byOwner = new List<OwnerWaterfall>();
            for (var o = 0; o < _owners; o++)
            {
                if (_lines.RowIsEmpty(o, _stages * Lines) && _moves.RowIsEmpty(o, _stages * _stages) && _entered.RowIsEmpty(o, 2))
                {
                    continue;
                }

                var (stagesOf, totalOf) = Stages(pipeline, o);
                byOwner.Add(new OwnerWaterfall(log.OwnerAt(o), stagesOf, totalOf, _entered.Line(o * 2), _entered.Line((o * 2) + 1)));
            }

            var (teamStages, teamTotal) = Stages(pipeline, team);
            return new PipelineWaterfall(pipeline.Id, start, end, timeZone, firstDay, lastDay, teamStages, teamTotal, _entered.Line(team * 2), _entered.Line((team * 2) + 1), byOwner, MatrixCells(pipeline));
        }

        private (List<StageWaterfall> Stages, StageWaterfall Total) Stages(PipelineDefinition pipeline, int row)
        {
            var won = pipeline.WonStageIndex;
            var result = new List<StageWaterfall>();
            var total = new Tally(Lines);
            var movesTotal = new Tally(1);
            var moveTally = new Tally(2);
            for (var s = 0; s < _stages; s++)
            {
                if (s == won)
                {
                    continue;
                }

                List<WaterfallMove>? movedIn = null, movedOut = null;
                moveTally.Clear(0);
                moveTally.Clear(1);
                for (var r = 0; r < _stages; r++)
                {
                    if (r == won || r == s)
                    {
                        continue;
                    }

                    var into = (((row * _stages) + r) * _stages) + s;
                    if (_moves.Clients(into) > 0)
                    {
                        (movedIn ??= []).Add(new WaterfallMove(pipeline.Stages[r].Key, _moves.Line(into)));
                        moveTally.AddFrom(0, _moves, into);
                        movesTotal.AddFrom(0, _moves, into);
                    }

                    var outOf = (((row * _stages) + s) * _stages) + r;
                    if (_moves.Clients(outOf) > 0)
                    {
                        (movedOut ??= []).Add(new WaterfallMove(pipeline.Stages[r].Key, _moves.Line(outOf)));
                        moveTally.AddFrom(1, _moves, outOf);
                    }
                }

                var at = ((row * _stages) + s) * Lines;
                for (var l = 0; l < Lines; l++)
                {
                    total.AddFrom(l, _lines, at + l);
                }

                // A stage with no client on any line and no move in or out (every line zero) is left out: the lists stay as
                // long as the history that fills them, not the pipeline (a line counts a client whenever it counts anything).
                if (movedIn is not null || movedOut is not null || !_lines.RowIsEmpty(at / Lines, Lines))
                {
                    result.Add(Stage(pipeline.Stages[s].Key, _lines, at, movedIn ?? [], moveTally.Line(0), movedOut ?? [], moveTally.Line(1)));
                }
            }

            return (result, Stage(null, total, 0, [], movesTotal.Line(0), [], movesTotal.Line(0)));
        }

        private static StageWaterfall Stage(StageId? stage, Tally lines, int at, IReadOnlyList<WaterfallMove> movedIn, WaterfallLine inTotal, IReadOnlyList<WaterfallMove> movedOut, WaterfallLine outTotal) =>
            new(
                stage,
                lines.Line(at + OpenAtStart),
                lines.Line(at + New),
                lines.Line(at + Reopened),
                lines.Line(at + HandedIn),
                movedIn,
                inTotal,
                movedOut,
                outTotal,
                lines.Line(at + Won),
                lines.Line(at + Lost),
                lines.Line(at + HandedOut),
                lines.Line(at + Increased),
                lines.Line(at + Decreased),
                lines.Line(at + BecameKnown),
                lines.Line(at + BecameUnknown),
                lines.Line(at + OpenAtEnd),
                lines.Line(at + PushedOut),
                lines.Line(at + PulledIn));

        private List<StageMatrixCell> MatrixCells(PipelineDefinition pipeline)
        {
            // States in result order: not entered, the open stages in pipeline order, won, lost; each with its cell index.
            var won = pipeline.WonStageIndex;
            var order = new List<(int Index, WaterfallState State)>(_states) { (0, new WaterfallState(WaterfallStateKind.NotEntered, null)) };
            for (var s = 0; s < _stages; s++)
            {
                if (s != won)
                {
                    order.Add((1 + s, new WaterfallState(WaterfallStateKind.Open, pipeline.Stages[s].Key)));
                }
            }

            order.Add((1 + won, new WaterfallState(WaterfallStateKind.Won, pipeline.WonStage)));
            order.Add((1 + _stages, new WaterfallState(WaterfallStateKind.Lost, null)));
            var cells = new List<StageMatrixCell>();
            foreach (var (from, fromState) in order)
            {
                foreach (var (to, toState) in order)
                {
                    var cell = (from * _states) + to;
                    if (_closedCells[cell] > 0 && (from, to) != (0, 0))
                    {
                        // Some of its clients were closed in the same state at both instants, their values not read: no values.
                        cells.Add(new StageMatrixCell(fromState, toState, _cells[cell] + _closedCells[cell], null, null, null, null));
                    }
                    else if (_cells[cell] > 0 && (from, to) != (0, 0))
                    {
                        cells.Add(new StageMatrixCell(fromState, toState, _cells[cell], _cellStart[cell], _cellUnknownStart[cell], _cellEnd[cell], _cellUnknownEnd[cell]));
                    }
                }
            }

            return cells;
        }
    }

    /// <summary>Lines of counters: clients, the sum of their known values, and how many had none.</summary>
    private sealed class Tally(int size)
    {
        private readonly int[] _clients = new int[size];
        private readonly decimal[] _values = new decimal[size];
        private readonly int[] _unknown = new int[size];

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(int i, decimal? value)
        {
            _clients[i]++;
            if (value is { } v)
            {
                _values[i] += v;
            }
            else
            {
                _unknown[i]++;
            }
        }

        public int Clients(int i) => _clients[i];

        public void Clear(int i) => (_clients[i], _values[i], _unknown[i]) = (0, 0m, 0);

        public WaterfallLine Line(int i) => _clients[i] == 0 && _values[i] == 0m && _unknown[i] == 0 ? WaterfallLine.Zero : new(_clients[i], _values[i], _unknown[i]);

        public void AddFrom(int i, Tally other, int j)
        {
            _clients[i] += other._clients[j];
            _values[i] += other._values[j];
            _unknown[i] += other._unknown[j];
        }

        public void AddAll(Tally other)
        {
            for (var i = 0; i < _clients.Length; i++)
            {
                AddFrom(i, other, i);
            }
        }

        public void AddRow(int from, int into, int width)
        {
            for (var k = 0; k < width; k++)
            {
                AddFrom((into * width) + k, this, (from * width) + k);
            }
        }

        public bool RowIsEmpty(int row, int width) => _clients.AsSpan(row * width, width).IndexOfAnyExcept(0) < 0;
    }
}
