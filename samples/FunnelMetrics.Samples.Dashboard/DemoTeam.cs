using FunnelMetrics.Import;

namespace FunnelMetrics.Samples.Dashboard;

/// <summary>
/// The embedded default: a generated team of five managers working the seven stages of the founding article for about
/// four months, from a fixed seed, so every run prints the same dashboard.
/// </summary>
internal static class DemoTeam
{
    /// <summary>The first working day of the generated history.</summary>
    public static readonly DateOnly FirstDay = new(2026, 6, 15);

    /// <summary>The last day of the generated history; the dashboard is read at its end.</summary>
    public static readonly DateOnly LastDay = new(2026, 10, 16);

    /// <summary>The managers.</summary>
    public static readonly OwnerId[] Managers = [new("anna"), new("boris"), new("chen"), new("dana"), new("emil")];

    /// <summary>
    /// The seven stages of the founding article, with stall thresholds where a head of sales would set them and the win
    /// probabilities a CRM's stage settings would carry (for the weighted pipeline; the forecast learns its own from the
    /// history). The console sample's default pipeline; the web sample links this file for the same team.
    /// </summary>
    public static PipelineDefinition Pipeline { get; } = new(
        new PipelineId("sales"),
        "Sales",
        [
            new StageDefinition(new StageId("decision-maker"), "Reached the decision maker", stallThreshold: TimeSpan.FromDays(5), winProbability: 0.1),
            new StageDefinition(new StageId("interest"), "Interest expressed", winProbability: 0.2),
            new StageDefinition(new StageId("meeting"), "Meeting set", stallThreshold: TimeSpan.FromDays(10), winProbability: 0.3),
            new StageDefinition(new StageId("requirements"), "Requirements received", winProbability: 0.4),
            new StageDefinition(new StageId("offer"), "Offer sent", winProbability: 0.6),
            new StageDefinition(new StageId("terms"), "Terms agreed", winProbability: 0.8),
            new StageDefinition(new StageId("contract"), "Contract signed"),
        ],
        currencyCode: "EUR");

    private const int Seed = 20260701;

    /// <summary>Per stage: the chance per working day that a client in it moves forward, and that it is lost.</summary>
    private static readonly (double Advance, double Lose)[] Daily =
    [
        (0.30, 0.04), // reached the decision maker
        (0.22, 0.04), // interest
        (0.18, 0.03), // meeting
        (0.15, 0.03), // requirements
        (0.12, 0.03), // offer
        (0.20, 0.02), // terms
    ];

    /// <summary>Generates the history as import records, the same path a CRM export takes.</summary>
    /// <param name="pipeline">The pipeline: seven stages, the last one won.</param>
    /// <returns>The records, ordered by day.</returns>
    public static List<ImportRecord> Generate(PipelineDefinition pipeline)
    {
        var random = new Random(Seed);

        // Expected close dates from a generator of their own, so the seed's sequence above (and every figure it makes) stays.
        var closeDates = new Random(Seed + 1);
        var stages = pipeline.Stages.Select(s => s.Key).ToArray();
        var won = pipeline.WonStageIndex;
        var records = new List<ImportRecord>();
        var open = new List<Deal>();
        var managerPace = Managers.Select(_ => 0.8 + (0.5 * random.NextDouble())).ToArray();
        var sources = new[] { "web", "referral", "cold-call", "fair" };
        var number = 0;

        for (var day = FirstDay; day <= LastDay; day = day.AddDays(1))
        {
            if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
            {
                continue;
            }

            var start = new DateTimeOffset(day.ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero);
            DateTimeOffset At() => start.AddMinutes(random.Next(0, 10 * 60));

            // Work the clients already in the pipeline (a fixed order, so the seed decides everything).
            for (var i = open.Count - 1; i >= 0; i--)
            {
                var deal = open[i];
                var pace = managerPace[deal.Manager];
                var (advance, lose) = Daily[deal.Stage];
                var roll = random.NextDouble();
                if (roll < lose)
                {
                    records.Add(new ImportRecord(deal.Id, ImportAction.Lost, null, At()) { LostReason = random.Next(3) switch { 0 => "price", 1 => "competitor", _ => "no budget" } });
                    open.RemoveAt(i);
                }
                else if (roll < lose + (advance * pace))
                {
                    var to = deal.Stage + (random.Next(12) == 0 && deal.Stage + 2 < won ? 2 : 1);
                    records.Add(new ImportRecord(deal.Id, ImportAction.ReachedStage, stages[to], At()));
                    deal.Stage = to;
                    if (to == won)
                    {
                        open.RemoveAt(i);
                    }
                }
                else if (roll < lose + (advance * pace) + 0.01 && deal.Stage > 1)
                {
                    deal.Stage--;
                    records.Add(new ImportRecord(deal.Id, ImportAction.ReachedStage, stages[deal.Stage], At()));
                }
                else if (roll > 0.85)
                {
                    records.Add(new ImportRecord(deal.Id, ImportAction.Activity, null, At()) { Note = "call" });
                }
            }

            // New clients: a few per manager and working day.
            for (var m = 0; m < Managers.Length; m++)
            {
                var count = random.Next(1, 5);
                for (var k = 0; k < count; k++)
                {
                    var id = new ClientId($"demo-{++number:D5}");
                    var stage = random.Next(8) == 0 ? 1 : 0;
                    records.Add(new ImportRecord(id, ImportAction.ReachedStage, stages[stage], At(), Managers[m])
                    {
                        Value = 1000m * random.Next(2, 40),
                        ExpectedCloseDate = day.AddDays(closeDates.Next(20, 70)),
                        Attributes = new Dictionary<string, string> { ["source"] = sources[random.Next(sources.Length)] },
                    });
                    open.Add(new Deal(id, m) { Stage = stage });
                }
            }
        }

        return records;
    }

    private sealed class Deal(ClientId id, int manager)
    {
        public ClientId Id { get; } = id;

        public int Manager { get; } = manager;

        public int Stage { get; set; }
    }
}
