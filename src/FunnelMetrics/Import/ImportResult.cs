namespace FunnelMetrics.Import;

/// <summary>
/// What an import did, or, when <see cref="Problems"/> is not empty, why it stored nothing (or, when
/// <see cref="Interrupted"/>, why it stopped part way).
/// </summary>
public sealed record ImportResult
{
    /// <summary>
    /// Whether the import was accepted: no problem was found. When <see langword="false"/> nothing was stored, unless
    /// <see cref="Interrupted"/> says storing stopped part way.
    /// </summary>
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

    /// <summary>
    /// What the records say differently from a client or event already stored, which the import keeps as stored: a
    /// client's value or attributes, an event's note or lost reason. The import still succeeds; ordered by position,
    /// up to <see cref="ImportOptions.MaxProblems"/>. Empty when nothing differs.
    /// </summary>
    public IReadOnlyList<ImportProblem> Warnings { get; init; } = [];

    /// <summary>Whether more warnings were found than <see cref="Warnings"/> holds.</summary>
    public bool WarningsTruncated { get; init; }

    /// <summary>
    /// Whether storing stopped part way because another writer changed a client at the same time in a way that is not
    /// the start of this import's history. <see cref="Problems"/> then holds that one problem, the counts cover the
    /// clients stored before it, and those stay stored: run the same import again to finish; nothing is duplicated.
    /// (Another import of the same records at the same time is not a conflict: each finishes what the other has not.)
    /// </summary>
    public bool Interrupted { get; init; }
}
