using System.Collections.ObjectModel;
using System.Globalization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// Restricts a metric to some clients and owners. Every condition set must hold; an empty filter
/// (<see cref="All"/>) keeps everything.
/// </summary>
/// <remarks>
/// <para>
/// Client conditions (<see cref="Attributes"/>, <see cref="EnteredFrom"/>, <see cref="EnteredTo"/>) keep or drop whole
/// clients. The owner condition keeps what is attributed to the owners listed, and each metric says what it attributes
/// to whom: stage counts use the owner as of the instant counted, flows and velocity the owner on each event, time in
/// stage the owner on the transition that began the visit, conversion the owner when the client first reached the stage.
/// </para>
/// <para>
/// Attributes change over a client's life (<see cref="ClientUpdate"/>): the condition holds for the client as of the
/// metric's instant, the one instant each metric reads clients at (see docs/metrics.md, "The client as of T"): the
/// as-of instant of a point-in-time metric (stage counts, stalls, the forecast), the last instant a window metric reads
/// (the tick before the window's end for time in stage, velocity and stuck stages; before <c>outcomesBefore</c> for
/// conversion; before the day after the last for the flow ledger). A client kept is kept whole for that metric, even if
/// its attributes were different earlier in the window.
/// </para>
/// <para>
/// A filter is a value: the collections given are copied, so changing them afterwards does not change the filter, and
/// two filters with the same conditions are equal (<see cref="Equals(FunnelFilter?)"/>) and hash alike, whatever the
/// order of the owners or of the attributes, so a filter can key a cache of results.
/// </para>
/// </remarks>
public sealed record FunnelFilter
{
    private readonly ReadOnlyCollection<OwnerId>? _owners;
    private readonly OwnerId[]? _ownerSet;
    private readonly ReadOnlyDictionary<string, string>? _attributes;

    /// <summary>No condition: every client and owner.</summary>
    public static FunnelFilter All { get; } = new();

    /// <summary>
    /// Only what is attributed to these owners; <see langword="null"/> for every owner. An empty list keeps no owner.
    /// The list is copied; its order and repeats do not matter.
    /// </summary>
    public IReadOnlyList<OwnerId>? Owners
    {
        get => _owners;
        init
        {
            _owners = value is null ? null : Array.AsReadOnly(value.ToArray());
            _ownerSet = value is null ? null : [.. value.Distinct().Order()];
        }
    }

    /// <summary>
    /// Only clients whose attributes, as of the metric's instant, hold every one of these key/value pairs (ordinal
    /// comparison); <see langword="null"/> or empty for no condition. The pairs are copied.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Attributes
    {
        get => _attributes;
        init => _attributes = value is null ? null : new ReadOnlyDictionary<string, string>(new Dictionary<string, string>(value, StringComparer.Ordinal));
    }

    /// <summary>Entry cohort: only clients whose first entry into the pipeline is at or after this instant (inclusive).</summary>
    public DateTimeOffset? EnteredFrom { get; init; }

    /// <summary>Entry cohort: only clients whose first entry into the pipeline is strictly before this instant (exclusive).</summary>
    public DateTimeOffset? EnteredTo { get; init; }

    /// <summary>
    /// Whether <paramref name="other"/> sets the same conditions: the same set of owners (in any order, repeats ignored;
    /// <see langword="null"/> differs from empty), the same attribute pairs (ordinal; <see langword="null"/> equals
    /// empty: neither is a condition) and the same entry instants (compared as instants, whatever their offsets).
    /// </summary>
    /// <param name="other">The other filter.</param>
    /// <returns><see langword="true"/> when the conditions are the same.</returns>
    public bool Equals(FunnelFilter? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && ValueEquality.Sequence(_ownerSet, other._ownerSet)
            && ValueEquality.Pairs(AttributeCondition, other.AttributeCondition)
            && Nullable.Equals(EnteredFrom, other.EnteredFrom)
            && Nullable.Equals(EnteredTo, other.EnteredTo));

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(_ownerSet?.Length ?? -1);
        foreach (var owner in _ownerSet ?? [])
        {
            hash.Add(owner);
        }

        hash.Add(ValueEquality.PairsHash(AttributeCondition));
        hash.Add(EnteredFrom);
        hash.Add(EnteredTo);
        return hash.ToHashCode();
    }

    /// <summary>The conditions on one line, such as <c>owners anna, boris; attributes region=north; entered from 2026-03-01T00:00:00.0000000+00:00</c>, or <c>all</c>.</summary>
    /// <returns>For logs.</returns>
    public override string ToString()
    {
        var parts = new List<string>(4);
        if (_owners is not null)
        {
            parts.Add(_owners.Count == 0 ? "no owner" : $"owners {string.Join(", ", _owners)}");
        }

        if (AttributeCondition is { } attributes)
        {
            parts.Add($"attributes {string.Join(", ", attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}"))}");
        }

        if (EnteredFrom is { } from)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"entered from {from:O}"));
        }

        if (EnteredTo is { } to)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"entered before {to:O}"));
        }

        return parts.Count == 0 ? "all" : string.Join("; ", parts);
    }

    /// <summary>The attribute pairs, or <see langword="null"/> when there is no attribute condition (none or empty).</summary>
    private IReadOnlyDictionary<string, string>? AttributeCondition => _attributes is { Count: > 0 } a ? a : null;

    /// <summary>Which clients of the log pass the client conditions, their attributes read as of <paramref name="asOfTicks"/> (UTC, inclusive).</summary>
    internal bool[] ClientMask(FunnelEventLog log, long asOfTicks)
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
            mask[c] = (!cohort || (entry != long.MaxValue && entry >= from && entry < to)) && HasAttributes(history.ClientAsOf(asOfTicks));
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
