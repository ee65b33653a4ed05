using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Metrics;
using FunnelMetrics.Tests.Support;

namespace FunnelMetrics.Tests.Metrics;

/// <summary>
/// The shortcuts of the kernel's visit reading give what the plain fold of every visit gives: a window's fold that skips
/// the clients without an event in it and starts each other client at the window, and the learned thresholds' sample at
/// a cut, made from the log's sorted completed visits less what the cut leaves out.
/// </summary>
public sealed class VisitReadProperties
{
    private static readonly (int, int, long, bool) EndOfClient = (-1, -1, -1, false);

    /// <summary>Instants around the history: before it, at its events' instants (and a tick either side), inside, after.</summary>
    private static List<long> Cuts(RecordedHistory h)
    {
        var ticks = h.Events.Select(e => e.OccurredAt.UtcTicks).Distinct().Order().ToList();
        var random = new Random(h.Seed);
        var cuts = new List<long> { h.AsOf.UtcTicks, long.MaxValue / 2 };
        if (ticks.Count > 0)
        {
            cuts.Add(ticks[0] - 1);
            cuts.Add(ticks[^1] + TimeSpan.TicksPerDay);
            for (var i = 0; i < 4; i++)
            {
                var t = ticks[random.Next(ticks.Count)];
                cuts.AddRange([t - 1, t, t + 1]);
            }
        }

        return cuts;
    }

    /// <summary>Every visit the fold feeds, as (stage, owner, duration, completed), in order, with <see cref="EndOfClient"/> after each client's.</summary>
    private static List<(int Stage, int Owner, long Duration, bool Completed)> Fold(FunnelEventLog log, long from, long cut, long measuredAt)
    {
        var visits = new List<(int, int, long, bool)>();
        var sink = new Recorder(visits);
        VisitFold.Fold(log, from, cut, measuredAt, log.AllClientsMask, log.AllOwnersMask, sink);
        return visits;
    }

    [Property(MaxTest = 200)]
    public Property AWindowsFold_IsTheFoldOfEveryVisit_KeepingThoseBegunInTheWindow() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var log = h.Log();
            foreach (var cut in Cuts(h))
            {
                var measuredAt = cut + TimeSpan.TicksPerHour;
                foreach (var from in Cuts(h).Append(long.MinValue))
                {
                    Assert.Equal(PlainFold(log, from, cut, measuredAt), Fold(log, from, cut, measuredAt));
                }
            }
        });

    [Property(MaxTest = 200)]
    public Property TheSampleAtACut_FromTheSortedCompletedVisits_IsTheSampleOfEveryVisitUpToIt() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var log = h.Log();
            foreach (var cut in Cuts(h))
            {
                foreach (var measuredAt in new[] { cut, cut + 1, cut + TimeSpan.TicksPerDay })
                {
                    using var folded = VisitSample.Collect(log, long.MinValue, cut, measuredAt, log.AllClientsMask, log.AllOwnersMask, perClient: false);
                    using var known = log.CompletedVisits.At(log, cut, measuredAt);
                    for (var s = 0; s < log.Pipeline.Stages.Count; s++)
                    {
                        Assert.Equal(folded.Completed[s], known.Completed(s));
                        Assert.Equal(folded.SortedKeys(s).ToArray(), known.SortedKeys(s).ToArray());
                    }
                }
            }
        });

    /// <summary>The oracle: every visit of each client's events up to the cut, read from its first event, kept when begun at or after <paramref name="from"/>.</summary>
    private static List<(int Stage, int Owner, long Duration, bool Completed)> PlainFold(FunnelEventLog log, long from, long cut, long measuredAt)
    {
        var visits = new List<(int, int, long, bool)>();
        for (var c = 0; c < log.ClientCount; c++)
        {
            var history = log.History(c);
            var any = false;
            foreach (var visit in history.Visits(history.LastAtOrBefore(cut)))
            {
                if (visit.EnteredAt >= from)
                {
                    visits.Add((visit.Stage, history.Owner(visit.Entered), visit.Duration(measuredAt), !visit.IsOpen));
                    any = true;
                }
            }

            if (any)
            {
                visits.Add(EndOfClient);
            }
        }

        return visits;
    }

    private readonly struct Recorder(List<(int, int, long, bool)> visits) : IVisitSink
    {
        public void Add(int stage, int owner, long duration, bool completed) => visits.Add((stage, owner, duration, completed));

        public void EndClient() => visits.Add(EndOfClient);
    }
}
