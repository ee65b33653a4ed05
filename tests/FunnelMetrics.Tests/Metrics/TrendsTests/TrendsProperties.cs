using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Metrics;
using FunnelMetrics.Tests.Support;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Metrics.TrendsTests;

/// <summary>Laws of the trends over generated histories: each period is the existing calculators run on that period alone.</summary>
public sealed class TrendsProperties
{
    [Property(MaxTest = 150)]
    public Property EachPeriod_IsConversionOfThePeriodsCohorts_AndTimeInStageOfItsVisits_AsOfTheInstant() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var log = h.Log();
            var (window, asOf, period, zone, filter, options) = Case(h);
            var trends = FunnelTrendsCalculator.Compute(log, window, period, zone, asOf, filter, options);

            Assert.Equal(window.Start, trends.Periods[0].From);
            Assert.Equal(window.End, trends.Periods[^1].To);
            for (var k = 0; k < trends.Periods.Count; k++)
            {
                var p = trends.Periods[k];
                Assert.True(p.From < p.To);
                Assert.True(k == 0 || trends.Periods[k - 1].To == p.From);
                Listed(log, p);

                // Conversion of the period's cohorts, outcomes as of the instant: ConversionCalculator itself.
                var conversion = ConversionCalculator.Compute(log, new TimeWindow(p.From, p.To), asOf, null, options, filter);
                Assert.Equal((conversion.FirstStageCohort, conversion.WonFromFirstStage, conversion.WonFromFirstStageShare), (p.FirstStageCohort, p.WonFromFirstStage, p.WonFromFirstStageShare));
                var time = TimeInStageAsOf(log, p.From, p.To, asOf, filter);
                for (var s = 0; s < log.Pipeline.Stages.Count; s++)
                {
                    // A stage is listed iff it is open and has a visit begun in the period or a cohort member; then its
                    // figures are the calculators', and an unlisted one has an empty cohort and no visit there.
                    var (trend, c) = (p.Stage(log.Pipeline.Stages[s].Key), conversion.Stages[s]);
                    var observed = s != log.Pipeline.WonStageIndex && (c.Cohort > 0 || time[s].Completed.Count > 0 || time[s].Open > 0);
                    Assert.Equal(observed, trend is not null);
                    if (trend is null)
                    {
                        Assert.Equal((0, 0, 0), (c.Cohort, time[s].Completed.Count, time[s].Open));
                        continue;
                    }

                    Assert.Equal(c.Stage, trend.Stage);
                    Assert.Equal((c.Cohort, c.Advanced, c.Lost, c.Remaining, c.AdvancedShare, c.LostShare), (trend.Cohort, trend.Advanced, trend.Lost, trend.Remaining, trend.AdvancedShare, trend.DropOff));
                    Assert.Equal(time[s], (trend.Completed, trend.OpenVisits, trend.Median, trend.P90));
                }
            }

            // The last period, when it ends at the instant, is TimeInStageCalculator's window exactly (an unlisted stage: no visit).
            if (asOf == window.End)
            {
                var last = trends.Periods[^1];
                var reference = TimeInStageCalculator.Compute(log, new TimeWindow(last.From, last.To), filter);
                Assert.All(reference.Stages, t => Assert.Equal(
                    (t.Completed, t.OpenVisits, t.Median, t.P90),
                    last.Stage(t.Stage) is { } row ? (row.Completed, row.OpenVisits, row.Median, row.P90) : (DurationStats.Empty, 0, DurationEstimate.None, DurationEstimate.None)));
            }
        });

    [Property(MaxTest = 100)]
    public Property Cohorts_OfThePeriods_AddUpToTheWindowsCohorts_AndTheirVisitsToItsVisits() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var log = h.Log();
            var (window, asOf, period, zone, filter, options) = Case(h);
            var trends = FunnelTrendsCalculator.Compute(log, window, period, zone, asOf, filter, options);
            var whole = ConversionCalculator.Compute(log, window, asOf, null, options, filter);
            var visits = TimeInStageAsOf(log, window.Start, window.End, asOf, filter);
            var ids = log.Pipeline.Stages.Select(s => s.Key).ToArray();

            Assert.Equal(whole.Stages.Select(s => s.Cohort), ids.Select(id => trends.Periods.Sum(p => p.Stage(id)?.Cohort ?? 0)));
            Assert.Equal(whole.FirstStageCohort, trends.Periods.Sum(p => p.FirstStageCohort));
            Assert.Equal(visits.Select(v => v.Completed.Count + v.Open), ids.Select(id => trends.Periods.Sum(p => p.Stage(id) is { } row ? row.Completed.Count + row.OpenVisits : 0)));
        });

    [Property(MaxTest = 100)]
    public Property ByOwner_IsTheTrendsFilteredToEachOwner_AndTheSameWhateverTheParallelism() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var log = h.Log();
            var (window, asOf, period, zone, filter, options) = Case(h);
            var trends = FunnelTrendsCalculator.Compute(log, window, period, zone, asOf, filter, options, byOwner: true);
            var parallel = FunnelTrendsCalculator.Compute(log, window, period, zone, asOf, filter, options, byOwner: true, new ParallelismOptions { MaxDegreeOfParallelism = 3, MinimumClientsPerPartition = 1 });
            Assert.Equal(trends, parallel);
            Assert.Equal(trends.Periods, FunnelTrendsCalculator.Compute(log, window, period, zone, asOf, filter, options).Periods);

            foreach (var owner in History.Owners)
            {
                if (filter.Owners is { } kept && !kept.Contains(owner))
                {
                    Assert.DoesNotContain(trends.ByOwner, o => o.Owner == owner);
                    continue;
                }

                var alone = FunnelTrendsCalculator.Compute(log, window, period, zone, asOf, filter with { Owners = [owner] }, options);
                var listed = trends.ByOwner.SingleOrDefault(o => o.Owner == owner);
                if (listed is null)
                {
                    Assert.All(alone.Periods, p => Assert.True(p.FirstStageCohort == 0 && p.Stages.Count == 0));
                }
                else
                {
                    Assert.Equal(alone.Periods, listed.Periods);
                    Assert.All(listed.Periods, p => Listed(log, p));
                }
            }
        });

    /// <summary>A period's rows: open stages in pipeline order, each with an observation, each found by its id.</summary>
    private static void Listed(FunnelEventLog log, TrendPeriod p)
    {
        var order = p.Stages.Select(r => log.Pipeline.IndexOf(r.Stage)).ToArray();
        Assert.All(order, i => Assert.True(i >= 0 && i != log.Pipeline.WonStageIndex));
        Assert.True(order.Zip(order.Skip(1)).All(x => x.First < x.Second), "not in pipeline order");
        Assert.All(p.Stages, r => Assert.True(r.Cohort > 0 || r.Completed.Count > 0 || r.OpenVisits > 0, r.ToString()));
        Assert.All(p.Stages, r => Assert.Same(r, p.Stage(r.Stage)));
    }

    /// <summary>A window around the history, an instant at or after its end, and a period, zone, filter and skip rule chosen by the seed.</summary>
    private static (TimeWindow Window, DateTimeOffset AsOf, CohortPeriod Period, string Zone, FunnelFilter Filter, ConversionOptions Options) Case(RecordedHistory h)
    {
        var seed = h.Seed;
        var end = (h.AsOf > T0 ? h.AsOf : T0.AddDays(1)).AddMinutes(seed % 7 * 37);
        var window = new TimeWindow(T0.AddHours(-(seed % 30)), end);
        var asOf = (seed / 7 % 3) switch
        {
            0 => end,
            1 => end.AddHours(seed % 50),
            _ => h.LastEventAt > end ? h.LastEventAt.AddTicks(seed % 2) : end,
        };
        var period = (seed / 21 % 3) switch { 0 => CohortPeriod.Day, 1 => CohortPeriod.Week, _ => CohortPeriod.Month };
        var zone = (seed / 63 % 3) switch { 0 => "UTC", 1 => "Europe/Sofia", _ => "America/Havana" };
        var filter = (seed / 189 % 4) switch
        {
            0 => FunnelFilter.All,
            1 => new FunnelFilter { Owners = [History.Owners[seed % 3]] },
            2 => new FunnelFilter { Attributes = new Dictionary<string, string> { ["source"] = "src0" } },
            _ => new FunnelFilter { EnteredFrom = T0.AddHours(seed % 40) },
        };
        return (window, asOf, period, zone, filter, new ConversionOptions { SkippedStagesCountAsPassed = seed / 756 % 2 == 0 });
    }

    /// <summary>
    /// TimeInStageCalculator's figures for the visits begun in [from, to), read and measured as of <paramref name="asOf"/>: its
    /// own sample of the visits begun from <paramref name="from"/> on, less those begun from <paramref name="to"/> on (the
    /// same observations, so the multiset difference is exact), through its own statistics.
    /// </summary>
    private static (DurationStats Completed, int Open, DurationEstimate Median, DurationEstimate P90)[] TimeInStageAsOf(FunnelEventLog log, DateTimeOffset from, DateTimeOffset to, DateTimeOffset asOf, FunnelFilter filter)
    {
        var (cut, at) = (asOf.UtcTicks - 1, asOf.UtcTicks);
        var clients = filter.ClientMask(log, cut);
        var owners = filter.OwnerMask(log);
        using var all = VisitSample.Collect(log, from.UtcTicks, cut, at, clients, owners, perClient: false);
        using var later = VisitSample.Collect(log, to.UtcTicks, cut, at, clients, owners, perClient: false);
        var result = new (DurationStats, int, DurationEstimate, DurationEstimate)[log.Pipeline.Stages.Count];
        for (var s = 0; s < result.Length; s++)
        {
            var keys = all.SortedKeys(s).ToArray().ToList();
            foreach (var key in later.SortedKeys(s))
            {
                Assert.True(keys.Remove(key));
            }

            var estimates = Statistics.KaplanMeier(keys.ToArray(), 0.5, 0.9);
            result[s] = (Statistics.Completed(keys.ToArray(), all.Completed[s] - later.Completed[s]), all.Open[s] - later.Open[s], estimates[0], estimates[1]);
        }

        return result;
    }
}
