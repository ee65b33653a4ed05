namespace FunnelMetrics.Import;

/// <summary>What an import did, or, when <see cref="Problems"/> is not empty, why it stored nothing.</summary>
public sealed record ImportResult
{
    /// <summary>Whether the import was accepted: no problem was found. When <see langword="false"/> nothing was stored.</summary>
    public bool Succeeded => Problems.Count == 0;

    /// <summary>Whether this was a check only (<see cref="ImportOptions.ValidateOnly"/>): nothing was stored either way.</summary>
    public required bool ValidatedOnly { get; init; }

    /// <summary>How many records were read.</summary>
    public required long Records { get; init; }

    /// <summary>How many distinct clients the records name.</summary>
    public required int Clients { get; init; }

    /// <summary>Clients that were not stored before and were added (or would be, when validating only).</summary>
    public required int ClientsAdded { get; init; }

    /// <summary>Clients already stored whose stored history is the start of the imported one, extended with the rest.</summary>
    public required int ClientsExtended { get; init; }

    /// <summary>Clients already stored with exactly the imported history: nothing to do (an import run twice).</summary>
    public required int ClientsUnchanged { get; init; }

    /// <summary>Events appended (or that would be): stage transitions, activities and owner reassignments.</summary>
    public required long EventsAppended { get; init; }

    /// <summary>Every problem found, ordered by position, up to <see cref="ImportOptions.MaxProblems"/>.</summary>
    public required IReadOnlyList<ImportProblem> Problems { get; init; }

    /// <summary>Whether more problems were found than <see cref="Problems"/> holds.</summary>
    public required bool ProblemsTruncated { get; init; }
}
