namespace FunnelMetrics;

/// <summary>A client with the same id but different content already exists. Adding an identical client again is a no-op.</summary>
public sealed class ClientConflictException : FunnelMetricsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="existing">The client already stored.</param>
    /// <param name="rejected">The client that was refused.</param>
    public ClientConflictException(Client existing, Client rejected)
        : base($"Client '{existing?.Id}' already exists with different content ({existing}); the new definition ({rejected}) was refused. Client records are immutable once added.")
    {
        Existing = existing!;
        Rejected = rejected;
    }

    /// <summary>The client already stored.</summary>
    public Client Existing { get; }

    /// <summary>The client that was refused.</summary>
    public Client Rejected { get; }
}
