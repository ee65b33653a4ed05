using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Metrics;
using FunnelMetrics.Tests.Support;

namespace FunnelMetrics.Tests.Recording;

/// <summary>
/// The one rule table seen from its four consumers: <see cref="ClientState.CanMove(PipelineDefinition, StageId, out FunnelRule)"/>
/// and its siblings answer what the recorder then does, and the log's build and the live view accept a stored
/// transition exactly when the recorder could have recorded it.
/// </summary>
public sealed class RuleTableProperties
{
    private enum Probe
    {
        Move,
        Lose,
        Reopen,
        Reassign,
    }

    private static readonly StageId Unknown = new("no-such-stage");

    private static Arbitrary<(History History, List<(Probe Probe, int Client, int Stage, int Owner)> Probes)> ProbedHistories() => Arb.From(
        from history in Histories.Valid()
        from probes in Gen.ListOf(
            from probe in Gen.Elements(Enum.GetValues<Probe>())
            from client in Gen.Choose(0, 5)
            from stage in Gen.Choose(0, 8)
            from owner in Gen.Choose(0, 2)
            select (probe, client, stage, owner))
        select (history, probes.Take(40).ToList()));

    [Property(MaxTest = 150)]
    public Property CanX_AnswersWhatTheRecorderThenDoes_RuleForRule() =>
        Prop.ForAll(ProbedHistories(), input => Run(async () =>
        {
            var (history, probes) = input;
            var pipeline = history.Pipeline;
            var h = await history.RecordAsync();
            foreach (var (probe, c, s, o) in probes)
            {
                var client = history.Clients[c % history.Clients.Count].Id;
                var stage = s % (pipeline.Stages.Count + 1) is var i && i < pipeline.Stages.Count ? pipeline.Stages[i].Key : Unknown;
                var owner = History.Owners[o];
                var state = await h.Recorder.GetStateAsync(client);
                var kind = default(TransitionKind?);
                FunnelRule rule;
                var can = probe switch
                {
                    Probe.Move => state.CanMove(pipeline, stage, out rule),
                    Probe.Lose => state.CanLose(out rule),
                    Probe.Reopen => state.CanReopen(pipeline, stage, out rule),
                    _ => state.CanReassign(owner, out rule),
                };
                if (probe == Probe.Move && state.CanMove(pipeline, stage, out var derived, out _))
                {
                    kind = derived;
                }

                h.Clock.Advance(TimeSpan.FromSeconds(1));
                ClientEvent? recorded = null;
                var thrown = await Record.ExceptionAsync(async () => recorded = probe switch
                {
                    Probe.Move => await h.Recorder.MoveAsync(client, stage),
                    Probe.Lose => await h.Recorder.MarkLostAsync(client),
                    Probe.Reopen => await h.Recorder.ReopenAsync(client, stage),
                    _ => (ClientEvent)await h.Recorder.ReassignAsync(client, owner),
                });

                var after = await h.Recorder.GetStateAsync(client);
                if (can)
                {
                    Assert.Null(thrown);
                    Assert.Equal(default, rule);
                    Assert.Equal(state.Version + 1, after.Version);
                    if (kind is { } expected)
                    {
                        Assert.Equal(expected, Assert.IsType<StageTransition>(recorded).Kind);
                    }
                }
                else
                {
                    Assert.NotNull(thrown);
                    var reported = thrown is UnknownStageException ? FunnelRule.UnknownStage : Assert.IsAssignableFrom<FunnelRuleException>(thrown).Rule;
                    Assert.Equal(rule, reported);
                    Assert.Equal(state.Version, after.Version);
                }
            }
        }));

    private static Arbitrary<(History History, int Client, int Prefix, TransitionKind Kind, int From, int To)> ForgedTransitions() => Arb.From(
        from history in Histories.Valid()
        from client in Gen.Choose(0, 5)
        from prefix in Gen.Choose(0, 60)
        from kind in Gen.Elements(Enum.GetValues<TransitionKind>())
        from source in Gen.Frequency((2, Gen.Constant(-1)), (1, Gen.Choose(0, 7)))
        from target in Gen.Choose(0, 8)
        select (history, client, prefix, kind, source, target));

    [Property(MaxTest = 300)]
    public Property StoredTransition_IsAcceptedByTheLogAndTheLiveView_ExactlyWhenTheRecorderCouldHaveRecordedIt() =>
        Prop.ForAll(ForgedTransitions(), input => Run(async () =>
        {
            var (history, c, p, kind, source, target) = input;
            var pipeline = history.Pipeline;
            var client = history.Clients[c % history.Clients.Count];
            var h = await history.RecordAsync();
            var events = await h.EventsOfAsync(client.Id);
            var prefix = events.Take(p % (events.Count + 1)).ToList();
            var state = ClientState.Replay(client, prefix);

            // A stage of the pipeline, or one it lacks; the from-stage is the client's own (-1) or any of the pipeline's.
            var to = target % (pipeline.Stages.Count + 1) is var ti && ti < pipeline.Stages.Count ? pipeline.Stages[ti].Key : Unknown;
            var from = source < 0 ? state.Stage : pipeline.Stages[source % pipeline.Stages.Count].Key;
            StageId? toStage = kind == TransitionKind.Lost ? null : to;
            from = kind == TransitionKind.Entered ? null : from ?? pipeline.Stages[0].Key;
            if (kind is not (TransitionKind.Entered or TransitionKind.Lost or TransitionKind.Reopened) && from == toStage)
            {
                return; // not a transition the model can even construct
            }

            var at = state.LastEventAt ?? client.CreatedAt;
            var forged = new StageTransition(new ClientEventId("forged"), client.Id, pipeline.Id, state.Version + 1, kind, from, toStage, at, at, state.Owner);

            var fromOk = from == state.Stage;
            var recordable = kind switch
            {
                TransitionKind.Entered => state.CanMove(pipeline, to, out var k, out _) && k == TransitionKind.Entered,
                TransitionKind.Lost => fromOk && state.CanLose(out _),
                TransitionKind.Reopened => fromOk && state.CanReopen(pipeline, to, out _),
                _ => fromOk && state.CanMove(pipeline, to, out var k, out _) && k == kind,
            };

            var built = Record.Exception(() => FunnelEventLog.Build(pipeline, [client], [.. prefix, forged]));
            var view = FunnelLiveView.Create(FunnelEventLog.Build(pipeline, [client], prefix), at);
            var viewed = Record.Exception(() => view.Apply(forged));
            var folded = Record.Exception(() => state.Apply(forged));

            Assert.Equal(recordable, built is null);
            Assert.Equal(recordable, viewed is null);
            if (!recordable)
            {
                var fromLog = Assert.IsType<FunnelHistoryException>(built);
                var fromView = Assert.IsType<FunnelHistoryException>(viewed);
                Assert.Equal((fromLog.Rule, client.Id, forged.Id, forged.Sequence), (fromView.Rule, fromView.ClientId, fromView.EventId, fromView.Sequence));
                Assert.Equal((client.Id, forged.Id, forged.Sequence, at), (fromLog.ClientId, fromLog.EventId, fromLog.Sequence, fromLog.OccurredAt));

                // What the state refuses without the stage order, it refuses for the same rule; what it accepts, only the stage order refuses.
                if (folded is not null)
                {
                    Assert.Equal(fromLog.Rule, Assert.IsType<FunnelHistoryException>(folded).Rule);
                }
                else
                {
                    Assert.Contains(fromLog.Rule, new[] { FunnelRule.UnknownStage, FunnelRule.EntryIntoWonStage, FunnelRule.ReopenIntoWonStage, FunnelRule.KindContradictsStageOrder });
                }
            }
            else
            {
                Assert.Null(folded);
                Assert.Equal(state.Version + 1, view.EventsApplied);
            }
        }));

    /// <summary>Runs an async check synchronously: the in-memory store completes without blocking.</summary>
    private static bool Run(Func<Task> check)
    {
        check().GetAwaiter().GetResult();
        return true;
    }
}
