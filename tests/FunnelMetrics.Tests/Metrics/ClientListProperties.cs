using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Metrics;
using FunnelMetrics.Tests.Support;

namespace FunnelMetrics.Tests.Metrics;

/// <summary>
/// The drill-down's law: every list's total is the count it stands behind, read by that count's own calculator, for
/// the team and for one owner; and its pages partition the list.
/// </summary>
public sealed class ClientListProperties
{
    private static readonly StallOptions FixedStalls = new() { DefaultThreshold = TimeSpan.FromHours(20), MinimumVisits = 2, Percentile = 60 };

    private static int Total(FunnelEventLog log, ClientListQuery query) => ClientListCalculator.Compute(log, query with { Limit = ClientListQuery.MaxLimit }, FixedStalls).Total;

    private static IEnumerable<FunnelFilter?> Filters(RecordedHistory h) =>
        [null, .. h.Clients.Select(c => c.Owner).Distinct().Order().Take(2).Select(o => new FunnelFilter { Owners = [o] })];

    [Property(MaxTest = 100)]
    public Property States_ListExactlyTheClientsTheStageCountsAndStallsCount() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var log = h.Log();
            foreach (var filter in Filters(h))
            {
                var counts = StageCountsCalculator.Compute(log, h.AsOf, filter);
                var stalled = StallCalculator.Compute(log, h.AsOf, FixedStalls, filter);
                var query = new ClientListQuery { AsOf = h.AsOf, Filter = filter };
                foreach (var stage in counts.Stages)
                {
                    Assert.Equal(stage.Clients, Total(log, query with { Measure = ClientListMeasure.InStage, Stage = stage.Stage }));
                    Assert.Equal(stalled.ByStage.Single(s => s.Stage == stage.Stage).Stalled, Total(log, query with { Measure = ClientListMeasure.Stalled, Stage = stage.Stage }));
                }

                Assert.Equal(counts.InWork, Total(log, query with { Measure = ClientListMeasure.InWork }));
                Assert.Equal(counts.Lost, Total(log, query with { Measure = ClientListMeasure.ClosedLost }));
                Assert.Equal(stalled.Clients.Count, Total(log, query with { Measure = ClientListMeasure.Stalled }));
            }
        });

    [Property(MaxTest = 100)]
    public Property Events_ListExactlyTheMovesTheFlowLedgerCountsEachDay() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var log = h.Log();
            var first = DateOnly.FromDateTime(FunnelMetrics.Testing.Seed.T0.UtcDateTime).AddDays(-1);
            var last = DateOnly.FromDateTime(h.LastEventAt.UtcDateTime).AddDays(1);
            last = last.DayNumber - first.DayNumber > 60 ? first.AddDays(60) : last;
            foreach (var filter in Filters(h))
            {
                var ledger = FlowLedgerCalculator.Compute(log, first, last, "UTC", filter);
                foreach (var day in ledger.Days)
                {
                    var query = new ClientListQuery { Window = TimeZoneDays.Day(day.Day, TimeZoneInfo.Utc), Filter = filter };
                    Assert.Equal(day.Totals.Wins, Total(log, query with { Measure = ClientListMeasure.Won }));
                    Assert.Equal(day.Totals.New, Total(log, query with { Measure = ClientListMeasure.New }));
                    Assert.Equal(day.Totals.ForwardMoves, Total(log, query with { Measure = ClientListMeasure.MovedForward }));
                    Assert.Equal(day.Totals.Regressions, Total(log, query with { Measure = ClientListMeasure.Regressed }));
                    Assert.Equal(day.Totals.Losses, Total(log, query with { Measure = ClientListMeasure.Lost }));
                    Assert.Equal(day.Totals.Reopens, Total(log, query with { Measure = ClientListMeasure.Reopened }));
                    foreach (var row in day.Stages)
                    {
                        var at = query with { Stage = row.Stage };
                        Assert.Equal(row.Entered, Total(log, at with { Measure = ClientListMeasure.Entered }));
                        Assert.Equal(row.New, Total(log, at with { Measure = ClientListMeasure.New }));
                        Assert.Equal(row.AdvancedOut, Total(log, at with { Measure = ClientListMeasure.MovedForward }));
                        Assert.Equal(row.RegressedOut, Total(log, at with { Measure = ClientListMeasure.Regressed }));
                        Assert.Equal(row.Lost, Total(log, at with { Measure = ClientListMeasure.Lost }));
                        Assert.Equal(row.Reopened, Total(log, at with { Measure = ClientListMeasure.Reopened }));
                    }
                }
            }
        });

    [Property(MaxTest = 100)]
    public Property Slipped_ListsExactlyTheClientsTheSlippedCalculatorCounts_PerStageAndOwner() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var log = WaterfallTests.PipelineWaterfallProperties.LogWithUpdates(h);
            foreach (var filter in Filters(h))
            {
                var slipped = SlippedClientsCalculator.Compute(log, h.AsOf, "UTC", filter);
                var query = new ClientListQuery { Measure = ClientListMeasure.Slipped, AsOf = h.AsOf, TimeZone = "UTC", Filter = filter };
                Assert.Equal(slipped.Slipped, Total(log, query));
                foreach (var stage in slipped.ByStage)
                {
                    Assert.Equal(stage.Slipped, Total(log, query with { Stage = stage.Stage }));
                }

                var listed = ClientListCalculator.Compute(log, query with { Limit = ClientListQuery.MaxLimit });
                Assert.Equal(slipped.Clients.Select(c => (c.ClientId, (double)c.DaysOverdue)), listed.Items.Take(slipped.Clients.Count).Select(i => (i.ClientId, i.Overdue!.Value)));
            }
        });

    [Property(MaxTest = 100)]
    public Property Pages_PartitionTheList() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Gen.Choose(1, 4)), (h, limit) =>
        {
            var log = h.Log();
            var window = new TimeWindow(FunnelMetrics.Testing.Seed.T0, h.LastEventAt.AddTicks(1));
            foreach (var query in new[] { new ClientListQuery { Measure = ClientListMeasure.Entered, Window = window }, new ClientListQuery { Measure = ClientListMeasure.InWork, AsOf = h.AsOf }, new ClientListQuery { Measure = ClientListMeasure.Stalled, AsOf = h.AsOf }, new ClientListQuery { Measure = ClientListMeasure.Slipped, AsOf = h.AsOf, TimeZone = "UTC" } })
            {
                var whole = ClientListCalculator.Compute(log, query with { Limit = ClientListQuery.MaxLimit }, FixedStalls);
                var pages = new List<ClientListItem>();
                for (var offset = 0; offset < whole.Total + limit; offset += limit)
                {
                    var page = ClientListCalculator.Compute(log, query with { Offset = offset, Limit = limit }, FixedStalls);
                    Assert.Equal(whole.Total, page.Total);
                    Assert.True(page.Items.Count <= limit);
                    pages.AddRange(page.Items);
                }

                Assert.Equal(whole.Items, pages);
            }
        });
}
