using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Metrics;
using FunnelMetrics.Tests.Support;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Metrics.LiveTests;

public sealed class LiveViewTests
{
    private static object Comparable(StalledClients s) => (
        string.Join(';', s.Clients.Select(c => $"{c.ClientId}/{c.Owner}/{c.Stage}/{c.VisitStart:O}/{c.LastTouchedAt:O}/{c.Idle}/{c.Threshold}/{c.Overdue:R}")),
        string.Join(';', s.ByStage.Select(x => $"{x.Stage}/{x.Clients}/{x.Stalled}/{x.Share:R}/{x.Threshold}")),
        string.Join(';', s.ByOwner.Select(o => $"{o.Owner}/{o.Clients}/{o.Stalled}/{string.Join(',', o.Stages.Select(x => $"{x.Clients}:{x.Stalled}"))}")));

    private static string Comparable(StageCounts c) =>
        System.Text.Json.JsonSerializer.Serialize(c, FunnelMetrics.Serialization.FunnelMetricsJsonContext.Default.StageCounts);

    [Property(MaxTest = 150)]
    public Property LiveView_FedEventByEvent_AgreesWithTheBatchCalculators() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Gen.Elements(StallClock.TimeInStage, StallClock.LastTouch)), (h, clock) =>
        {
            var log = h.Log();
            var settings = new StallOptions { Clock = clock, DefaultThreshold = TimeSpan.FromHours(20), MinimumVisits = 2, Percentile = 60 };
            var view = FunnelLiveView.Create(log, h.AsOf, settings);

            Assert.Equal(Comparable(StageCountsCalculator.Compute(log, h.AsOf)), Comparable(view.Counts(h.AsOf)));
            Assert.Equal(Comparable(StallCalculator.Compute(log, h.AsOf, settings)), Comparable(view.Stalled(h.AsOf)));

            // Feed the rest of the history in time order, checking once every event of an instant is in (the batch counts them all).
            foreach (var instant in h.Events.Where(e => e.OccurredAt > h.AsOf).GroupBy(e => e.OccurredAt).OrderBy(g => g.Key))
            {
                foreach (var e in instant.OrderBy(e => e.ClientId).ThenBy(e => e.Sequence))
                {
                    view.Apply(e);
                }

                Assert.Equal(Comparable(StageCountsCalculator.Compute(log, instant.Key)), Comparable(view.Counts(instant.Key)));
                Assert.Equal(Comparable(StallCalculator.Compute(log, instant.Key, settings)), Comparable(view.Stalled(instant.Key)));
            }

            var later = (h.LastEventAt > h.AsOf ? h.LastEventAt : h.AsOf).AddHours(30);
            Assert.Equal(Comparable(StallCalculator.Compute(log, later, settings)), Comparable(view.Stalled(later)));
            Assert.Equal(h.Events.Count, view.EventsApplied);

            // The thresholds are the calculator's now, over what was applied: never the ones of the view's creation.
            Assert.Equal(StallCalculator.Thresholds(log, view.LastEventAt ?? DateTimeOffset.MinValue, settings), view.Thresholds);
        });

    [Fact]
    public async Task LiveView_RefusesEventsThatAreNotTheClientsNext()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        var view = FunnelLiveView.Create(await h.LogAsync(), T0);
        var second = new StageTransition(new ClientEventId("e2"), c, SalesId, 2, TransitionKind.Advanced, DecisionMaker, Interest, T0, T0, Anna);
        var first = new StageTransition(new ClientEventId("e1"), c, SalesId, 1, TransitionKind.Entered, null, DecisionMaker, T0.AddHours(1), T0, Anna);

        Assert.Equal(FunnelRule.SequenceNotNext, Assert.Throws<FunnelHistoryException>(() => view.Apply(second)).Rule);
        view.Apply(first);
        Assert.Equal(FunnelRule.EventBeforePreviousEvent, Assert.Throws<FunnelHistoryException>(() => view.Apply(second)).Rule); // earlier than the first
        Assert.Throws<ArgumentException>(() => view.Apply(new ClientActivity(new ClientEventId("x"), new ClientId("ghost"), SalesId, 1, T0, T0, Anna)));
        Assert.Equal(1, view.Counts(T0.AddHours(1)).Stages[0].Clients);
        Assert.Equal(0, view.Counts(T0).Stages[0].Clients); // as of an instant before the entry
        view.Add(NewClient("c2"));
        view.Add(NewClient("c2"));
        Assert.Throws<ArgumentException>(() => view.Add(NewClient("c2", owner: Boris)));
    }

    [Fact]
    public async Task LiveView_ShowsAClientStallingAsTimePasses_AndRecoveringWhenMoved()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var c = await h.AddClientAsync("c1");
        var view = FunnelLiveView.Create(await h.LogAsync(), T0);
        view.Apply(new StageTransition(new ClientEventId("e1"), c, SalesId, 1, TransitionKind.Entered, null, Meeting, T0, T0, Anna));

        Assert.Empty(view.Stalled(T0.AddDays(7)).Clients);
        Assert.Equal(c, Assert.Single(view.Stalled(T0.AddDays(7).AddTicks(1)).Clients).ClientId);
        view.Apply(new StageTransition(new ClientEventId("e2"), c, SalesId, 2, TransitionKind.Advanced, Meeting, Requirements, T0.AddDays(8), T0.AddDays(8), Anna));
        Assert.Empty(view.Stalled(T0.AddDays(9)).Clients);
    }
}
