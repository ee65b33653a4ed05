namespace FunnelMetrics;

/// <summary>The client named does not exist in the client repository.</summary>
public sealed class UnknownClientException : FunnelMetricsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="clientId">The client that was not found.</param>
    public UnknownClientException(ClientId clientId)
        : base($"Client '{clientId}' is not known. Add the client before recording its moves.")
    {
        ClientId = clientId;
    }

    /// <summary>The client that was not found.</summary>
    public ClientId ClientId { get; }
}
