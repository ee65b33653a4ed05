using FunnelMetrics.Metrics;
using FunnelMetrics.Tests.Support;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Metrics;

/// <summary>The worked example of docs/metrics.md, figure by figure.</summary>
public sealed class DocsWorkedExampleTests
{
    private static DateTimeOffset At(int day, int hour) => new(2026, 3, day, hour, 0, 0, TimeSpan.Zero);

    private static readonly Lazy<Task<FunnelEventLog>> Log = new(BuildAsync);

    private static async Task<FunnelEventLog> BuildAsync()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var r = h.Recorder;
        Client Add(string id, OwnerId owner, decimal? value, int day = 2) => new(new ClientId(id), SalesId, owner, At(day, 8), value);
        var acme = (await r.AddClientAsync(Add("acme", Anna, 10_000m))).Id;
        var bolt = (await r.AddClientAsync(Add("bolt", Anna, 6_000m))).Id;
        var cobalt = (await r.AddClientAsync(Add("cobalt", Boris, 8_000m))).Id;
        var delta = (await r.AddClientAsync(Add("delta", Boris, null))).Id;
        var echo = (await r.AddClientAsync(Add("echo", Boris, null, 5))).Id;

        await r.MoveAsync(acme, DecisionMaker, At(2, 9));
        await r.MoveAsync(acme, Interest, At(2, 15));
        await r.MoveAsync(acme, Requirements, At(3, 11));
        await r.MoveAsync(acme, Offer, At(4, 11));
        await r.MoveAsync(acme, Terms, At(5, 15));
        await r.MoveAsync(acme, Contract, At(6, 11));

        await r.MoveAsync(bolt, DecisionMaker, At(2, 10));
        await r.MoveAsync(bolt, Interest, At(3, 10));
        await r.MoveAsync(bolt, Meeting, At(3, 10));
        await r.MoveAsync(bolt, Requirements, At(4, 9));
        await r.MoveAsync(bolt, Meeting, At(5, 9));
        await r.MarkLostAsync(bolt, occurredAt: At(6, 9));

        await r.MoveAsync(cobalt, Interest, At(2, 11));
        await r.MoveAsync(cobalt, Meeting, At(3, 14));
        await r.MarkLostAsync(cobalt, occurredAt: At(4, 12));
        await r.ReopenAsync(cobalt, Meeting, At(5, 10));
        await r.RecordActivityAsync(cobalt, "call", At(6, 13));

        await r.MoveAsync(delta, DecisionMaker, At(3, 9));
        await r.MoveAsync(delta, Interest, At(3, 16));
        await r.MoveAsync(delta, Meeting, At(4, 16));
        await r.ReassignAsync(delta, Anna, At(5, 12));

        await r.RecordActivityAsync(echo, "call", At(5, 16));

        var events = await h.Store.Events.ReadPipelineAsync(SalesId, FunnelMetrics.Storage.PipelineEventQuery.All).ToListAsync();
        return FunnelEventLog.Build(Pipeline, await h.Store.Clients.ListAsync(SalesId).ToListAsync(), events);
    }

    private static (int, int, int, int) Outcome(StageConversion s) => (s.Cohort, s.Advanced, s.Lost, s.Remaining);

    private static (int, int, int, int, int) WithLate(StageConversion s) => (s.Cohort, s.Advanced, s.AdvancedLate, s.Lost, s.Remaining);

    [Fact]
    public async Task StageCounts()
    {
        var log = await Log.Value;
        int[] Counts(DateTimeOffset t) => [.. StageCountsCalculator.Compute(log, t).Stages.Select(s => s.Clients)];

        Assert.Empty(StageCountsCalculator.Compute(log, At(2, 9).AddMinutes(-1)).ByOwner);
        Assert.Equal([0, 0, 0, 0, 0, 0, 0], Counts(At(2, 9).AddMinutes(-1)));
        var tuesday = StageCountsCalculator.Compute(log, At(3, 12));
        Assert.Equal([1, 1, 1, 1, 0, 0, 0], tuesday.Stages.Select(s => s.Clients));
        Assert.Equal((4, 0, 0, 4), (tuesday.InWork, tuesday.Won, tuesday.Lost, tuesday.Entered));
        Assert.Equal([0, 0, 1, 1, 0, 0, 0], tuesday.ByOwner[0].Stages.Select(s => s.Clients));
        Assert.Equal([1, 1, 0, 0, 0, 0, 0], tuesday.ByOwner[1].Stages.Select(s => s.Clients));
        Assert.Equal([0, 0, 2, 0, 1, 0, 0], Counts(At(5, 10).AddTicks(-1)));
        Assert.Equal(1, StageCountsCalculator.Compute(log, At(5, 10).AddTicks(-1)).Lost);
        Assert.Equal([0, 0, 3, 0, 1, 0, 0], Counts(At(5, 10)));
        var friday = StageCountsCalculator.Compute(log, At(6, 12));
        Assert.Equal([0, 0, 2, 0, 0, 0, 1], friday.Stages.Select(s => s.Clients));
        Assert.Equal((2, 1, 1, 4), (friday.InWork, friday.Won, friday.Lost, friday.Entered));
        Assert.Equal((1, 1, 1), (friday.ByOwner[0].InWork, friday.ByOwner[0].Won, friday.ByOwner[0].Lost));
        Assert.Equal((1, 0, 0), (friday.ByOwner[1].InWork, friday.ByOwner[1].Won, friday.ByOwner[1].Lost));
    }

    [Theory]
    [InlineData("UTC")]
    [InlineData("Europe/Sofia")]
    public async Task FlowLedger(string zone)
    {
        var ledger = FlowLedgerCalculator.Compute(await Log.Value, new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 6), zone);

        Assert.Equal(
            [
                new FlowTotals(3, 1, 0, 0, 0, 0, 0, 3, 0, 0),
                new FlowTotals(1, 5, 0, 0, 0, 0, 0, 4, 0, 0),
                new FlowTotals(0, 3, 0, 0, 1, 0, 0, 3, 0, 1),
                new FlowTotals(0, 1, 1, 0, 0, 1, 1, 4, 0, 0),
                new FlowTotals(0, 1, 0, 1, 1, 0, 1, 2, 1, 1),
            ],
            ledger.Days.Select(d => d.Totals));
        var tuesday = ledger.Days[1].Stages;
        Assert.Equal(new StageFlow(DecisionMaker, 1, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0), tuesday[0]);
        Assert.Equal(new StageFlow(Interest, 2, 0, 0, 3, 0, 0, 0, 0, 0, 0, 1), tuesday[1]);
        Assert.Equal(new StageFlow(Meeting, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2), tuesday[2]);
        Assert.Equal(new StageFlow(Requirements, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), tuesday[3]);
        var thursday = ledger.Days[3];
        Assert.Equal(new StageFlow(Meeting, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 3), thursday.Stages[2]);
        Assert.Equal(new StageFlow(Requirements, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0), thursday.Stages[3]);
        Assert.Equal(new StageFlow(Offer, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0), thursday.Stages[4]);
        Assert.Equal(new StageFlow(Terms, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), thursday.Stages[5]);
        var anna = thursday.ByOwner.Single(o => o.Owner == Anna);
        var boris = thursday.ByOwner.Single(o => o.Owner == Boris);
        Assert.Equal(new StageFlow(Meeting, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 2), anna.Stages[2]);
        Assert.Equal(new StageFlow(Meeting, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1), boris.Stages[2]);
        Assert.Equal((1, 1, 3), (anna.Totals.ForwardMoves, anna.Totals.Regressions, anna.Totals.InWorkAtEnd));
        Assert.Equal((1, 1, 1, 0), (boris.Totals.Reopens, boris.Totals.Activities, boris.Totals.InWorkAtEnd, boris.Totals.LostAtEnd));
    }

    [Fact]
    public async Task TimeInStage()
    {
        var log = await Log.Value;
        var asOf = At(7, 0);

        var meeting = TimeInStageCalculator.Compute(log, TimeWindow.Until(asOf)).Stages[2];
        Assert.Equal((3, TimeSpan.FromHours(23), TimeSpan.FromHours(23), TimeSpan.FromHours(24), TimeSpan.FromHours(24)), (meeting.Completed.Count, meeting.Completed.Mean!.Value, meeting.Completed.Median!.Value, meeting.Completed.P75!.Value, meeting.Completed.P90!.Value));
        Assert.Equal(69 / 24.0, meeting.Completed.TotalDays, 12);
        Assert.Equal(2, meeting.OpenVisits);
        Assert.Equal(new DurationEstimate(TimeSpan.FromHours(24), null), meeting.Median);
        Assert.Equal(new DurationEstimate(null, TimeSpan.FromHours(56)), meeting.P90);
        Assert.Equal((3, TimeSpan.Parse("2.06:20:00", System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromHours(56), TimeSpan.FromHours(60), TimeSpan.FromHours(60)), (meeting.PerClient.Count, meeting.PerClient.Mean!.Value, meeting.PerClient.Median!.Value, meeting.PerClient.P75!.Value, meeting.PerClient.P90!.Value));

        var boris = TimeInStageCalculator.Compute(log, TimeWindow.Until(asOf), filter: new FunnelFilter { Owners = [Boris] }).Stages[2];
        Assert.Equal((1, 2), (boris.Completed.Count, boris.OpenVisits));
        Assert.Equal(new DurationEstimate(null, TimeSpan.FromHours(56)), boris.Median);
        Assert.Equal(2, boris.PerClient.Count);

        var sinceThursday = TimeInStageCalculator.Compute(log, new TimeWindow(At(5, 0), asOf)).Stages[2];
        Assert.Equal(new DurationEstimate(TimeSpan.FromHours(24), null), sinceThursday.Median);
        Assert.Equal(new DurationEstimate(null, TimeSpan.FromHours(38)), sinceThursday.P90);

        var interest = TimeInStageCalculator.Compute(log, TimeWindow.Until(asOf)).Stages[1].Completed;
        Assert.Equal((4, TimeSpan.Parse("17:45:00", System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromHours(20), TimeSpan.FromHours(24), TimeSpan.FromHours(27)), (interest.Count, interest.Mean!.Value, interest.Median!.Value, interest.P75!.Value, interest.P90!.Value));
    }

    [Fact]
    public async Task Conversion()
    {
        var log = await Log.Value;

        var conversion = ConversionCalculator.Compute(log, new TimeWindow(At(2, 0), At(7, 0)));
        Assert.Equal([(3, 3, 0, 0), (4, 4, 0, 0), (4, 2, 0, 2), (2, 1, 1, 0), (1, 1, 0, 0), (1, 1, 0, 0), (0, 0, 0, 0)], conversion.Stages.Select(Outcome));
        Assert.Equal([3, 3, 3, 2, 1, 1, 1], conversion.Stages.Select(s => s.ReachedFromFirstStage));
        Assert.Equal((3, 1), (conversion.FirstStageCohort, conversion.WonFromFirstStage));
        Assert.Equal(1 / 3.0, conversion.WonFromFirstStageShare!.Value, 12);
        Assert.Equal(new WinRate(1, 1, 0.5), conversion.WinRate);

        var noSkips = ConversionCalculator.Compute(log, new TimeWindow(At(2, 0), At(7, 0)), options: new ConversionOptions { SkippedStagesCountAsPassed = false });
        Assert.Equal((3, 1, 0, 2), Outcome(noSkips.Stages[2]));
        Assert.Equal(2, noSkips.Stages[2].ReachedFromFirstStage);

        var oneDay = ConversionCalculator.Compute(log, new TimeWindow(At(2, 0), At(7, 0)), conversionWindow: TimeSpan.FromDays(1));
        Assert.Equal((3, 3, 0, 0, 0), WithLate(oneDay.Stages[0]));
        Assert.Equal((4, 3, 1, 0, 0), WithLate(oneDay.Stages[1]));
        Assert.Equal((1, 0, 1, 0, 0), WithLate(oneDay.Stages[4]));
    }

    [Fact]
    public async Task Velocity()
    {
        var log = await Log.Value;

        var velocity = VelocityCalculator.Compute(log, new TimeWindow(At(2, 0), At(7, 0)));
        Assert.Equal([3, 4, 1, 1, 1, 1, 0], velocity.Stages.Select(s => s.ForwardMoves));
        Assert.Equal([0.6, 0.8, 0.2, 0.2, 0.2, 0.2, 0], velocity.Stages.Select(s => Math.Round(s.PerDay, 12)));
        Assert.Equal([new OwnerVelocity(Anna, 8, 1.6), new OwnerVelocity(Boris, 3, 0.6)], velocity.ByOwner);
        Assert.Equal((1, TimeSpan.FromHours(98)), (velocity.CycleTime.Count, velocity.CycleTime.Median!.Value));
        var sv = velocity.SalesVelocity;
        Assert.Equal((2, 10_000m, 0.5), (sv.OpenClients, sv.AverageWonValue!.Value, sv.WinRate!.Value));
        Assert.Equal(98 / 24.0, sv.AverageCycleDays!.Value, 12);
        Assert.Equal(12 / 49.0, sv.ClientsPerDay!.Value, 12);
        Assert.Equal(2448.98m, decimal.Round(sv.ValuePerDay!.Value, 2));

        var anna = VelocityCalculator.Compute(log, new TimeWindow(At(2, 0), At(7, 0)), new FunnelFilter { Owners = [Anna] }).SalesVelocity;
        Assert.Equal(1, anna.OpenClients);
        Assert.Equal(6 / 49.0, anna.ClientsPerDay!.Value, 12);
        Assert.Equal(1224.49m, decimal.Round(anna.ValuePerDay!.Value, 2));
        var boris = VelocityCalculator.Compute(log, new TimeWindow(At(2, 0), At(7, 0)), new FunnelFilter { Owners = [Boris] }).SalesVelocity;
        Assert.Equal(new SalesVelocity(1, null, null, null, null, null), boris);
    }
}
