namespace FunnelMetrics.Import;

/// <summary>How <see cref="FunnelImporter"/> runs one import.</summary>
public sealed record ImportOptions
{
    /// <summary>The default options: at most 100 problems, and store when there is none.</summary>
    public static ImportOptions Default { get; } = new();

    /// <summary>
    /// Check the records and report what would be stored, without storing anything. Default <see langword="false"/>.
    /// </summary>
    public bool ValidateOnly { get; init; }

    /// <summary>
    /// The most problems reported; checking goes on past it only to set <see cref="ImportResult.ProblemsTruncated"/>.
    /// At least 1; default 100.
    /// </summary>
    public int MaxProblems
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 100;

    /// <summary>
    /// How many clients are stored per bulk write: each chunk's new clients go in one
    /// <see cref="Storage.IClientRepository.AddManyAsync"/> and their events in one
    /// <see cref="Storage.IFunnelEventStore.AppendManyAsync"/> (one transaction per chunk in the Entity Framework Core
    /// store). Larger chunks mean fewer round trips and more memory per write. From 1 to 100,000; default 2,000.
    /// </summary>
    public int ChunkSize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxChunkSize);
            field = value;
        }
    } = 2000;

    /// <summary>The largest <see cref="ChunkSize"/>: 100,000 clients.</summary>
    public const int MaxChunkSize = 100_000;

    /// <summary>
    /// The prefix of the event ids the importer derives: <c>{prefix}{client id}#{sequence}</c> (a hash of the client id
    /// stands in for it when the id would be longer than 200 characters). The ids make an import idempotent: run again, it
    /// recognises what it stored. Default <c>"import:"</c>; at most 40 characters, not starting with white space, and
    /// without the control characters, bidirectional formatting characters or lone surrogates an id may not hold.
    /// </summary>
    public string EventIdPrefix
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value.Length, 40);
            if (value.Length > 0 && char.IsWhiteSpace(value[0]))
            {
                // An event id may not start with white space: every derived id would be refused half-way through an import.
                throw new ArgumentException($"The event id prefix must not start with white space: '{value}'.", nameof(value));
            }

            if (value.Length > 0 && IdentifierRules.Problem(value + "x", "event id prefix") is { } problem)
            {
                // Nor may it hold what an id may not (controls, bidi characters, lone surrogates).
                throw new ArgumentException(problem, nameof(value));
            }

            field = value;
        }
    } = "import:";
}
