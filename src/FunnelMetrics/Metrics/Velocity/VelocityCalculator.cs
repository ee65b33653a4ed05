namespace FunnelMetrics.Metrics;

/// <summary>Computes <see cref="Velocity"/>: one pass over each client's events in the window.</summary>
public static class VelocityCalculator
{
    /// <summary>Computes velocity over <paramref name="window"/>, [start, end): the moves, wins and losses in it, and the clients open at its end (after the events before it).</summary>
    /// <param name="log">The pipeline's history.</param>
    /// <param name="window">The window, [start, end), not empty.</param>
    /// <param name="filter">Which clients and owners; <see langword="null"/> for all. The owner condition applies to the owner on each move, win or loss, and for open clients to the owner at the end of the window; the attribute condition, like the won values, reads the clients as of the window's last instant.</param>
    /// <param name="calendar">
    /// The working calendar cycle times and the window's days are measured in (docs/metrics.md, "Working-hours clocks"):
    /// cycle times are working time, and every "per day" is per working day (<see cref="WorkingCalendar.WorkingDayLength"/>
    /// of working time); <see langword="null"/> for elapsed time and 24-hour days, the default.
    /// </param>
    /// <returns>The velocity figures.</returns>
    /// <exception cref="ArgumentException">The window is empty, or holds no working time under <paramref name="calendar"/>.</exception>
    public static Velocity Compute(FunnelEventLog log, TimeWindow window, FunnelFilter? filter = null, WorkingCalendar? calendar = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (window.IsEmpty)
        {
            throw new ArgumentException($"The window {window} is empty.", nameof(window));
        }

        // The window's length in days: 24-hour days elapsed, or working days of working time under a calendar.
        var days = calendar is null ? (window.End - window.Start).TotalDays : (double)calendar.Between(window.StartTicks, window.EndTicks) / calendar.WorkingDayLength.Ticks;
        if (days == 0)
        {
            throw new ArgumentException($"The window {window} holds no working time under the calendar {calendar}.", nameof(window));
        }

        var (from, to) = (window.Start, window.End);

        filter ??= FunnelFilter.All;
        var stageCount = log.Pipeline.Stages.Count;
        long lo = from.UtcTicks, hi = to.UtcTicks;

        // Clients as of the window's last instant: their attributes decide the filter, their values the average won value.
        var clientMask = filter.ClientMask(log, hi - 1);
        var ownerMask = filter.OwnerMask(log);
        var perStage = new int[stageCount];
        var perOwner = new int[log.OwnerCount];
        var cycles = new List<long>();
        decimal wonValue = 0;
        var wonWithValue = 0;
        int open = 0, wins = 0, losses = 0;

        for (var c = 0; c < clientMask.Length; c++)
        {
            if (!clientMask[c])
            {
                continue;
            }

            var history = log.History(c);
            var last = history.LastAtOrBefore(hi - 1);
            if (last >= 0 && history.Status(last) == ClientStatus.Open && ownerMask[history.Owner(last)])
            {
                open++;
            }

            for (var i = history.FirstAtOrAfter(lo); i <= last; i++)
            {
                if (history.Kind(i).IsForwardMove() && ownerMask[history.Owner(i)])
                {
                    perStage[history.Stage(i - 1)]++;
                    perOwner[history.Owner(i)]++;
                }
            }

            // Wins, their cycles and values, and losses all come from the closing events in the window, so the
            // formula's inputs describe the same clients: a win reopened before the window ended is none of them.
            var closing = history.ClosingEvent(last);
            if (closing >= 0 && history.Ticks(closing) >= lo && ownerMask[history.Owner(closing)])
            {
                if (history.Kind(closing) == EventKind.Won)
                {
                    wins++;
                    cycles.Add(Clocks.Between(calendar, history.FirstEntryTicks, history.Ticks(closing)));
                    if (history.ValueAsOf(hi - 1) is { } value)
                    {
                        wonValue += value;
                        wonWithValue++;
                    }
                }
                else
                {
                    losses++;
                }
            }
        }

        var stages = new StageVelocity[stageCount];
        for (var s = 0; s < stageCount; s++)
        {
            stages[s] = new StageVelocity(log.Pipeline.Stages[s].Key, perStage[s], perStage[s] / days);
        }

        var byOwner = new List<OwnerVelocity>();
        for (var o = 0; o < perOwner.Length; o++)
        {
            if (perOwner[o] > 0)
            {
                byOwner.Add(new OwnerVelocity(log.OwnerAt(o), perOwner[o], perOwner[o] / days));
            }
        }

        var cycle = Statistics.Durations(cycles);
        double? winRate = wins + losses == 0 ? null : (double)wins / (wins + losses);
        double? cycleDays = cycle.Mean is { } mean && mean > TimeSpan.Zero ? (calendar is null ? mean.TotalDays : (double)mean.Ticks / calendar.WorkingDayLength.Ticks) : null;
        decimal? averageValue = wonWithValue == 0 ? null : wonValue / wonWithValue;
        double? clientsPerDay = winRate is { } r && cycleDays is { } d ? open * r / d : null;
        decimal? valuePerDay = averageValue is { } v && clientsPerDay is { } cpd ? ValuePerDay(v, cpd) : null;
        return new Velocity(log.Pipeline.Id, from, to, days, stages, cycle, byOwner, new SalesVelocity(open, averageValue, winRate, cycleDays, valuePerDay, clientsPerDay), calendar);
    }

    /// <summary>
    /// The average won value times the won clients per day, or null when the product is beyond <see cref="decimal"/>'s
    /// range (a cycle time of a few ticks makes the rate astronomical): never an overflow.
    /// </summary>
    private static decimal? ValuePerDay(decimal averageValue, double clientsPerDay)
    {
        var estimate = (double)averageValue * clientsPerDay;
        if (!double.IsFinite(estimate) || estimate >= 7.9e28)
        {
            return null;
        }

        return averageValue * (decimal)clientsPerDay;
    }
}
