namespace FunnelMetrics.Metrics;

/// <summary>
/// One segment of a <see cref="FunnelEventLog"/>: a run of consecutive clients (in id order) and their events, as
/// parallel columns. Immutable once made. A log is an array of segments, so a new snapshot of a growing log
/// (<see cref="FunnelLogBuilder.ToLog"/>) makes new segments only where clients changed and shares the others with the
/// previous snapshot; and the segments are the partitions a calculator may fold in parallel.
/// </summary>
/// <remarks>
/// Client k of the segment (0 to <see cref="ClientCount"/>, exclusive) has the events
/// <see cref="Start"/>[k] to <see cref="Start"/>[k + 1], exclusive, of the columns, and, when <see cref="UpdateStart"/> is
/// not <see langword="null"/>, the updates <see cref="UpdateStart"/>[k] to <see cref="UpdateStart"/>[k + 1] of the side table.
/// </remarks>
internal sealed class LogSegment
{
    internal LogSegment(Client[] clients, int[] start, long[] ticks, EventKind[] kinds, short[] stages, ClientStatus[] statuses, int[] eventOwners, int[] initialOwners, long[] firstEntry, int[]? updateStart, long[] updateTicks, Client[] updateClients)
    {
        Clients = clients;
        Start = start;
        Ticks = ticks;
        Kinds = kinds;
        Stages = stages;
        Statuses = statuses;
        EventOwners = eventOwners;
        InitialOwners = initialOwners;
        FirstEntry = firstEntry;
        UpdateStart = updateStart;
        UpdateTicks = updateTicks;
        UpdateClients = updateClients;
    }

    /// <summary>The segment's clients, ordered by id, as they were added (without their updates).</summary>
    internal Client[] Clients { get; }

    /// <summary>Where each client's events start in the columns; one longer than <see cref="Clients"/>.</summary>
    internal int[] Start { get; }

    /// <summary>The UTC ticks of each event.</summary>
    internal long[] Ticks { get; }

    /// <summary>The kind of each event.</summary>
    internal EventKind[] Kinds { get; }

    /// <summary>The client's stage after each event, or <see cref="FunnelEventLog.NoStage"/>.</summary>
    internal short[] Stages { get; }

    /// <summary>The client's status after each event.</summary>
    internal ClientStatus[] Statuses { get; }

    /// <summary>The client's owner (index into the log's owners) after each event.</summary>
    internal int[] EventOwners { get; }

    /// <summary>Each client's owner (index) before its first event.</summary>
    internal int[] InitialOwners { get; }

    /// <summary>Each client's first entry (UTC ticks), or <see cref="long.MaxValue"/>.</summary>
    internal long[] FirstEntry { get; }

    /// <summary>Where each client's updates start in the side table, or <see langword="null"/> when the segment has none.</summary>
    internal int[]? UpdateStart { get; }

    /// <summary>The UTC ticks of each update.</summary>
    internal long[] UpdateTicks { get; }

    /// <summary>Each update's client as of just after it.</summary>
    internal Client[] UpdateClients { get; }

    /// <summary>The number of clients.</summary>
    internal int ClientCount => Clients.Length;

    /// <summary>The number of events.</summary>
    internal int EventCount => Ticks.Length;
}
