namespace FunnelMetrics.Import;

/// <summary>
/// One raw event of a client's history as an existing CRM exports it: the client reached a stage, was lost, or was
/// worked with, at an instant, by an owner. <see cref="FunnelImporter"/> turns records into the library's events.
/// </summary>
/// <remarks>
/// Records of many clients may come in any order: each client's records are ordered by <see cref="OccurredAt"/>, and
/// records at the same instant keep the order they were given in. The first record of a client sets its initial owner
/// and creation instant; a later record with another <see cref="Owner"/> hands the client over at that instant
/// (an <see cref="OwnerReassignment"/> before the record's own event).
/// <para>
/// A record is the library's input, not its result: build one with the constructor and the <c>init</c> properties, or
/// derive one from another with <c>with</c>. Two records are equal when every field is, <see cref="Attributes"/>
/// compared by their pairs rather than by reference.
/// </para>
/// </remarks>
public sealed record ImportRecord
{
    /// <summary>Creates a record.</summary>
    /// <param name="clientId">The client.</param>
    /// <param name="action">What happened.</param>
    /// <param name="stage">The stage reached; required for <see cref="ImportAction.ReachedStage"/>, otherwise ignored.</param>
    /// <param name="occurredAt">When it happened (any offset; stored as UTC).</param>
    /// <param name="owner">
    /// Who owned the client then; required on a client's first record. <c>default</c> on a later record keeps the owner.
    /// </param>
    public ImportRecord(ClientId clientId, ImportAction action, StageId? stage, DateTimeOffset occurredAt, OwnerId owner = default)
    {
        ClientId = clientId;
        Action = action;
        Stage = stage;
        OccurredAt = occurredAt;
        Owner = owner;
    }

    /// <summary>The client.</summary>
    public ClientId ClientId { get; init; }

    /// <summary>What happened.</summary>
    public ImportAction Action { get; init; }

    /// <summary>The stage reached, for <see cref="ImportAction.ReachedStage"/>.</summary>
    public StageId? Stage { get; init; }

    /// <summary>When it happened.</summary>
    public DateTimeOffset OccurredAt { get; init; }

    /// <summary>The client's owner at that instant; <c>default</c> keeps the current one.</summary>
    public OwnerId Owner { get; init; }

    /// <summary>
    /// The deal's value, when the export has one. The client's value is the last non-empty one among its records; it
    /// sets <see cref="Client.Value"/> of a client the import adds, and a stored client whose value as of now differs gets
    /// a <see cref="ClientUpdate"/>.
    /// </summary>
    public decimal? Value { get; init; }

    /// <summary>
    /// When the deal is expected to close, when the export has it. The client's date is the last non-empty one among its
    /// records; it sets <see cref="Client.ExpectedCloseDate"/> of a client the import adds, and a stored client whose
    /// date differs gets a <see cref="ClientUpdate"/>.
    /// </summary>
    public DateOnly? ExpectedCloseDate { get; init; }

    /// <summary>
    /// Why the client was lost, for <see cref="ImportAction.Lost"/>; at most 200 characters, no NUL, well-formed Unicode.
    /// Empty or white space (a blank cell of an export) means no reason.
    /// </summary>
    public string? LostReason { get; init; }

    /// <summary>
    /// A note stored with the event; at most 1,000 characters, no NUL, well-formed Unicode. Empty or white space (a
    /// blank cell of an export) means no note.
    /// </summary>
    public string? Note { get; init; }

    /// <summary>
    /// Client attributes (segment, region, source). The client's attributes are the union over its records, a later
    /// record's value winning; they set <see cref="Client.Attributes"/> of a client the import adds, and a stored client
    /// whose attributes as of now differ in one of them gets a <see cref="ClientUpdate"/> (an attribute the records do
    /// not name is kept).
    /// </summary>
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }

    /// <summary>
    /// Where the record came from, reported with its problems (a file's row number, for instance). When 0, the
    /// importer uses the record's 1-based place in the sequence given.
    /// </summary>
    public long Position { get; init; }

    /// <summary>Whether <paramref name="other"/> has the same fields, <see cref="Attributes"/> compared by their key/value pairs (ordinal).</summary>
    /// <param name="other">The other record.</param>
    /// <returns><see langword="true"/> when every field is equal.</returns>
    public bool Equals(ImportRecord? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && ClientId == other.ClientId
            && Action == other.Action
            && Stage == other.Stage
            && OccurredAt.Equals(other.OccurredAt)
            && Owner == other.Owner
            && Value == other.Value
            && ExpectedCloseDate == other.ExpectedCloseDate
            && string.Equals(LostReason, other.LostReason, StringComparison.Ordinal)
            && string.Equals(Note, other.Note, StringComparison.Ordinal)
            && ValueEquality.Pairs(Attributes, other.Attributes)
            && Position == other.Position);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ClientId, Action, Stage, OccurredAt, Owner, Position, ValueEquality.PairsHash(Attributes));
}
