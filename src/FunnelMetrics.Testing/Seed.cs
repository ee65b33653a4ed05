namespace FunnelMetrics.Testing;

/// <summary>
/// The sample data the conformance tests use: a seven-stage sales pipeline, two owners, a start instant and a client
/// factory. Public so that tests of your own can build on the same data.
/// </summary>
public static class Seed
{
    /// <summary>The id of <see cref="Pipeline"/>: <c>sales</c>.</summary>
    public static readonly PipelineId SalesId = new("sales");

    /// <summary>An owner.</summary>
    public static readonly OwnerId Anna = new("anna");

    /// <summary>Another owner.</summary>
    public static readonly OwnerId Boris = new("boris");

    /// <summary>Stage 1: reached the decision maker.</summary>
    public static readonly StageId DecisionMaker = new("decision-maker");

    /// <summary>Stage 2: interest expressed.</summary>
    public static readonly StageId Interest = new("interest");

    /// <summary>Stage 3: meeting set (stalls after seven idle days).</summary>
    public static readonly StageId Meeting = new("meeting");

    /// <summary>Stage 4: technical requirements received.</summary>
    public static readonly StageId Requirements = new("requirements");

    /// <summary>Stage 5: offer sent (win probability 0.4).</summary>
    public static readonly StageId Offer = new("offer");

    /// <summary>Stage 6: terms accepted (win probability 0.8).</summary>
    public static readonly StageId Terms = new("terms");

    /// <summary>Stage 7, the won stage: contract signed.</summary>
    public static readonly StageId Contract = new("contract");

    /// <summary>Monday 2 March 2026, 09:00 UTC.</summary>
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    /// <summary>The seven-stage sales pipeline <see cref="SalesId"/>, in euros, won at <see cref="Contract"/>.</summary>
    public static PipelineDefinition Pipeline { get; } = new(
        SalesId,
        "Sales",
        [
            new StageDefinition(DecisionMaker, "Reached the decision maker"),
            new StageDefinition(Interest, "Interest expressed"),
            new StageDefinition(Meeting, "Meeting set", stallThreshold: TimeSpan.FromDays(7)),
            new StageDefinition(Requirements, "Technical requirements received"),
            new StageDefinition(Offer, "Offer sent", winProbability: 0.4),
            new StageDefinition(Terms, "Terms accepted", winProbability: 0.8),
            new StageDefinition(Contract, "Contract signed"),
        ],
        currencyCode: "EUR");

    /// <summary>A client of <see cref="Pipeline"/> worth 1000, with the attribute <c>source=web</c>.</summary>
    /// <param name="id">The client id.</param>
    /// <param name="createdAt">When it was created; <see cref="T0"/> by default.</param>
    /// <param name="owner">Its owner; <see cref="Anna"/> by default.</param>
    /// <returns>The client.</returns>
    public static Client NewClient(string id, DateTimeOffset? createdAt = null, OwnerId? owner = null) =>
        new(new ClientId(id), SalesId, owner ?? Anna, createdAt ?? T0, 1000m, new Dictionary<string, string> { ["source"] = "web" });
}
