using System.Text.Json.Serialization;

namespace FunnelMetrics.Import;

/// <summary>
/// What an import did, or, when <see cref="Problems"/> is not empty, why it stored nothing (or, when
/// <see cref="Interrupted"/>, why it stopped part way).
/// </summary>
public sealed class ImportResult : IEquatable<ImportResult>
{
    [JsonConstructor]
    internal ImportResult(
        bool validatedOnly,
        long records,
        int clients,
        int clientsAdded,
        int clientsExtended,
        int clientsUnchanged,
        long eventsAppended,
        IReadOnlyList<ImportProblem> problems,
        bool problemsTruncated,
        IReadOnlyList<ImportProblem>? warnings = null,
        bool warningsTruncated = false,
        bool interrupted = false,
        int clientsUpdated = 0,
        IReadOnlyList<ImportProblem>? updates = null,
        bool updatesTruncated = false)
    {
        ValidatedOnly = validatedOnly;
        Records = records;
        Clients = clients;
        ClientsAdded = clientsAdded;
        ClientsExtended = clientsExtended;
        ClientsUnchanged = clientsUnchanged;
        EventsAppended = eventsAppended;
        Problems = problems;
        ProblemsTruncated = problemsTruncated;
        Warnings = warnings ?? [];
        WarningsTruncated = warningsTruncated;
        Interrupted = interrupted;
        ClientsUpdated = clientsUpdated;
        Updates = updates ?? [];
        UpdatesTruncated = updatesTruncated;
    }

    /// <summary>
    /// Whether the import was accepted: no problem was found. When <see langword="false"/> nothing was stored, unless
    /// <see cref="Interrupted"/> says storing stopped part way.
    /// </summary>
    public bool Succeeded => Problems.Count == 0;

    /// <summary>Whether this was a check only (<see cref="ImportOptions.ValidateOnly"/>): nothing was stored either way.</summary>
    public bool ValidatedOnly { get; }

    /// <summary>How many records were read.</summary>
    public long Records { get; }

    /// <summary>How many distinct clients the records name.</summary>
    public int Clients { get; }

    /// <summary>Clients that were not stored before and were added (or would be, when validating only).</summary>
    public int ClientsAdded { get; }

    /// <summary>
    /// Clients already stored whose stored history is the start of the imported one, extended with the rest (new moves,
    /// activities, reassignments) or with an update (<see cref="ClientsUpdated"/>). <see cref="ClientsAdded"/>,
    /// <see cref="ClientsExtended"/> and <see cref="ClientsUnchanged"/> add up to the clients handled.
    /// </summary>
    public int ClientsExtended { get; }

    /// <summary>Clients already stored with exactly the imported history and details: nothing appended (an import run twice).</summary>
    public int ClientsUnchanged { get; }

    /// <summary>Events appended (or that would be): stage transitions, activities, owner reassignments and client updates.</summary>
    public long EventsAppended { get; }

    /// <summary>
    /// Clients already stored whose value, expected close date or attributes the records give differently from the
    /// client as of now: each gets one <see cref="ClientUpdate"/> (or would, when validating only). They are among
    /// <see cref="ClientsExtended"/>, since something is appended to their streams.
    /// </summary>
    public int ClientsUpdated { get; }

    /// <summary>
    /// Each change the updates make (a value, an expected close date, an attribute), with the record that gives it, the
    /// value before and the value after; ordered by position, up to <see cref="ImportOptions.MaxProblems"/>. Empty when
    /// no stored client changes.
    /// </summary>
    public IReadOnlyList<ImportProblem> Updates { get; }

    /// <summary>Whether more changes were made than <see cref="Updates"/> holds.</summary>
    public bool UpdatesTruncated { get; }

    /// <summary>Every problem found, ordered by position, up to <see cref="ImportOptions.MaxProblems"/>.</summary>
    public IReadOnlyList<ImportProblem> Problems { get; }

    /// <summary>Whether more problems were found than <see cref="Problems"/> holds.</summary>
    public bool ProblemsTruncated { get; }

    /// <summary>
    /// What the records say differently from an event already stored, which the import keeps as stored: an event's note
    /// or lost reason (a client's value, expected close date and attributes become updates: <see cref="Updates"/>).
    /// The import still succeeds; ordered by position,
    /// up to <see cref="ImportOptions.MaxProblems"/>. Empty when nothing differs.
    /// </summary>
    public IReadOnlyList<ImportProblem> Warnings { get; }

    /// <summary>Whether more warnings were found than <see cref="Warnings"/> holds.</summary>
    public bool WarningsTruncated { get; }

    /// <summary>
    /// Whether storing stopped part way because another writer changed a client at the same time in a way that is not
    /// the start of this import's history. The other clients of that chunk (<see cref="ImportOptions.ChunkSize"/>) are
    /// stored and the import stops after it: <see cref="Problems"/> then holds one problem per client refused, the
    /// counts cover the clients stored, and those stay stored: run the same import again to finish; nothing is
    /// duplicated.
    /// (Another import of the same records at the same time is not a conflict: each finishes what the other has not.)
    /// </summary>
    public bool Interrupted { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(ImportResult? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && ValidatedOnly == other.ValidatedOnly
            && Records == other.Records
            && Clients == other.Clients
            && ClientsAdded == other.ClientsAdded
            && ClientsExtended == other.ClientsExtended
            && ClientsUnchanged == other.ClientsUnchanged
            && EventsAppended == other.EventsAppended
            && ValueEquality.Sequence(Problems, other.Problems)
            && ProblemsTruncated == other.ProblemsTruncated
            && ValueEquality.Sequence(Warnings, other.Warnings)
            && WarningsTruncated == other.WarningsTruncated
            && Interrupted == other.Interrupted
            && ClientsUpdated == other.ClientsUpdated
            && ValueEquality.Sequence(Updates, other.Updates)
            && UpdatesTruncated == other.UpdatesTruncated);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ImportResult);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Records, Clients, ClientsAdded, ClientsExtended, ClientsUnchanged, EventsAppended, Problems.Count, Interrupted);
}
