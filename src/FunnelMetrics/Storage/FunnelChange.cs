namespace FunnelMetrics.Storage;

/// <summary>
/// One entry of the change feed: a client record added (<see cref="Client"/>) or an event appended
/// (<see cref="Event"/>), with the position the store gave it. Immutable, with value equality.
/// </summary>
public sealed class FunnelChange : IEquatable<FunnelChange>
{
    /// <summary>A client record added to the store, as a store reports it.</summary>
    /// <param name="position">The store-assigned position, 1 or more.</param>
    /// <param name="client">The client as added.</param>
    /// <exception cref="ArgumentOutOfRangeException">The position is below 1.</exception>
    public FunnelChange(long position, Client client)
    {
        Position = CheckPosition(position);
        Client = client ?? throw new ArgumentNullException(nameof(client));
    }

    /// <summary>An event appended to a client's stream, as a store reports it.</summary>
    /// <param name="position">The store-assigned position, 1 or more.</param>
    /// <param name="clientEvent">The event.</param>
    /// <exception cref="ArgumentOutOfRangeException">The position is below 1.</exception>
    public FunnelChange(long position, ClientEvent clientEvent)
    {
        Position = CheckPosition(position);
        Event = clientEvent ?? throw new ArgumentNullException(nameof(clientEvent));
    }

    /// <summary>The store-assigned position: strictly increasing in the order changes became visible.</summary>
    public long Position { get; }

    /// <summary>The client record added, or <see langword="null"/> when the change is an event.</summary>
    public Client? Client { get; }

    /// <summary>The event appended, or <see langword="null"/> when the change is a client record.</summary>
    public ClientEvent? Event { get; }

    /// <summary>The client the change is about.</summary>
    public ClientId ClientId => Client?.Id ?? Event!.ClientId;

    /// <summary>The client's pipeline.</summary>
    public PipelineId PipelineId => Client?.PipelineId ?? Event!.PipelineId;

    /// <inheritdoc/>
    public bool Equals(FunnelChange? other) =>
        other is not null && Position == other.Position && Equals(Client, other.Client) && Equals(Event, other.Event);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as FunnelChange);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Position, ClientId);

    /// <summary>The position and what changed.</summary>
    /// <returns>A short description for logs.</returns>
    public override string ToString() => Client is { } c ? $"@{Position} added {c}" : $"@{Position} {Event}";

    private static long CheckPosition(long position) =>
        position >= 1 ? position : throw new ArgumentOutOfRangeException(nameof(position), position, "A stored change's position is 1 or more.");
}
