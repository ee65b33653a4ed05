namespace FunnelMetrics.Metrics;

/// <summary>One page of the rows behind a count (<see cref="ClientListCalculator"/>).</summary>
public sealed class ClientList : IEquatable<ClientList>
{
    internal ClientList(PipelineId pipelineId, ClientListQuery query, int total, IReadOnlyList<ClientListItem> items) =>
        (PipelineId, Measure, Stage, AsOf, Window, Total, Offset, Items) = (pipelineId, query.Measure, query.Stage, query.AsOf, query.Window, total, query.Offset, items);

    /// <summary>The pipeline.</summary>
    public PipelineId PipelineId { get; }

    /// <summary>The count listed.</summary>
    public ClientListMeasure Measure { get; }

    /// <summary>The stage asked for, if any.</summary>
    public StageId? Stage { get; }

    /// <summary>The instant of a state measure.</summary>
    public DateTimeOffset? AsOf { get; }

    /// <summary>The window of an event measure.</summary>
    public TimeWindow? Window { get; }

    /// <summary>Every row of the list, on every page: equal to the count the list stands behind.</summary>
    public int Total { get; }

    /// <summary>The rows skipped before this page.</summary>
    public int Offset { get; }

    /// <summary>This page's rows: events in time order (ties by client id), states by the instant the state began (the longest first), stalled clients the most overdue first.</summary>
    public IReadOnlyList<ClientListItem> Items { get; }

    /// <summary>Whether <paramref name="other"/> is the same page of the same list, row by row.</summary>
    /// <param name="other">The other page.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public bool Equals(ClientList? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && PipelineId.Equals(other.PipelineId)
            && Measure == other.Measure
            && Nullable.Equals(Stage, other.Stage)
            && Nullable.Equals(AsOf, other.AsOf)
            && Equals(Window, other.Window)
            && Total == other.Total
            && Offset == other.Offset
            && ValueEquality.Sequence(Items, other.Items));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ClientList);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(PipelineId, Measure, Stage, AsOf, Total, Offset, Items.Count);
}

/// <summary>One row of a <see cref="ClientList"/>: a client and, for an event measure, the event counted.</summary>
public sealed class ClientListItem : IEquatable<ClientListItem>
{
    internal ClientListItem(Client client, OwnerId owner, StageId? stage, ClientStatus status, DateTimeOffset at, TimeSpan? idle, double? overdue)
    {
        ClientId = client.Id;
        Owner = owner;
        Stage = stage;
        Status = status;
        At = at;
        Value = client.Value;
        ExpectedCloseDate = client.ExpectedCloseDate;
        Idle = idle;
        Overdue = overdue;
    }

    /// <summary>The client.</summary>
    public ClientId ClientId { get; }

    /// <summary>The owner the row is counted for: after a move in, before a move out or a loss; for a state, the owner then.</summary>
    public OwnerId Owner { get; }

    /// <summary>The stage the row is counted in: entered, left, lost from, or the client's stage for a state.</summary>
    public StageId? Stage { get; }

    /// <summary>The client's status after the event, or as of the instant.</summary>
    public ClientStatus Status { get; }

    /// <summary>The event's instant; for a state, the instant it began (the visit's start, the win or the loss); for a stalled client, its last touch; for a slipped one, its visit's start.</summary>
    public DateTimeOffset At { get; }

    /// <summary>The deal's value as of the row's instant, if known.</summary>
    public decimal? Value { get; }

    /// <summary>The expected close date as of the row's instant, if known.</summary>
    public DateOnly? ExpectedCloseDate { get; }

    /// <summary>For a stalled client: the time since its last touch.</summary>
    public TimeSpan? Idle { get; }

    /// <summary>For a stalled client: its idle time over its stage's threshold (above 1); for a slipped one, the days its expected close date is past (<see cref="SlippedClient.DaysOverdue"/>).</summary>
    public double? Overdue { get; }

    /// <summary>Whether <paramref name="other"/> is the same row.</summary>
    /// <param name="other">The other row.</param>
    /// <returns><see langword="true"/> when every member is equal.</returns>
    public bool Equals(ClientListItem? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && ClientId.Equals(other.ClientId)
            && Owner.Equals(other.Owner)
            && Nullable.Equals(Stage, other.Stage)
            && Status == other.Status
            && At.Equals(other.At)
            && Value == other.Value
            && Nullable.Equals(ExpectedCloseDate, other.ExpectedCloseDate)
            && Nullable.Equals(Idle, other.Idle)
            && Nullable.Equals(Overdue, other.Overdue));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ClientListItem);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ClientId, Owner, Stage, Status, At, Idle);
}
