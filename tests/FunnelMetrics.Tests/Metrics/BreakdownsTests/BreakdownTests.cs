using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Metrics;
using FunnelMetrics.Tests.Support;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Metrics.BreakdownsTests;

public sealed class BreakdownTests
{
    [Property(MaxTest = 100)]
    public Property Breakdowns_ByOwnerAndEntryCohort_AddUpToTheWhole() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Gen.Elements(CohortPeriod.Day, CohortPeriod.Week, CohortPeriod.Month)), (h, period) =>
        {
            var log = h.Log();
            StageCounts Counts(FunnelFilter f) => StageCountsCalculator.Compute(log, h.AsOf, f);
            var whole = Counts(FunnelFilter.All);

            var byOwner = FunnelBreakdowns.ByOwner(log, Counts);
            var byCohort = FunnelBreakdowns.ByEntryCohort(log, period, "Europe/Sofia", Counts);
            var bySource = FunnelBreakdowns.ByAttribute(log, "source", Counts);

            Assert.Equal(whole.Entered, byOwner.Sum(g => g.Result.Entered));
            Assert.Equal(whole.Entered, byCohort.Sum(g => g.Result.Entered));
            Assert.Equal(byCohort.Select(g => g.Key).Distinct().Count(), byCohort.Count);
            var withSource = h.Clients.Where(c => c.Attributes.ContainsKey("source")).Select(c => c.Id).ToHashSet();
            Assert.Equal(StageCountsCalculator.Compute(FunnelEventLog.Build(h.Pipeline, h.Clients.Where(c => withSource.Contains(c.Id)), h.Events.Where(e => withSource.Contains(e.ClientId))), h.AsOf).Entered, bySource.Sum(g => g.Result.Entered));
        });

    [Fact]
    public async Task ByEntryCohort_NamesDaysWeeksAndMonths()
    {
        var h = await RecorderHarness.WithSeedAsync();
        foreach (var (id, at) in new[] { ("a", T0), ("b", T0.AddDays(7)), ("c", T0.AddDays(30)) })
        {
            await h.Recorder.AddClientAsync(NewClient(id, at));
            await h.Recorder.MoveAsync(new ClientId(id), DecisionMaker, at);
        }

        var events = new List<ClientEvent>();
        foreach (var id in new[] { "a", "b", "c" })
        {
            events.AddRange(await h.EventsOfAsync(new ClientId(id)));
        }

        var log = FunnelEventLog.Build(Pipeline, await h.Store.Clients.ListAsync(SalesId).ToListAsync(), events);
        int Entered(FunnelFilter f) => StageCountsCalculator.Compute(log, T0.AddDays(40), f).Entered;

        var weeks = FunnelBreakdowns.ByEntryCohort(log, CohortPeriod.Week, "UTC", Entered);
        var months = FunnelBreakdowns.ByEntryCohort(log, CohortPeriod.Month, "UTC", Entered);

        Assert.Equal(["2026-W10", "2026-W11", "2026-W12", "2026-W13", "2026-W14"], weeks.Select(w => w.Key));
        Assert.Equal([1, 1, 0, 0, 1], weeks.Select(w => w.Result));
        Assert.Equal([("2026-03", 2), ("2026-04", 1)], months.Select(m => (m.Key, m.Result)));
        Assert.Equal(3, FunnelBreakdowns.ByEntryCohort(log, CohortPeriod.Day, "UTC", Entered).Sum(d => d.Result));
        Assert.Equal(["anna"], FunnelBreakdowns.ByOwner(log, Entered).Select(g => g.Key));
        Assert.Equal([("web", 3)], FunnelBreakdowns.ByAttribute(log, "source", Entered).Select(g => (g.Key, g.Result)));
    }
}
