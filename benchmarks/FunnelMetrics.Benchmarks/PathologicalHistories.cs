namespace FunnelMetrics.Benchmarks;

/// <summary>
/// Small histories whose shape, not size, makes a forecast expensive: 2,000 clients that keep moving between open
/// stages in short visits and almost never close (a path walked step by step only ends at the horizon), 2,000 clients
/// with frequent regressions (long paths back and forth before a close), both on <see cref="HistoryGenerator.Pipeline"/>,
/// and 2,000 clients wandering over a pipeline of 5,000 stages (a chain of thousands of stages and one large loop).
/// 20 owners, deterministic for a seed. Shared by the benchmarks and the tests.
/// </summary>
public static class PathologicalHistories
{
    /// <summary>The instant the histories are forecast from: after their last event.</summary>
    public static DateTimeOffset AsOf => HistoryGenerator.Start.AddDays(61);

    /// <summary>The pipeline of 5,000 stages of <see cref="ManyStages"/>, the last one won.</summary>
    public static PipelineDefinition ManyStagesPipeline { get; } = new(
        new PipelineId("many"), "Many stages", [.. Enumerable.Range(0, 5000).Select(i => new StageDefinition(new StageId($"s{i:D4}")))]);

    /// <summary>The shapes by name, <c>cycling</c>, <c>regressions</c> and <c>many-stages</c>, with their pipeline.</summary>
    public static (PipelineDefinition Pipeline, Client[] Clients, ClientEvent[] Events) Generate(string shape, int clients = 2000, int seed = 1)
    {
        var (pipeline, history) = shape switch
        {
            "cycling" => (HistoryGenerator.Pipeline, Cycling(clients, seed)),
            "regressions" => (HistoryGenerator.Pipeline, Regressions(clients, seed)),
            "many-stages" => (ManyStagesPipeline, ManyStages(clients, seed)),
            _ => throw new ArgumentException($"Unknown shape '{shape}'; use cycling, regressions or many-stages.", nameof(shape)),
        };
        return (pipeline, history.Clients, history.Events);
    }

    /// <summary>
    /// Clients entering the first stage over 60 days, then moving among the first four stages, forward or back, after 10 to
    /// 90 minutes each, about five moves a client; one move in a thousand is a loss, two in a thousand from the fourth
    /// stage a win (about 6 transitions a client). A path walked step by step takes about 1,300 moves to close.
    /// </summary>
    public static (Client[] Clients, ClientEvent[] Events) Cycling(int clients = 2000, int seed = 1) =>
        Build(clients, seed, (random, stage) =>
        {
            var roll = random.Next(1000);
            if (roll < 1)
            {
                return Lost;
            }

            if (roll < 3 && stage == 3)
            {
                return 6;
            }

            var to = random.Next(3);
            return to >= stage ? to + 1 : to; // any other of stages 0-3
        }, minutes: (random, _) => random.Next(10, 91), moves: random => random.Next(3, 9));

    /// <summary>
    /// Clients entering the first stage over 60 days and working through all six open stages with frequent regressions:
    /// from each stage but the first, 40% back to an earlier one, 8% lost, 8% a skip, the rest a step forward (the last
    /// step is the win); visits of 1 to 48 hours, up to 12 moves a client.
    /// </summary>
    public static (Client[] Clients, ClientEvent[] Events) Regressions(int clients = 2000, int seed = 1) =>
        Build(clients, seed, (random, stage) =>
        {
            var roll = random.Next(100);
            return roll switch
            {
                < 8 => Lost,
                < 48 => stage > 0 ? random.Next(stage) : 1,
                < 56 => Math.Min(6, stage + 2),
                _ => stage + 1,
            };
        }, minutes: (random, _) => random.Next(60, 48 * 60), moves: random => random.Next(4, 13));

    /// <summary>
    /// Clients entering a random stage of <see cref="ManyStagesPipeline"/> over 60 days, then moving to any other open
    /// stage after 1 to 48 hours, up to 5 moves; one move in twenty is a win.
    /// </summary>
    public static (Client[] Clients, ClientEvent[] Events) ManyStages(int clients = 2000, int seed = 1) =>
        Build(clients, seed, (random, stage) =>
        {
            if (random.Next(20) == 0)
            {
                return 4999;
            }

            var to = random.Next(4998);
            return to >= stage ? to + 1 : to;
        }, minutes: (random, _) => random.Next(60, 48 * 60), moves: random => random.Next(1, 6), ManyStagesPipeline, first: random => random.Next(4999));

    private const int Lost = -1;

    private static (Client[] Clients, ClientEvent[] Events) Build(int count, int seed, Func<Random, int, int> next, Func<Random, int, int> minutes, Func<Random, int> moves, PipelineDefinition? on = null, Func<Random, int>? first = null)
    {
        var random = new Random(seed);
        var pipeline = on ?? HistoryGenerator.Pipeline;
        var won = pipeline.WonStageIndex;
        var stages = pipeline.Stages.Select(s => s.Key).ToArray();
        var owners = Enumerable.Range(0, 20).Select(o => new OwnerId($"owner-{o:D2}")).ToArray();
        var clients = new Client[count];
        var events = new List<ClientEvent>(count * 8);
        var end = AsOf;
        for (var n = 0; n < count; n++)
        {
            var id = new ClientId($"client-{n:D5}");
            var owner = owners[random.Next(owners.Length)];
            var at = HistoryGenerator.Start.AddMinutes(random.Next(0, 60 * 24 * 60));
            clients[n] = new Client(id, pipeline.Id, owner, at, 1000m * random.Next(1, 50));
            long sequence = 0;
            void Move(TransitionKind kind, int? from, int? to) => events.Add(new StageTransition(new ClientEventId($"{id}-{sequence + 1}"), id, pipeline.Id, ++sequence, kind, from is { } f ? stages[f] : null, to is { } t ? stages[t] : null, at, at, owner, null));

            var stage = first?.Invoke(random) ?? 0;
            Move(TransitionKind.Entered, null, stage);
            for (var k = moves(random); k > 0; k--)
            {
                var later = at.AddMinutes(minutes(random, stage));
                if (later >= end)
                {
                    break;
                }

                at = later;
                var to = next(random, stage);
                if (to == Lost)
                {
                    Move(TransitionKind.Lost, stage, null);
                    break;
                }

                var kind = to == won ? TransitionKind.Won : to == stage + 1 ? TransitionKind.Advanced : to > stage ? TransitionKind.Skipped : TransitionKind.Regressed;
                Move(kind, stage, to);
                if (to == won)
                {
                    break;
                }

                stage = to;
            }
        }

        return (clients, [.. events]);
    }
}
