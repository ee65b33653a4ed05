using FunnelMetrics.Metrics;
using FunnelMetrics.Recording;
using FunnelMetrics.Tests.Support;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Metrics.ConversionTests;

/// <summary>
/// The two conversion rules that read two ways, decided and pinned by hand-computed histories over stages A &lt; B &lt; C
/// (then won): ReachedFromFirstStage follows the order of a client's events, not their instants; and a jump from the first
/// stage past B reaches B again for ReachedFromFirstStage, whatever the client did before (docs/metrics.md, "Reaching and
/// passing a stage" and "Cumulative from the first stage").
/// </summary>
public sealed class ConversionRuleTests
{
    private static readonly StageId A = new("a"), B = new("b"), C = new("c"), Won = new("won");
    private static readonly PipelineDefinition Pipeline = new(new PipelineId("p"), "P", [new StageDefinition(A), new StageDefinition(B), new StageDefinition(C), new StageDefinition(Won)]);
    private static readonly TimeWindow Cohorts = new(T0, T0.AddDays(3));
    private static readonly DateTimeOffset OutcomesBefore = T0.AddDays(5);

    private static async Task<FunnelEventLog> RecordAsync(params (string Client, Func<FunnelRecorder, ClientId, Task> History)[] clients)
    {
        var h = new RecorderHarness();
        await h.Store.Pipelines.AddAsync(Pipeline);
        var events = new List<ClientEvent>();
        foreach (var (name, history) in clients)
        {
            var id = (await h.Recorder.AddClientAsync(new Client(new ClientId(name), Pipeline.Id, Anna, T0))).Id;
            await history(h.Recorder, id);
            events.AddRange(await h.EventsOfAsync(id));
        }

        return FunnelEventLog.Build(Pipeline, [.. await h.Store.Clients.ListAsync(Pipeline.Id).ToListAsync()], events);
    }

    private static (int Cohort, int Advanced, int Remaining) Outcome(StageConversion s) => (s.Cohort, s.Advanced, s.Remaining);

    /// <summary>
    /// x enters at B and is moved back to A in the same instant; y enters at A and advances to B an hour later. Both first
    /// reach A at T0, so the first-stage cohort is 2; only y reached B after reaching A: ReachedFromFirstStage[B] is 1, not 2.
    /// </summary>
    [Fact]
    public async Task ReachedFromFirstStage_FollowsTheEventOrder_NotTheInstant_WhenAClientEntersLaterAndIsMovedBackAtOnce()
    {
        var log = await RecordAsync(
            ("x", async (r, c) =>
            {
                await r.MoveAsync(c, B, T0);
                await r.MoveAsync(c, A, T0);
            }),
            ("y", async (r, c) =>
            {
                await r.MoveAsync(c, A, T0);
                await r.MoveAsync(c, B, T0.AddHours(1));
            }));

        var conversion = ConversionCalculator.Compute(log, Cohorts, OutcomesBefore);

        Assert.Equal(2, conversion.FirstStageCohort);
        Assert.Equal([2, 1, 0, 0], conversion.Stages.Select(s => s.ReachedFromFirstStage));
        Assert.Equal(0.5, conversion.Stages[1].CumulativeFromFirstStage);

        // The per-stage cohorts do not depend on the rule: both reached A and B in the window; y passed A, nobody passed B.
        Assert.Equal((2, 1, 1), Outcome(conversion.Stages[0]));
        Assert.Equal((2, 0, 2), Outcome(conversion.Stages[1]));
    }

    /// <summary>The same history with the move back a minute later gives the same figures: an instant shared by two events changes nothing.</summary>
    [Fact]
    public async Task ReachedFromFirstStage_IsTheSame_WhetherTheMoveBackSharesTheEntrysInstantOrComesAMinuteLater()
    {
        async Task<Conversion> With(TimeSpan delay) => ConversionCalculator.Compute(
            await RecordAsync(("x", async (r, c) =>
            {
                await r.MoveAsync(c, B, T0);
                await r.MoveAsync(c, A, T0 + delay);
            })),
            Cohorts,
            OutcomesBefore);

        var (sameInstant, later) = (await With(TimeSpan.Zero), await With(TimeSpan.FromMinutes(1)));

        Assert.Equal([1, 0, 0, 0], sameInstant.Stages.Select(s => s.ReachedFromFirstStage));
        Assert.Equal(sameInstant.Stages.Select(s => s.ReachedFromFirstStage), later.Stages.Select(s => s.ReachedFromFirstStage));
        Assert.Equal(1, sameInstant.FirstStageCohort);
    }

    /// <summary>
    /// z enters at B, is moved back to A, then jumps to C; w enters at A and jumps to C. With skipped stages counting as
    /// passed, both jumps from the first stage pass B: ReachedFromFirstStage[B] counts both (2), so the cumulative funnel
    /// from A does not drop at B below C. z's B cohort keeps its first reach, at T0, and the jump passes it.
    /// </summary>
    [Fact]
    public async Task AJumpFromTheFirstStage_ReachesAStageReachedBefore_AgainForReachedFromFirstStage()
    {
        var log = await RecordAsync(
            ("z", async (r, c) =>
            {
                await r.MoveAsync(c, B, T0);
                await r.MoveAsync(c, A, T0.AddDays(1));
                await r.MoveAsync(c, C, T0.AddDays(2));
            }),
            ("w", async (r, c) =>
            {
                await r.MoveAsync(c, A, T0);
                await r.MoveAsync(c, C, T0.AddDays(1));
            }));

        var passing = ConversionCalculator.Compute(log, Cohorts, OutcomesBefore);
        var notPassing = ConversionCalculator.Compute(log, Cohorts, OutcomesBefore, options: new ConversionOptions { SkippedStagesCountAsPassed = false });

        Assert.Equal(2, passing.FirstStageCohort);
        Assert.Equal([2, 2, 2, 0], passing.Stages.Select(s => s.ReachedFromFirstStage));
        Assert.Equal((2, 2, 0), Outcome(passing.Stages[0])); // both passed A by the jump
        Assert.Equal((2, 2, 0), Outcome(passing.Stages[1])); // z first reached B at T0 (entry), w by the jump; both passed it
        Assert.Equal((2, 0, 2), Outcome(passing.Stages[2]));

        // z's reach of B stays its entry's, at T0: a cohort window from T0 + 1 day holds only w's (by the jump).
        Assert.Equal(1, ConversionCalculator.Compute(log, new TimeWindow(T0.AddDays(1), T0.AddDays(3)), OutcomesBefore).Stages[1].Cohort);

        // Without the option a jump reaches nothing in between: only the stages arrived at count from the first stage.
        Assert.Equal([2, 0, 2, 0], notPassing.Stages.Select(s => s.ReachedFromFirstStage));
        Assert.Equal((1, 1, 0), Outcome(notPassing.Stages[1])); // z's B, reached at entry, is still passed by the jump above it
    }
}
