using FunnelMetrics.Metrics;
using static FunnelMetrics.Testing.Seed;
using static FunnelMetrics.Tests.Support.EdgeCaseHistory;

namespace FunnelMetrics.Tests.Metrics.FlowLedgerTests;

/// <summary>The flow ledger on days that are not 24 hours long, with unknown time zones, imported hand-overs and too many cells.</summary>
public sealed class EdgeCaseTests
{
    [Fact]
    public async Task FlowLedger_OnTheSpringForwardDay_Has23HoursAndSplitsAtLocalMidnight()
    {
        // Europe/Sofia moves from 03:00 EET to 04:00 EEST on Sunday 29 March 2026.
        var (h, c) = await OneClientAsync(new DateTimeOffset(2026, 3, 27, 0, 0, 0, TimeSpan.Zero));
        await h.Recorder.MoveAsync(c, DecisionMaker, new DateTimeOffset(2026, 3, 29, 20, 59, 0, TimeSpan.Zero)); // 23:59 EEST on the 29th
        await h.Recorder.MoveAsync(c, Interest, new DateTimeOffset(2026, 3, 29, 21, 0, 0, TimeSpan.Zero)); // 00:00 EEST on the 30th

        var ledger = FlowLedgerCalculator.Compute(await LogAsync(h), new DateOnly(2026, 3, 28), new DateOnly(2026, 3, 30), "Europe/Sofia");

        Assert.Equal([24.0, 23.0, 24.0], ledger.Days.Select(d => (d.End - d.Start).TotalHours));
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 22, 0, 0, TimeSpan.Zero), ledger.Days[1].Start);
        Assert.Equal([0, 1, 0], ledger.Days.Select(d => d.Totals.New));
        Assert.Equal([0, 0, 1], ledger.Days.Select(d => d.Totals.ForwardMoves));
        Assert.Equal([0, 1, 0], ledger.Days.Select(d => d.Stages[0].CountAtEnd));
    }

    [Fact]
    public void FlowLedger_OnTheFallBackDay_Has25Hours()
    {
        var log = FunnelEventLog.Build(Pipeline, [], []);

        var ledger = FlowLedgerCalculator.Compute(log, new DateOnly(2026, 10, 25), new DateOnly(2026, 10, 25), "Europe/Sofia");

        Assert.Equal(25.0, (ledger.Days[0].End - ledger.Days[0].Start).TotalHours);
        Assert.All(ledger.Days[0].Stages, r => Assert.Equal(0, r.CountAtEnd));
    }

    [Fact]
    public void FlowLedger_WhereDaylightSavingSwallowsMidnight_StartsTheDayAtTheEndOfTheGap()
    {
        // America/Santiago springs forward at 24:00 on Saturday 5 September 2026: Sunday starts at 01:00 local (-03:00).
        var log = FunnelEventLog.Build(Pipeline, [], []);

        var ledger = FlowLedgerCalculator.Compute(log, new DateOnly(2026, 9, 6), new DateOnly(2026, 9, 6), "America/Santiago");

        Assert.Equal(new DateTimeOffset(2026, 9, 6, 4, 0, 0, TimeSpan.Zero), ledger.Days[0].Start);
        Assert.Equal(23.0, (ledger.Days[0].End - ledger.Days[0].Start).TotalHours);
    }

    [Fact]
    public void FlowLedger_WithAnUnknownTimeZone_ThrowsNamingIt()
    {
        var log = FunnelEventLog.Build(Pipeline, [], []);

        var ex = Assert.Throws<ArgumentException>(() => FlowLedgerCalculator.Compute(log, new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 2), "Europe/Atlantis"));

        Assert.Contains("Europe/Atlantis", ex.Message, StringComparison.Ordinal);
        Assert.Equal("timeZoneId", ex.ParamName);
    }

    [Fact]
    public void FlowLedger_AnImportedActivityCarryingAnotherOwner_CountsAsAHandOver()
    {
        var client = NewClient("c1");
        ClientEvent[] events =
        [
            new StageTransition(new ClientEventId("e1"), client.Id, SalesId, 1, TransitionKind.Entered, null, Meeting, T0, T0, Anna),
            new ClientActivity(new ClientEventId("e2"), client.Id, SalesId, 2, T0.AddDays(1), T0.AddDays(1), Boris, "call by boris"),
        ];

        var day = FlowLedgerCalculator.Compute(FunnelEventLog.Build(Pipeline, [client], events), new DateOnly(2026, 3, 3), new DateOnly(2026, 3, 3), "UTC").Days[0];

        Assert.Equal(1, day.ByOwner.Single(o => o.Owner == Anna).Stages[2].ReassignedOut);
        Assert.Equal(0, day.ByOwner.Single(o => o.Owner == Anna).Stages[2].CountAtEnd);
        Assert.Equal((1, 1, 1), day.ByOwner.Single(o => o.Owner == Boris).Stages[2] is var b ? (b.ReassignedIn, b.Activities, b.CountAtEnd) : default);
    }

    [Fact]
    public void FlowLedger_TooLargeForOneCall_ThrowsAskingForFewerDays()
    {
        var clients = Enumerable.Range(0, 2000).Select(i => NewClient($"c{i}", owner: new OwnerId($"o{i}"))).ToArray();
        var log = FunnelEventLog.Build(Pipeline, clients, []);

        var ex = Assert.Throws<ArgumentException>(() => FlowLedgerCalculator.Compute(log, new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31), "UTC"));

        Assert.Contains("fewer days", ex.Message, StringComparison.Ordinal);
        Assert.Equal(31, FlowLedgerCalculator.Compute(log, new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 31), "UTC").Days.Count);
    }
}
