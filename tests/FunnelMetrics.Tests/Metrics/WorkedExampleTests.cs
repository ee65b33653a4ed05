using FunnelMetrics.Metrics;
using FunnelMetrics.Tests.Support;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Metrics;

/// <summary>
/// Hand-computed figures for a small history on the seven seed stages (times UTC; Monday 2 March 2026):
/// A (anna): enters decision-maker Mon 09:00, interest Tue 09:00, skips to offer Wed 09:00, regresses to requirements
/// Thu 09:00, an activity Thu 12:00, wins Fri 09:00.
/// B (anna): enters Mon 10:00, interest and meeting both at Tue 10:00, lost ("price") Wed 10:00, reopened into interest Fri 10:00.
/// C (boris): enters at interest Mon 11:00, handed to anna Tue 11:00, meeting Wed 11:00.
/// D (boris): never enters; an activity Tue 12:00.
/// </summary>
public sealed class WorkedExampleTests
{
    private static readonly DateTimeOffset Mon = T0.AddHours(-9); // 2026-03-02T00:00Z

    private static async Task<FunnelEventLog> HistoryAsync()
    {
        var h = await RecorderHarness.WithSeedAsync();
        var r = h.Recorder;
        var a = (await r.AddClientAsync(NewClient("A", Mon))).Id;
        var b = (await r.AddClientAsync(NewClient("B", Mon))).Id;
        var c = (await r.AddClientAsync(NewClient("C", Mon, Boris))).Id;
        var d = (await r.AddClientAsync(NewClient("D", Mon, Boris))).Id;

        await r.MoveAsync(a, DecisionMaker, Mon.AddHours(9));
        await r.MoveAsync(b, DecisionMaker, Mon.AddHours(10));
        await r.MoveAsync(c, Interest, Mon.AddHours(11));
        await r.MoveAsync(a, Interest, Mon.AddDays(1).AddHours(9));
        await r.MoveAsync(b, Interest, Mon.AddDays(1).AddHours(10));
        await r.MoveAsync(b, Meeting, Mon.AddDays(1).AddHours(10));
        await r.ReassignAsync(c, Anna, Mon.AddDays(1).AddHours(11));
        await r.RecordActivityAsync(d, "call", Mon.AddDays(1).AddHours(12));
        await r.MoveAsync(a, Offer, Mon.AddDays(2).AddHours(9));
        await r.MarkLostAsync(b, "price", Mon.AddDays(2).AddHours(10));
        await r.MoveAsync(c, Meeting, Mon.AddDays(2).AddHours(11));
        await r.MoveAsync(a, Requirements, Mon.AddDays(3).AddHours(9));
        await r.RecordActivityAsync(a, "call", Mon.AddDays(3).AddHours(12));
        await r.MoveAsync(a, Contract, Mon.AddDays(4).AddHours(9));
        await r.ReopenAsync(b, Interest, Mon.AddDays(4).AddHours(10));

        var events = new List<ClientEvent>();
        foreach (var id in new[] { a, b, c, d })
        {
            events.AddRange(await h.EventsOfAsync(id));
        }

        return FunnelEventLog.Build(Pipeline, [.. await h.Store.Clients.ListAsync(SalesId).ToListAsync()], events);
    }

    private static int[] Counts(StageCounts counts) => [.. counts.Stages.Select(s => s.Clients)];

    [Fact]
    public async Task StageCounts_AfterTheSameInstantDoubleMove_CountTheLaterMove()
    {
        var counts = StageCountsCalculator.Compute(await HistoryAsync(), Mon.AddDays(1).AddHours(10));

        Assert.Equal([0, 2, 1, 0, 0, 0, 0], Counts(counts));
        Assert.Equal((3, 0, 0, 3), (counts.InWork, counts.Won, counts.Lost, counts.Entered));
        Assert.Equal(["anna", "boris"], counts.ByOwner.Select(o => o.Owner.Value));
        Assert.Equal([0, 1, 1, 0, 0, 0, 0], counts.ByOwner[0].Stages.Select(s => s.Clients));
        Assert.Equal([0, 1, 0, 0, 0, 0, 0], counts.ByOwner[1].Stages.Select(s => s.Clients));
    }

    [Fact]
    public async Task StageCounts_AtMidnightBeforeTheRegression_ShowTheSkipAndTheLoss()
    {
        var counts = StageCountsCalculator.Compute(await HistoryAsync(), Mon.AddDays(3));

        Assert.Equal([0, 0, 1, 0, 1, 0, 0], Counts(counts));
        Assert.Equal((2, 0, 1, 3), (counts.InWork, counts.Won, counts.Lost, counts.Entered));
    }

    [Fact]
    public async Task StageCounts_AfterTheWinAndTheReopen_CountEveryoneForAnna()
    {
        var counts = StageCountsCalculator.Compute(await HistoryAsync(), Mon.AddDays(4).AddHours(12));

        Assert.Equal([0, 1, 1, 0, 0, 0, 1], Counts(counts));
        Assert.Equal((2, 1, 0, 3), (counts.InWork, counts.Won, counts.Lost, counts.Entered));
        Assert.Equal("anna", Assert.Single(counts.ByOwner).Owner.Value);
    }

    [Fact]
    public async Task StageCounts_BeforeTheFirstEvent_AreAllZero()
    {
        var counts = StageCountsCalculator.Compute(await HistoryAsync(), Mon);

        Assert.All(counts.Stages, s => Assert.Equal(0, s.Clients));
        Assert.Equal(0, counts.Entered);
        Assert.Empty(counts.ByOwner);
    }

    [Fact]
    public async Task StageCounts_FilteredByOwner_UseTheOwnerAsOfTheInstant()
    {
        var log = await HistoryAsync();
        var boris = new FunnelFilter { Owners = [Boris] };

        Assert.Equal(1, StageCountsCalculator.Compute(log, Mon.AddDays(1).AddHours(10), boris).InWork);
        Assert.Equal(0, StageCountsCalculator.Compute(log, Mon.AddDays(1).AddHours(11), boris).InWork);
    }

    [Fact]
    public async Task FlowLedger_Tuesday_InSofia()
    {
        var ledger = FlowLedgerCalculator.Compute(await HistoryAsync(), new DateOnly(2026, 3, 3), new DateOnly(2026, 3, 3), "Europe/Sofia");

        var day = Assert.Single(ledger.Days);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 22, 0, 0, TimeSpan.Zero), day.Start);
        Assert.Equal(new DateTimeOffset(2026, 3, 3, 22, 0, 0, TimeSpan.Zero), day.End);
        Assert.Equal(new StageFlow(DecisionMaker, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0), day.Stages[0]);
        Assert.Equal(new StageFlow(Interest, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2), day.Stages[1]);
        Assert.Equal(new StageFlow(Meeting, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), day.Stages[2]);
        Assert.Equal(new FlowTotals(0, 3, 0, 0, 0, 0, 1, 3, 0, 0), day.Totals);

        var anna = day.ByOwner.Single(o => o.Owner == Anna);
        Assert.Equal(new StageFlow(Interest, 2, 0, 0, 1, 0, 0, 0, 1, 0, 0, 2), anna.Stages[1]);
        Assert.Equal(new FlowTotals(0, 3, 0, 0, 0, 0, 0, 3, 0, 0), anna.Totals);
        var boris = day.ByOwner.Single(o => o.Owner == Boris);
        Assert.Equal(new StageFlow(Interest, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0), boris.Stages[1]);
        Assert.Equal(1, boris.Totals.Activities);
    }

    [Fact]
    public async Task FlowLedger_WholeWeek_CountsNewClientsLossesWinsAndReopens()
    {
        var ledger = FlowLedgerCalculator.Compute(await HistoryAsync(), new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 6), "UTC");

        Assert.Equal([3, 0, 0, 0, 0], ledger.Days.Select(d => d.Totals.New));
        Assert.Equal([0, 0, 1, 0, 0], ledger.Days.Select(d => d.Totals.Losses));
        Assert.Equal([0, 0, 0, 1, 0], ledger.Days.Select(d => d.Totals.Regressions));
        Assert.Equal([0, 0, 0, 0, 1], ledger.Days.Select(d => d.Totals.Wins));
        Assert.Equal([0, 0, 0, 0, 1], ledger.Days.Select(d => d.Totals.Reopens));
        Assert.Equal([0, 1, 0, 1, 0], ledger.Days.Select(d => d.Totals.Activities));
        Assert.Equal(2, ledger.Days[0].Stages[0].New);
        Assert.Equal(1, ledger.Days[0].Stages[1].New);
        Assert.Equal(1, ledger.Days[2].Stages[2].Lost);
        Assert.Equal(1, ledger.Days[4].Stages[1].Reopened);
        Assert.Equal(1, ledger.Days[3].Stages[3].Activities);
        Assert.Equal([0, 0, 1, 1, 0], ledger.Days.Select(d => d.Totals.LostAtEnd));
        Assert.Equal([3, 3, 2, 2, 2], ledger.Days.Select(d => d.Totals.InWorkAtEnd));
    }

    [Fact]
    public async Task TimeInStage_CountsTheZeroLengthVisit_AndCensorsTheOpenOnes()
    {
        var time = TimeInStageCalculator.Compute(await HistoryAsync(), TimeWindow.Until(Mon.AddDays(4).AddHours(12)));

        Assert.Equal(7, time.Stages.Count);
        Assert.Equal((0, 0, DurationEstimate.None), (time.Stages[6].Completed.Count, time.Stages[6].OpenVisits, time.Stages[6].Median));
        var dm = time.Stages[0];
        Assert.Equal(new DurationStats(2, 2, TimeSpan.FromHours(24), TimeSpan.FromHours(24), TimeSpan.FromHours(24), TimeSpan.FromHours(24)), dm.Completed);

        var interest = time.Stages[1];
        Assert.Equal(new DurationStats(3, 3, TimeSpan.FromHours(24), TimeSpan.FromHours(24), TimeSpan.FromHours(48), TimeSpan.FromHours(48)), interest.Completed);
        Assert.Equal(1, interest.OpenVisits);
        Assert.Equal(new DurationEstimate(TimeSpan.FromHours(24), null), interest.Median);
        Assert.Equal(new DurationEstimate(TimeSpan.FromHours(48), null), interest.P90);
        Assert.Equal(3, interest.PerClient.Count);
        Assert.Equal(74 / 24.0, interest.PerClient.TotalDays, 12);
        Assert.Equal(TimeSpan.FromHours(24), interest.PerClient.Median);

        var meeting = time.Stages[2];
        Assert.Equal(1, meeting.Completed.Count);
        Assert.Equal(1, meeting.OpenVisits);
        Assert.Equal(new DurationEstimate(TimeSpan.FromHours(24), null), meeting.Median);
        Assert.Equal(new DurationEstimate(null, TimeSpan.FromHours(49)), meeting.P90);

        Assert.Equal(TimeSpan.FromHours(24), time.Stages[3].Completed.Median);
        Assert.Equal(TimeSpan.FromHours(24), time.Stages[4].Completed.Median);
        Assert.Equal(DurationStats.Empty, time.Stages[5].Completed);
        Assert.Equal(DurationEstimate.None, time.Stages[5].Median);
    }

    [Fact]
    public async Task TimeInStage_FromAnInstant_KeepsOnlyVisitsThatBeganThen()
    {
        var time = TimeInStageCalculator.Compute(await HistoryAsync(), new TimeWindow(Mon.AddDays(2), Mon.AddDays(4).AddHours(12)));

        Assert.Equal(0, time.Stages[0].Completed.Count);
        Assert.Equal(0, time.Stages[1].Completed.Count);
        Assert.Equal(1, time.Stages[1].OpenVisits);
        Assert.Equal(1, time.Stages[2].OpenVisits);
        Assert.Equal(0, time.Stages[2].Completed.Count);
    }

    [Fact]
    public async Task Conversion_WithSkippedStagesPassed_PartitionsEachCohort()
    {
        var conversion = ConversionCalculator.Compute(await HistoryAsync(), new TimeWindow(Mon, Mon.AddDays(5)));

        Assert.Equal(
            [(2, 2, 0, 0), (3, 3, 0, 0), (3, 1, 0, 2), (1, 1, 0, 0), (1, 1, 0, 0), (1, 1, 0, 0), (0, 0, 0, 0)],
            conversion.Stages.Select(s => (s.Cohort, s.Advanced, s.Lost, s.Remaining)));
        Assert.Equal([2, 2, 2, 1, 1, 1, 1], conversion.Stages.Select(s => s.ReachedFromFirstStage));
        Assert.Equal((2, 1, 0.5), (conversion.FirstStageCohort, conversion.WonFromFirstStage, conversion.WonFromFirstStageShare!.Value));
        Assert.Equal(new WinRate(1, 0, 1.0), conversion.WinRate);
    }

    [Fact]
    public async Task Conversion_WithoutSkippedStagesPassed_LeavesSkippedStagesOutOfTheCohorts()
    {
        var conversion = ConversionCalculator.Compute(await HistoryAsync(), new TimeWindow(Mon, Mon.AddDays(5)), options: new ConversionOptions { SkippedStagesCountAsPassed = false });

        Assert.Equal(
            [(2, 2, 0, 0), (3, 3, 0, 0), (2, 0, 0, 2), (1, 1, 0, 0), (1, 1, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0)],
            conversion.Stages.Select(s => (s.Cohort, s.Advanced, s.Lost, s.Remaining)));
        Assert.Null(conversion.Stages[5].AdvancedShare);
    }

    [Fact]
    public async Task Conversion_BeforeTheReopen_CountsTheLossAtTheMeeting()
    {
        var conversion = ConversionCalculator.Compute(await HistoryAsync(), new TimeWindow(Mon, Mon.AddDays(3)));

        Assert.Equal((3, 1, 1, 1), conversion.Stages[2] is var s ? (s.Cohort, s.Advanced, s.Lost, s.Remaining) : default);
        Assert.Equal(new WinRate(0, 1, 0.0), conversion.WinRate);
    }

    [Fact]
    public async Task Conversion_WithAConversionWindow_CountsOnlyQuickAdvances()
    {
        var conversion = ConversionCalculator.Compute(await HistoryAsync(), new TimeWindow(Mon, Mon.AddDays(5)), conversionWindow: TimeSpan.FromHours(12));

        Assert.Equal((2, 0, 2, 0, 0), conversion.Stages[0] is var dm ? (dm.Cohort, dm.Advanced, dm.AdvancedLate, dm.Lost, dm.Remaining) : default);
        Assert.Equal((3, 1, 2, 0, 0), conversion.Stages[1] is var i ? (i.Cohort, i.Advanced, i.AdvancedLate, i.Lost, i.Remaining) : default);
        Assert.Equal(2 / 3.0, conversion.Stages[1].AdvancedLateShare!.Value, 12);
    }

    [Fact]
    public async Task Velocity_OverTheWeek()
    {
        var velocity = VelocityCalculator.Compute(await HistoryAsync(), new TimeWindow(Mon, Mon.AddDays(5)));

        Assert.Equal(5, velocity.Days);
        Assert.Equal([2, 3, 0, 1, 0, 0, 0], velocity.Stages.Select(s => s.ForwardMoves));
        Assert.Equal(0.6, velocity.Stages[1].PerDay, 12);
        Assert.Equal(new OwnerVelocity(Anna, 6, 1.2), Assert.Single(velocity.ByOwner));
        Assert.Equal(new DurationStats(1, 4, TimeSpan.FromDays(4), TimeSpan.FromDays(4), TimeSpan.FromDays(4), TimeSpan.FromDays(4)), velocity.CycleTime);
        Assert.Equal(new SalesVelocity(2, 1000m, 1.0, 4.0, 500m, 0.5), velocity.SalesVelocity);
    }

    [Fact]
    public async Task Velocity_WithoutWinsInTheWindow_HasNoFormula()
    {
        var velocity = VelocityCalculator.Compute(await HistoryAsync(), new TimeWindow(Mon, Mon.AddDays(2)));

        Assert.Equal(0, velocity.CycleTime.Count);
        Assert.Null(velocity.SalesVelocity.ValuePerDay);
        Assert.Null(velocity.SalesVelocity.ClientsPerDay);
        Assert.Equal(3, velocity.SalesVelocity.OpenClients);
    }
}
