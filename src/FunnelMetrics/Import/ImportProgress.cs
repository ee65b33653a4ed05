namespace FunnelMetrics.Import;

/// <summary>How far an import is, reported through <see cref="IProgress{T}"/>.</summary>
/// <param name="Phase">What the importer is doing.</param>
/// <param name="Done">Clients finished in this phase.</param>
/// <param name="Total">Clients this phase handles.</param>
public readonly record struct ImportProgress(ImportPhase Phase, int Done, int Total);

/// <summary>The phases of an import.</summary>
public enum ImportPhase : byte
{
    /// <summary>Replaying each client's records through the recording rules.</summary>
    Checking = 0,

    /// <summary>Storing clients and appending their events.</summary>
    Storing = 1,
}
