namespace FunnelMetrics.Metrics;

/// <summary>Computes <see cref="SlippedClients"/>: one pass over the clients, each read as of the instant.</summary>
public static class SlippedClientsCalculator
{
    /// <summary>The most slipped clients listed by default: 100.</summary>
    public const int DefaultLimit = 100;

    /// <summary>Finds the open clients whose expected close date has passed as of an instant.</summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="asOf">The instant, inclusive.</param>
    /// <param name="timeZoneId">The IANA id of the time zone whose days the dates are, such as <c>Europe/Sofia</c>.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all. The owner condition uses the owner as of <paramref name="asOf"/>, the attribute condition the attributes as of it.</param>
    /// <param name="limit">The most slipped clients <see cref="SlippedClients.Clients"/> lists (the counts count them all); 0 for none.</param>
    /// <returns>The counts per stage and owner and the most overdue clients.</returns>
    /// <exception cref="ArgumentException">The time zone is unknown.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is negative.</exception>
    public static SlippedClients Compute(FunnelEventLog log, DateTimeOffset asOf, string timeZoneId, FunnelFilter? filter = null, int limit = DefaultLimit)
    {
        ArgumentNullException.ThrowIfNull(log);
        var zone = TimeZones.Find(timeZoneId, nameof(timeZoneId));
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var today = PipelineWaterfallCalculator.DayOfOrEndingAt(asOf, zone);
        var pipeline = log.Pipeline;
        var (stages, won, owners) = (pipeline.Stages.Count, pipeline.WonStageIndex, log.OwnerCount);
        var open = new int[Math.Max(owners, 1) * stages];
        var slipped = new int[open.Length];
        var noDate = new int[open.Length];
        var value = new decimal[open.Length];
        var rows = Fold(log, asOf.UtcTicks, today, filter ?? FunnelFilter.All, (cell, v, state) =>
        {
            open[cell]++;
            if (state < 0)
            {
                noDate[cell]++;
            }
            else if (state > 0)
            {
                slipped[cell]++;
                value[cell] += v ?? 0m;
            }
        });

        var clients = new List<SlippedClient>(Math.Min(limit, rows.Count));
        for (var r = 0; r < rows.Count && clients.Count < limit; r++)
        {
            clients.Add(Item(log, rows[r], asOf.UtcTicks, today));
        }

        var (byStage, totals) = Stages(pipeline, 0, owners, open, slipped, value, noDate);
        var byOwner = new List<OwnerSlip>();
        for (var o = 0; o < owners; o++)
        {
            var (ownStages, own) = Stages(pipeline, o, o + 1, open, slipped, value, noDate);
            if (own.Open > 0)
            {
                byOwner.Add(new OwnerSlip(log.OwnerAt(o), own.Open, own.Slipped, own.Value, own.NoDate, ownStages));
            }
        }

        return new SlippedClients(pipeline.Id, asOf, timeZoneId, today, totals.Open, totals.Slipped, totals.Value, totals.NoDate, clients, byStage, byOwner);
    }

    /// <summary>
    /// The slipped clients as of <paramref name="cut"/>, most overdue first (ties by client id); <paramref name="count"/>
    /// is told each open client's (owner, stage) cell, value, and -1 without a date, 1 when slipped, 0 otherwise.
    /// </summary>
    internal static List<Row> Fold(FunnelEventLog log, long cut, DateOnly today, FunnelFilter filter, Action<int, decimal?, int>? count = null)
    {
        var (clientMask, ownerMask) = (filter.ClientMask(log, cut), filter.OwnerMask(log));
        var stages = log.Pipeline.Stages.Count;
        var keys = new List<long>();
        var days = today.DayNumber;
        for (var c = 0; c < clientMask.Length; c++)
        {
            if (!clientMask[c])
            {
                continue;
            }

            var history = log.History(c);
            var e = history.LastAtOrBefore(cut);
            if (e < 0 || history.Status(e) != ClientStatus.Open || !ownerMask[history.Owner(e)])
            {
                continue;
            }

            var client = history.ClientAsOf(cut);
            var state = client.ExpectedCloseDate is { } date ? (date.DayNumber < days ? 1 : 0) : -1;
            count?.Invoke((history.Owner(e) * stages) + history.Stage(e), client.Value, state);
            if (state > 0)
            {
                // Most overdue first, then by client index (the log's client order is client id order): one sortable key.
                keys.Add(((long)(int.MaxValue - (days - client.ExpectedCloseDate!.Value.DayNumber)) << 32) | (uint)c);
            }
        }

        keys.Sort();
        var rows = new List<Row>(keys.Count);
        foreach (var key in keys)
        {
            rows.Add(new Row((int)(key & 0xFFFFFFFF), int.MaxValue - (int)(key >> 32)));
        }

        return rows;
    }

    /// <summary>The listed client of a row.</summary>
    internal static SlippedClient Item(FunnelEventLog log, Row row, long cut, DateOnly today)
    {
        var history = log.History(row.Client);
        var e = history.LastAtOrBefore(cut);
        var client = history.ClientAsOf(cut);
        var start = history.StateStart(e);
        return new SlippedClient(client.Id, log.OwnerAt(history.Owner(e)), log.Pipeline.Stages[history.Stage(e)].Key, new DateTimeOffset(history.Ticks(start), TimeSpan.Zero), client.ExpectedCloseDate!.Value, today.DayNumber - client.ExpectedCloseDate.Value.DayNumber, client.Value);
    }

    private static (StageSlip[] Stages, (int Open, int Slipped, decimal Value, int NoDate) Totals) Stages(PipelineDefinition pipeline, int fromOwner, int toOwner, int[] open, int[] slipped, decimal[] value, int[] noDate)
    {
        var stages = pipeline.Stages.Count;
        var result = new StageSlip[stages - 1];
        (int Open, int Slipped, decimal Value, int NoDate) totals = default;
        var n = 0;
        for (var s = 0; s < stages; s++)
        {
            if (s == pipeline.WonStageIndex)
            {
                continue;
            }

            (int Open, int Slipped, decimal Value, int NoDate) cell = default;
            for (var o = fromOwner; o < toOwner; o++)
            {
                var i = (o * stages) + s;
                cell = (cell.Open + open[i], cell.Slipped + slipped[i], cell.Value + value[i], cell.NoDate + noDate[i]);
            }

            result[n++] = new StageSlip(pipeline.Stages[s].Key, cell.Open, cell.Slipped, cell.Value, cell.NoDate);
            totals = (totals.Open + cell.Open, totals.Slipped + cell.Slipped, totals.Value + cell.Value, totals.NoDate + cell.NoDate);
        }

        return (result, totals);
    }

    /// <summary>A slipped client: its index and its days overdue.</summary>
    internal readonly record struct Row(int Client, int DaysOverdue);
}
