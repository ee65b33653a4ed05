namespace FunnelMetrics.Metrics;

/// <summary>
/// Lists the rows behind a count, a page at a time: the clients in a stage, stalled, won or lost, the moves into or
/// out of a stage in a window. Each measure reads the log exactly as the calculator of its count does, so a list's
/// <see cref="ClientList.Total"/> is that count (see <see cref="ClientListMeasure"/>).
/// </summary>
public static class ClientListCalculator
{
    /// <summary>Lists one page.</summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="query">What to list.</param>
    /// <param name="stalls">The stall options, for <see cref="ClientListMeasure.Stalled"/>; <see langword="null"/> for the defaults.</param>
    /// <param name="calendar">For <see cref="ClientListMeasure.Stalled"/>, the working calendar idle times are measured in, as <see cref="StallCalculator.Compute"/> takes it; <see langword="null"/> for elapsed time.</param>
    /// <returns>The page, with the total of every page.</returns>
    /// <exception cref="ArgumentException">
    /// The query lacks what its measure needs (a state's <see cref="ClientListQuery.AsOf"/>, <see cref="ClientListMeasure.Slipped"/>'s known <see cref="ClientListQuery.TimeZone"/>, an event's
    /// <see cref="ClientListQuery.Window"/>, <see cref="ClientListMeasure.InStage"/>'s stage), names a stage the
    /// pipeline does not have, or gives <see cref="ClientListMeasure.Won"/> a stage; the message names the parameter.
    /// </exception>
    public static ClientList Compute(FunnelEventLog log, ClientListQuery query, StallOptions? stalls = null, WorkingCalendar? calendar = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(query);
        var pipeline = log.Pipeline;
        var stage = -1;
        if (query.Stage is { } key)
        {
            stage = pipeline.IndexOf(key);
            if (stage < 0)
            {
                throw new ArgumentException($"Stage '{key}' is not a stage of pipeline '{pipeline.Id}'; its stages are {string.Join(", ", pipeline.Stages.Select(s => $"'{s.Key}'"))}.", nameof(query));
            }

            if (query.Measure == ClientListMeasure.Won)
            {
                throw new ArgumentException($"The measure Won lists the moves into the won stage '{pipeline.WonStage}'; it takes no stage (got '{key}').", nameof(query));
            }
        }
        else if (query.Measure == ClientListMeasure.InStage)
        {
            throw new ArgumentException("The measure InStage needs a stage.", nameof(query));
        }

        var filter = query.Filter ?? FunnelFilter.All;
        if (query.IsState)
        {
            var asOf = query.AsOf ?? throw new ArgumentException($"The measure {query.Measure} is a state as of an instant: it needs AsOf.", nameof(query));
            return query.Measure switch
            {
                ClientListMeasure.Stalled => ListStalled(log, query, asOf, stage, stalls, filter, calendar),
                ClientListMeasure.Slipped => ListSlipped(log, query, asOf, stage, filter),
                _ => ListStates(log, query, asOf.UtcTicks, stage, filter),
            };
        }

        var window = query.Window ?? throw new ArgumentException($"The measure {query.Measure} counts events in a window: it needs Window.", nameof(query));
        return ListEvents(log, query, window, stage, filter);
    }

    private static ClientList ListStates(FunnelEventLog log, ClientListQuery query, long cut, int stage, FunnelFilter filter)
    {
        var (clientMask, ownerMask) = (filter.ClientMask(log, cut), filter.OwnerMask(log));
        var rows = new List<Row>();
        for (var c = 0; c < clientMask.Length; c++)
        {
            if (!clientMask[c])
            {
                continue;
            }

            var history = log.History(c);
            var e = history.LastAtOrBefore(cut);
            if (e < 0 || history.Bucket(e) < 0 || !ownerMask[history.Owner(e)])
            {
                continue;
            }

            var status = history.Status(e);
            var keep = query.Measure switch
            {
                ClientListMeasure.InStage => history.Bucket(e) == stage,
                ClientListMeasure.InWork => status == ClientStatus.Open && (stage < 0 || history.Stage(e) == stage),
                _ => status == ClientStatus.Lost && (stage < 0 || history.Stage(e) == stage),
            };
            if (keep)
            {
                var start = history.StateStart(e);
                rows.Add(new Row(history.Ticks(start), c, e, history.Stage(e), history.Owner(e)));
            }
        }

        return Page(log, query, rows);
    }

    private static ClientList ListEvents(FunnelEventLog log, ClientListQuery query, TimeWindow window, int stage, FunnelFilter filter)
    {
        var (start, end) = (window.Start.UtcTicks, window.End.UtcTicks);
        var (clientMask, ownerMask) = (filter.ClientMask(log, end - 1), filter.OwnerMask(log));
        var won = log.Pipeline.WonStageIndex;
        var rows = new List<Row>();
        for (var c = 0; c < clientMask.Length; c++)
        {
            if (!clientMask[c])
            {
                continue;
            }

            var history = log.History(c);
            for (var i = history.FirstAtOrAfter(start); i < history.Count && history.Ticks(i) < end; i++)
            {
                var kind = history.Kind(i);
                if (!kind.IsTransition())
                {
                    continue;
                }

                // The bucket and owner the flow ledger counts the row for: after a move in, before a move out or a loss.
                var (into, owner) = (history.Bucket(i), history.Owner(i));
                var (outOf, ownerBefore) = (i > 0 ? history.Bucket(i - 1) : -1, history.OwnerBefore(i));
                var entry = kind is EventKind.Entered or EventKind.Advanced or EventKind.Skipped or EventKind.Won or EventKind.Regressed or EventKind.Reopened;
                (bool Keep, int Stage, int Owner) row = query.Measure switch
                {
                    ClientListMeasure.New => (kind == EventKind.Entered && (stage < 0 || into == stage), into, owner),
                    ClientListMeasure.Entered => (entry && into >= 0 && (stage < 0 || into == stage), into, owner),
                    ClientListMeasure.Won => (entry && into == won, into, owner),
                    ClientListMeasure.Reopened => (kind == EventKind.Reopened && (stage < 0 || into == stage), into, owner),
                    ClientListMeasure.MovedForward => (kind.IsForwardMove() && outOf >= 0 && (stage < 0 || outOf == stage), outOf, ownerBefore),
                    ClientListMeasure.Regressed => (kind == EventKind.Regressed && outOf >= 0 && (stage < 0 || outOf == stage), outOf, ownerBefore),
                    _ => (kind == EventKind.Lost && (stage < 0 || history.Stage(i) == stage), history.Stage(i), ownerBefore),
                };
                if (row.Keep && ownerMask[row.Owner])
                {
                    rows.Add(new Row(history.Ticks(i), c, i, row.Stage, row.Owner));
                }
            }
        }

        return Page(log, query, rows);
    }

    private static ClientList ListStalled(FunnelEventLog log, ClientListQuery query, DateTimeOffset asOf, int stage, StallOptions? stalls, FunnelFilter filter, WorkingCalendar? calendar)
    {
        var stalled = StallCalculator.Compute(log, asOf, stalls, filter, calendar: calendar).Clients;
        var key = stage >= 0 ? log.Pipeline.Stages[stage].Key : (StageId?)null;
        var total = 0;
        var items = new List<ClientListItem>();
        foreach (var s in stalled)
        {
            if (key is { } k && s.Stage != k)
            {
                continue;
            }

            if (total >= query.Offset && items.Count < query.Limit)
            {
                var client = log.ClientAsOf(s.ClientId, asOf);
                items.Add(new ClientListItem(client, s.Owner, s.Stage, ClientStatus.Open, s.LastTouchedAt, s.Idle, s.Overdue));
            }

            total++;
        }

        return new ClientList(log.Pipeline.Id, query, total, items);
    }

    private static ClientList ListSlipped(FunnelEventLog log, ClientListQuery query, DateTimeOffset asOf, int stage, FunnelFilter filter)
    {
        var zoneId = query.TimeZone ?? throw new ArgumentException("The measure Slipped reads expected close dates in a time zone's days: it needs TimeZone.", nameof(query));
        var today = PipelineWaterfallCalculator.DayOfOrEndingAt(asOf, TimeZones.Find(zoneId, nameof(query)));
        var cut = asOf.UtcTicks;
        var total = 0;
        var items = new List<ClientListItem>();
        foreach (var row in SlippedClientsCalculator.Fold(log, cut, today, filter))
        {
            var history = log.History(row.Client);
            var e = history.LastAtOrBefore(cut);
            if (stage >= 0 && history.Stage(e) != stage)
            {
                continue;
            }

            if (total >= query.Offset && items.Count < query.Limit)
            {
                var start = history.StateStart(e);
                items.Add(new ClientListItem(history.ClientAsOf(cut), log.OwnerAt(history.Owner(e)), log.Pipeline.Stages[history.Stage(e)].Key, ClientStatus.Open, new DateTimeOffset(history.Ticks(start), TimeSpan.Zero), null, row.DaysOverdue));
            }

            total++;
        }

        return new ClientList(log.Pipeline.Id, query, total, items);
    }

    private static ClientList Page(FunnelEventLog log, ClientListQuery query, List<Row> rows)
    {
        // Time order; ties by client id (the log's client order), then by the event's position.
        rows.Sort(static (a, b) => a.Ticks != b.Ticks ? a.Ticks.CompareTo(b.Ticks) : a.Client != b.Client ? a.Client.CompareTo(b.Client) : a.Event.CompareTo(b.Event));
        var items = new List<ClientListItem>(Math.Max(0, Math.Min(query.Limit, rows.Count - query.Offset)));
        var stages = log.Pipeline.Stages;
        for (var r = query.Offset; r < rows.Count && items.Count < query.Limit; r++)
        {
            var row = rows[r];
            var history = log.History(row.Client);
            items.Add(new ClientListItem(history.ClientAsOf(row.Ticks), log.OwnerAt(row.Owner), stages[row.Stage].Key, history.Status(row.Event), new DateTimeOffset(row.Ticks, TimeSpan.Zero), null, null));
        }

        return new ClientList(log.Pipeline.Id, query, rows.Count, items);
    }

    private readonly record struct Row(long Ticks, int Client, int Event, int Stage, int Owner);
}
