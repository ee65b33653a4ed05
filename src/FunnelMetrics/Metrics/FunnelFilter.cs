namespace FunnelMetrics.Metrics;

/// <summary>
/// Restricts a metric to some clients and owners. Every condition set must hold; an empty filter
/// (<see cref="All"/>) keeps everything.
/// </summary>
/// <remarks>
/// Client conditions (<see cref="Attributes"/>, <see cref="EnteredFrom"/>, <see cref="EnteredTo"/>) keep or drop whole
/// clients. The owner condition keeps what is attributed to the owners listed, and each metric says what it attributes
/// to whom: stage counts use the owner as of the instant counted, flows and velocity the owner on each event, time in
/// stage the owner on the transition that began the visit, conversion the owner when the client first reached the stage.
/// </remarks>
public sealed record FunnelFilter
{
    /// <summary>No condition: every client and owner.</summary>
    public static FunnelFilter All { get; } = new();

    /// <summary>Only what is attributed to these owners; <see langword="null"/> for every owner.</summary>
    public IReadOnlyList<OwnerId>? Owners { get; init; }

    /// <summary>Only clients whose attributes hold every one of these key/value pairs (ordinal comparison); <see langword="null"/> for no condition.</summary>
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }

    /// <summary>Entry cohort: only clients whose first entry into the pipeline is at or after this instant (inclusive).</summary>
    public DateTimeOffset? EnteredFrom { get; init; }

    /// <summary>Entry cohort: only clients whose first entry into the pipeline is strictly before this instant (exclusive).</summary>
    public DateTimeOffset? EnteredTo { get; init; }

    /// <summary>Which clients of the log pass the client conditions.</summary>
    internal bool[] ClientMask(FunnelEventLog log)
    {
        if (EnteredFrom is null && EnteredTo is null && Attributes is null)
        {
            // No client condition: the log's shared all-true mask, so a dashboard allocates no mask per calculator.
            return log.AllClientsMask;
        }

        var mask = new bool[log.ClientCount];
        long from = EnteredFrom?.UtcTicks ?? long.MinValue, to = EnteredTo?.UtcTicks ?? long.MaxValue;
        var cohort = EnteredFrom is not null || EnteredTo is not null;
        for (var c = 0; c < mask.Length; c++)
        {
            var history = log.History(c);
            var entry = history.FirstEntryTicks;
            mask[c] = (!cohort || (entry != long.MaxValue && entry >= from && entry < to)) && HasAttributes(history.Client);
        }

        return mask;
    }

    /// <summary>Which owners of the log pass the owner condition.</summary>
    internal bool[] OwnerMask(FunnelEventLog log)
    {
        if (Owners is null)
        {
            return log.AllOwnersMask;
        }

        var mask = new bool[log.OwnerCount];

        for (var o = 0; o < mask.Length; o++)
        {
            mask[o] = Owners.Contains(log.OwnerAt(o));
        }

        return mask;
    }

    private bool HasAttributes(Client client)
    {
        if (Attributes is null)
        {
            return true;
        }

        foreach (var (key, value) in Attributes)
        {
            if (!client.Attributes.TryGetValue(key, out var actual) || !string.Equals(actual, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
