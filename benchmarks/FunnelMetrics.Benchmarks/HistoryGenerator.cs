namespace FunnelMetrics.Benchmarks;

/// <summary>
/// A deterministic generator of realistic sales histories on the seven stages of the founding article: about 200
/// owners, clients entering over a year, forward moves with skips, regressions, losses, reopens, activities and
/// hand-overs in plausible shares. The same seed and size always give the same history. Shared by the benchmarks and,
/// at small sizes, by the tests.
/// </summary>
public static class HistoryGenerator
{
    /// <summary>2025-01-06 00:00 UTC, a Monday: the start of generated histories.</summary>
    public static readonly DateTimeOffset Start = new(2025, 1, 6, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The seven stages of the founding article; the last means won.</summary>
    public static PipelineDefinition Pipeline { get; } = new(
        new PipelineId("sales"),
        "Sales",
        [
            new StageDefinition(new StageId("decision-maker"), "Reached the decision maker"),
            new StageDefinition(new StageId("interest"), "Interest expressed"),
            new StageDefinition(new StageId("meeting"), "Meeting set", stallThreshold: TimeSpan.FromDays(10)),
            new StageDefinition(new StageId("requirements"), "Technical requirements received"),
            new StageDefinition(new StageId("offer"), "Offer sent", winProbability: 0.4),
            new StageDefinition(new StageId("terms"), "Terms accepted", winProbability: 0.8),
            new StageDefinition(new StageId("contract"), "Contract signed"),
        ],
        currencyCode: "EUR");

    /// <summary>The instant after the last generated event: a year and a month after <see cref="Start"/>.</summary>
    public static DateTimeOffset End => Start.AddDays(395);

    /// <summary>Generates clients and their events until the history holds at least <paramref name="transitions"/> stage transitions.</summary>
    /// <param name="transitions">The number of stage transitions to reach (activities and hand-overs come on top).</param>
    /// <param name="seed">The seed.</param>
    /// <param name="owners">How many owners share the clients.</param>
    /// <returns>The clients and their events, ordered by client, then sequence.</returns>
    public static (Client[] Clients, ClientEvent[] Events) Generate(int transitions, int seed = 1, int owners = 200)
    {
        var random = new Random(seed);
        var ownerIds = Enumerable.Range(0, owners).Select(o => new OwnerId($"owner-{o:D3}")).ToArray();
        var sources = new[] { "web", "cold-call", "referral", "fair", "partner" };
        var stageIds = Pipeline.Stages.Select(s => s.Key).ToArray();
        const int won = 6;
        var pipelineId = Pipeline.Id;
        var clients = new List<Client>(transitions / 4);
        var events = new List<ClientEvent>(transitions + (transitions / 2));
        var moves = 0;
        var end = End.UtcTicks;
        for (var n = 0; moves < transitions; n++)
        {
            var id = new ClientId($"client-{n:D8}");
            var owner = ownerIds[random.Next(owners)];
            var entered = Start.AddMinutes(random.Next(0, 365 * 24 * 60));
            clients.Add(new Client(id, pipelineId, owner, entered, random.Next(4) == 0 ? null : 1000m * random.Next(1, 50), new Dictionary<string, string> { ["source"] = sources[random.Next(sources.Length)] }));
            var at = entered;
            long sequence = 0;
            var stage = random.Next(10) == 0 ? random.Next(1, 3) : 0;
            var status = ClientStatus.Open;
            ClientEvent Add(ClientEvent e)
            {
                events.Add(e);
                return e;
            }

            StageTransition Move(TransitionKind kind, int? from, int? to, string? reason = null)
            {
                moves++;
                return (StageTransition)Add(new StageTransition(new ClientEventId($"{id}-{sequence + 1}"), id, pipelineId, ++sequence, kind, from is { } f ? stageIds[f] : null, to is { } t ? stageIds[t] : null, at, at, owner, reason));
            }

            Move(TransitionKind.Entered, null, stage);
            while (true)
            {
                // Time in the stage: a few days, longer in the later stages; some clients touched along the way.
                var stay = TimeSpan.FromHours(random.NextDouble() * 24 * (3 + (2 * stage)) * (random.Next(8) == 0 ? 4 : 1));
                var touches = random.Next(3);
                for (var k = 0; k < touches && at + (stay * (k + 1) / (touches + 1)) < End; k++)
                {
                    var touchAt = at + (stay * (k + 1) / (touches + 1));
                    Add(new ClientActivity(new ClientEventId($"{id}-{sequence + 1}"), id, pipelineId, ++sequence, touchAt, touchAt, owner, "call"));
                    at = touchAt;
                }

                at += stay / (touches + 1);
                if (at.UtcTicks >= end || moves >= transitions)
                {
                    break;
                }

                if (random.Next(50) == 0)
                {
                    var next = ownerIds[random.Next(owners)];
                    if (next != owner)
                    {
                        Add(new OwnerReassignment(new ClientEventId($"{id}-{sequence + 1}"), id, pipelineId, ++sequence, at, at, next, owner));
                        owner = next;
                    }
                }

                if (status != ClientStatus.Open)
                {
                    // A closed client: rarely reopened, otherwise done.
                    if (random.Next(25) != 0)
                    {
                        break;
                    }

                    var reopenTo = random.Next(2, 5);
                    Move(TransitionKind.Reopened, stage, reopenTo);
                    (stage, status) = (reopenTo, ClientStatus.Open);
                    continue;
                }

                var roll = random.Next(100);
                if (roll < 22)
                {
                    Move(TransitionKind.Lost, stage, null, random.Next(2) == 0 ? "price" : null);
                    status = ClientStatus.Lost;
                }
                else if (roll < 29 && stage > 0)
                {
                    var back = random.Next(stage);
                    Move(TransitionKind.Regressed, stage, back);
                    stage = back;
                }
                else
                {
                    var to = roll < 37 ? Math.Min(won, stage + 2) : stage + 1;
                    var kind = to == won ? TransitionKind.Won : to == stage + 1 ? TransitionKind.Advanced : TransitionKind.Skipped;
                    Move(kind, stage, to);
                    (stage, status) = (to, to == won ? ClientStatus.Won : ClientStatus.Open);
                }
            }
        }

        return ([.. clients], [.. events]);
    }
}
