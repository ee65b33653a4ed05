using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Tests.Support;

namespace FunnelMetrics.Tests.Recording;

/// <summary>Every invalid request is refused with its specific exception and leaves the store exactly as it was.</summary>
public sealed class InvalidCommandProperties
{
    private enum Violation
    {
        UnknownStage,
        UnknownClient,
        BeforePrevious,
        InFuture,
        SameOwner,
        EventIdReused,
        StatusRule,
        ClosedLoss,
    }

    private static Arbitrary<(History History, int Client, Violation Violation)> Cases() => Arb.From(
        from history in Histories.Valid()
        from client in Gen.Choose(0, 5)
        from violation in Gen.Elements(Enum.GetValues<Violation>())
        select (history, client, violation));

    [Property(MaxTest = 300)]
    public Property InvalidRequest_IsRefused_AndTheStoreIsUnchanged() =>
        Prop.ForAll(Cases(), input =>
        {
            var (history, pick, violation) = input;
            var h = history.RecordAsync().GetAwaiter().GetResult();
            var i = pick % history.Clients.Count;
            var client = history.Clients[i].Id;
            var model = history.Final[i];
            var pipeline = history.Pipeline;
            var at = model.LastAt;
            var before = h.SnapshotAsync().GetAwaiter().GetResult();
            var openStage = pipeline.Stages.Select(s => s.Key).First(s => s != pipeline.WonStage);

            (Func<Task> act, Type expected, FunnelRule? rule) = violation switch
            {
                Violation.UnknownStage => ((Func<Task>)(() => h.Recorder.MoveAsync(client, new StageId("no-such-stage"), at)), typeof(UnknownStageException), (FunnelRule?)null),
                Violation.UnknownClient => (() => h.Recorder.RecordActivityAsync(new ClientId("ghost"), "call", at), typeof(UnknownClientException), null),
                Violation.BeforePrevious when at > Seed.T0 => (() => h.Recorder.RecordActivityAsync(client, "call", at.AddTicks(-1)), typeof(EventOrderException), FunnelRule.EventBeforePreviousEvent),
                Violation.BeforePrevious => (() => h.Recorder.RecordActivityAsync(client, "call", Seed.T0.AddTicks(-1)), typeof(EventOrderException), FunnelRule.EventBeforeClientCreated),
                Violation.InFuture => (() => h.Recorder.RecordActivityAsync(client, "call", h.Clock.GetUtcNow() + FunnelMetrics.Recording.RecordingOptions.DefaultFutureTolerance + TimeSpan.FromTicks(1)), typeof(FutureEventException), FunnelRule.EventInFuture),
                Violation.SameOwner => (() => h.Recorder.ReassignAsync(client, History.Owners[model.OwnerIndex], at), typeof(FunnelRuleException), FunnelRule.SameOwner),
                Violation.EventIdReused when history.Commands.Count > 0 => (() => h.Recorder.RecordActivityAsync(client, "something else entirely", at, history.Commands[0].Id), typeof(EventIdConflictException), null),
                Violation.EventIdReused => (() => h.Recorder.MoveAsync(new ClientId("ghost"), openStage, at), typeof(UnknownClientException), null),
                Violation.ClosedLoss when model.Status is ClientStatus.Won or ClientStatus.Lost => (() => h.Recorder.MarkLostAsync(client, "again", at), typeof(ClosedClientException), FunnelRule.ClientClosed),
                _ => model.Status switch
                {
                    ClientStatus.NotEntered when violation == Violation.ClosedLoss => (() => h.Recorder.MarkLostAsync(client, null, at), typeof(FunnelRuleException), FunnelRule.ClientNotEntered),
                    ClientStatus.NotEntered => (() => h.Recorder.MoveAsync(client, pipeline.WonStage, at), typeof(FunnelRuleException), FunnelRule.EntryIntoWonStage),
                    ClientStatus.Open when violation == Violation.ClosedLoss => (() => h.Recorder.ReopenAsync(client, openStage, at), typeof(FunnelRuleException), FunnelRule.ReopenOfOpenClient),
                    ClientStatus.Open => (() => h.Recorder.MoveAsync(client, pipeline.Stages[model.StageIndex].Key, at), typeof(SameStageException), FunnelRule.SameStage),
                    ClientStatus.Won => (() => h.Recorder.MoveAsync(client, openStage, at), typeof(ClosedClientException), FunnelRule.ClientClosed),
                    _ => ((Func<Task>)(() => h.Recorder.ReopenAsync(client, pipeline.WonStage, at)), typeof(FunnelRuleException), (FunnelRule?)FunnelRule.ReopenIntoWonStage),
                },
            };

            var thrown = Record.ExceptionAsync(act).GetAwaiter().GetResult();

            Assert.NotNull(thrown);
            Assert.Equal(expected, thrown.GetType());
            if (rule is { } r)
            {
                Assert.Equal(r, ((FunnelRuleException)thrown).Rule);
            }

            Assert.Equal(before, h.SnapshotAsync().GetAwaiter().GetResult());
        });
}
