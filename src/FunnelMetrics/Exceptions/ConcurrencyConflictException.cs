namespace FunnelMetrics;

/// <summary>
/// Another writer appended to the client's history first: the append expected one version and found another.
/// Nothing was written. Read the client again and decide whether the event still applies.
/// </summary>
public sealed class ConcurrencyConflictException : FunnelMetricsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="clientId">The client.</param>
    /// <param name="expectedVersion">The version the writer expected.</param>
    /// <param name="actualVersion">The version found.</param>
    public ConcurrencyConflictException(ClientId clientId, long expectedVersion, long actualVersion)
        : base($"Client '{clientId}' was changed by another writer: expected version {expectedVersion}, found {actualVersion}. Nothing was written; read the client again and retry if the event still applies.")
    {
        ClientId = clientId;
        ExpectedVersion = expectedVersion;
        ActualVersion = actualVersion;
    }

    /// <summary>The client.</summary>
    public ClientId ClientId { get; }

    /// <summary>The version the writer expected.</summary>
    public long ExpectedVersion { get; }

    /// <summary>The version found in the store.</summary>
    public long ActualVersion { get; }
}
