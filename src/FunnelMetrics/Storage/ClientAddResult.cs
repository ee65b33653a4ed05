namespace FunnelMetrics.Storage;

/// <summary>What happened to one client of a bulk add (<see cref="IClientRepository.AddManyAsync"/>). Immutable.</summary>
public sealed class ClientAddResult
{
    private ClientAddResult(Client client, bool added, ClientConflictException? conflict)
    {
        Client = client ?? throw new ArgumentNullException(nameof(client));
        Added = added;
        Conflict = conflict;
    }

    /// <summary>The client given.</summary>
    public Client Client { get; }

    /// <summary>Whether the client was new and is now stored; <see langword="false"/> when an equal client was already stored or on a conflict.</summary>
    public bool Added { get; }

    /// <summary>A different client stored under the same id, which is kept; <see langword="null"/> otherwise.</summary>
    public ClientConflictException? Conflict { get; }

    /// <summary>The client is now stored, or an equal one already was.</summary>
    /// <param name="client">The client.</param>
    /// <param name="added">Whether it was new.</param>
    /// <returns>The result.</returns>
    public static ClientAddResult Stored(Client client, bool added) => new(client, added, null);

    /// <summary>A different client with the same id is stored; nothing changed.</summary>
    /// <param name="client">The client given.</param>
    /// <param name="conflict">The conflict, naming both.</param>
    /// <returns>The result.</returns>
    public static ClientAddResult Refused(Client client, ClientConflictException conflict) =>
        new(client, false, conflict ?? throw new ArgumentNullException(nameof(conflict)));

    /// <summary>The client and its outcome.</summary>
    /// <returns>A short description for logs.</returns>
    public override string ToString() => Conflict is null ? $"{Client.Id}: {(Added ? "added" : "already stored")}" : $"{Client.Id}: refused, {Conflict.Message}";
}
