using FsCheck;
using FsCheck.Fluent;
using FunnelMetrics.Recording;

namespace FunnelMetrics.Tests.Support;

/// <summary>What the model expects a recorder call to do.</summary>
internal enum CommandKind
{
    Move,
    Lose,
    Reopen,
    Activity,
    Reassign,
}

/// <summary>One recorder call of a generated history, with the kind the model expects for a transition.</summary>
internal sealed record HistoryCommand(CommandKind Kind, ClientId Client, DateTimeOffset At, ClientEventId Id, string? Note, StageId? Stage = null, string? LostReason = null, OwnerId? Owner = null, TransitionKind? ExpectedKind = null)
{
    public Task<ClientEvent> RecordAsync(FunnelRecorder recorder) => Kind switch
    {
        CommandKind.Move => Upcast(recorder.MoveAsync(Client, Stage!.Value, At, Note, Id)),
        CommandKind.Lose => Upcast(recorder.MarkLostAsync(Client, LostReason, At, Note, Id)),
        CommandKind.Reopen => Upcast(recorder.ReopenAsync(Client, Stage!.Value, At, Note, Id)),
        CommandKind.Activity => Upcast(recorder.RecordActivityAsync(Client, Note, At, Id)),
        _ => Upcast(recorder.ReassignAsync(Client, Owner!.Value, At, Note, Id)),
    };

    /// <summary>The recorder call that reproduces a stored event.</summary>
    public static HistoryCommand FromEvent(ClientEvent e) => e switch
    {
        StageTransition { Kind: TransitionKind.Lost } t => new(CommandKind.Lose, e.ClientId, e.OccurredAt, e.Id, e.Note, LostReason: t.LostReason),
        StageTransition { Kind: TransitionKind.Reopened } t => new(CommandKind.Reopen, e.ClientId, e.OccurredAt, e.Id, e.Note, t.ToStage),
        StageTransition t => new(CommandKind.Move, e.ClientId, e.OccurredAt, e.Id, e.Note, t.ToStage),
        ClientActivity => new(CommandKind.Activity, e.ClientId, e.OccurredAt, e.Id, e.Note),
        _ => new(CommandKind.Reassign, e.ClientId, e.OccurredAt, e.Id, e.Note, Owner: e.Owner),
    };

    private static async Task<ClientEvent> Upcast<T>(Task<T> task)
        where T : ClientEvent => await task;
}

/// <summary>The model's view of one client after a prefix of the history.</summary>
internal sealed record ModelClient(ClientStatus Status, int StageIndex, int OwnerIndex, DateTimeOffset LastAt, int Events);

/// <summary>A valid history by construction: a pipeline, its clients and the recorder calls, plus the model's final states.</summary>
internal sealed record History(PipelineDefinition Pipeline, IReadOnlyList<Client> Clients, IReadOnlyList<HistoryCommand> Commands, IReadOnlyList<ModelClient> Final)
{
    public static readonly OwnerId[] Owners = [new("o0"), new("o1"), new("o2")];

    public override string ToString() =>
        $"{Pipeline}\n{string.Join('\n', Commands.Select(c => $"{c.Kind} {c.Client} {c.Stage} {c.Owner} {c.At:O} {c.ExpectedKind}"))}";

    /// <summary>Records the whole history; the clock moves one second per call so recorded-at instants differ.</summary>
    public async Task<RecorderHarness> RecordAsync(FunnelMetrics.Recording.RecordingOptions? options = null)
    {
        var h = new RecorderHarness(options);
        h.Clock.SetUtcNow(Seed.T0.AddDays(400));
        await h.Store.Pipelines.AddAsync(Pipeline);
        foreach (var client in Clients)
        {
            await h.Recorder.AddClientAsync(client);
        }

        foreach (var command in Commands)
        {
            h.Clock.Advance(TimeSpan.FromSeconds(1));
            await command.RecordAsync(h.Recorder);
        }

        return h;
    }
}

/// <summary>FsCheck generators of pipelines and of valid histories (valid by construction, from a model of the rules).</summary>
internal static class Histories
{
    public static Gen<PipelineDefinition> Pipelines() =>
        from count in Gen.Choose(2, 8)
        from wonChoice in Gen.Choose(0, 15)
        from currency in Gen.Elements<string?>(null, "EUR", "BGN")
        select new PipelineDefinition(
            new PipelineId("p"),
            "Generated",
            [.. Enumerable.Range(0, count).Select(i => new StageDefinition(new StageId($"s{i}"), $"Stage {i}", i % 3 == 1 ? TimeSpan.FromDays(i) : null, i % 4 == 2 ? 0.1 * i : null))],
            wonStage: wonChoice < 8 ? null : new StageId($"s{wonChoice % count}"),
            currencyCode: currency);

    private static Gen<(int Client, int Action, int Target, int Minutes)> Steps() =>
        from client in Gen.Choose(0, 5)
        from action in Gen.Choose(0, 9)
        from target in Gen.Choose(0, 7)
        from minutes in Gen.Frequency((1, Gen.Constant(0)), (4, Gen.Choose(1, 3000)))
        select (client, action, target, minutes);

    public static Gen<History> Valid() =>
        from pipeline in Pipelines()
        from clientCount in Gen.Choose(1, 6)
        from steps in Gen.ListOf(Steps())
        select Interpret(pipeline, clientCount, steps);

    public static Arbitrary<History> ValidArb() => Arb.From(Valid());

    /// <summary>Turns raw choices into recorder calls that the rules accept, tracking each client's state in a model.</summary>
    public static History Interpret(PipelineDefinition pipeline, int clientCount, IEnumerable<(int Client, int Action, int Target, int Minutes)> steps)
    {
        var won = pipeline.WonStageIndex;
        var stageCount = pipeline.Stages.Count;
        var openStages = Enumerable.Range(0, stageCount).Where(i => i != won).ToArray();
        var clients = Enumerable.Range(0, clientCount)
            .Select(i => new Client(new ClientId($"c{i}"), pipeline.Id, History.Owners[i % 3], Seed.T0, i % 2 == 0 ? 100m * i : null, i % 3 == 0 ? new Dictionary<string, string> { ["source"] = $"src{i}" } : null))
            .ToArray();
        var model = Enumerable.Range(0, clientCount).Select(i => new ModelClient(ClientStatus.NotEntered, -1, i % 3, Seed.T0, 0)).ToArray();
        var commands = new List<HistoryCommand>();

        foreach (var (c, action, target, minutes) in steps)
        {
            var i = c % clientCount;
            var m = model[i];
            var at = m.LastAt.AddMinutes(minutes);
            var id = new ClientEventId($"e{commands.Count}");
            var note = action % 4 == 0 ? null : $"note {commands.Count}";
            var clientId = clients[i].Id;
            HistoryCommand command;
            ModelClient next;

            if (action == 9 || (action == 8 && m.Status != ClientStatus.NotEntered))
            {
                var owner = (m.OwnerIndex + 1 + (target % 2)) % 3;
                command = new(CommandKind.Reassign, clientId, at, id, note, Owner: History.Owners[owner]);
                next = m with { OwnerIndex = owner };
            }
            else if (action == 7 || (action == 6 && m.Status == ClientStatus.NotEntered))
            {
                command = new(CommandKind.Activity, clientId, at, id, note);
                next = m;
            }
            else
            {
                switch (m.Status)
                {
                    case ClientStatus.NotEntered:
                    {
                        var to = openStages[target % openStages.Length];
                        command = new(CommandKind.Move, clientId, at, id, note, pipeline.Stages[to].Key, ExpectedKind: TransitionKind.Entered);
                        next = m with { Status = ClientStatus.Open, StageIndex = to };
                        break;
                    }

                    case ClientStatus.Open when action == 6:
                        command = new(CommandKind.Lose, clientId, at, id, note, LostReason: target % 2 == 0 ? null : "price");
                        next = m with { Status = ClientStatus.Lost };
                        break;

                    case ClientStatus.Open:
                    {
                        var others = Enumerable.Range(0, stageCount).Where(s => s != m.StageIndex).ToArray();
                        var to = others[target % others.Length];
                        var kind = to == won ? TransitionKind.Won
                            : to == m.StageIndex + 1 ? TransitionKind.Advanced
                            : to > m.StageIndex ? TransitionKind.Skipped
                            : TransitionKind.Regressed;
                        command = new(CommandKind.Move, clientId, at, id, note, pipeline.Stages[to].Key, ExpectedKind: kind);
                        next = m with { Status = to == won ? ClientStatus.Won : ClientStatus.Open, StageIndex = to };
                        break;
                    }

                    default:
                    {
                        var to = openStages[target % openStages.Length];
                        command = new(CommandKind.Reopen, clientId, at, id, note, pipeline.Stages[to].Key, ExpectedKind: TransitionKind.Reopened);
                        next = m with { Status = ClientStatus.Open, StageIndex = to };
                        break;
                    }
                }
            }

            commands.Add(command);
            model[i] = next with { LastAt = at, Events = m.Events + 1 };
        }

        return new History(pipeline, clients, commands, model);
    }
}
