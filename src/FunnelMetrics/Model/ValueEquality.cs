namespace FunnelMetrics;

/// <summary>
/// Value equality of the collections held by results and inputs, which records compared by reference: lists element
/// by element in order, sets and dictionaries by their members in any order.
/// </summary>
internal static class ValueEquality
{
    /// <summary>Whether two lists hold equal elements in the same order; two nulls are equal.</summary>
    public static bool Sequence<T>(IReadOnlyList<T>? x, IReadOnlyList<T>? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        if (x is null || y is null || x.Count != y.Count)
        {
            return false;
        }

        var comparer = EqualityComparer<T>.Default;
        for (var i = 0; i < x.Count; i++)
        {
            if (!comparer.Equals(x[i], y[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether two dictionaries of texts hold the same key/value pairs, keys and values compared ordinally, whatever
    /// each dictionary's own key comparer; two nulls are equal.
    /// </summary>
    public static bool Pairs(IReadOnlyDictionary<string, string>? x, IReadOnlyDictionary<string, string>? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        if (x is null || y is null || x.Count != y.Count)
        {
            return false;
        }

        var byKey = new Dictionary<string, string>(y.Count, StringComparer.Ordinal);
        foreach (var (key, value) in y)
        {
            byKey[key] = value;
        }

        foreach (var (key, value) in x)
        {
            if (!byKey.TryGetValue(key, out var other) || !string.Equals(value, other, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return byKey.Count == x.Count;
    }

    /// <summary>A hash of a dictionary of texts that does not depend on the order of its pairs, consistent with <see cref="Pairs"/>.</summary>
    public static int PairsHash(IReadOnlyDictionary<string, string>? pairs)
    {
        if (pairs is null)
        {
            return 0;
        }

        var hash = 0;
        foreach (var (key, value) in pairs)
        {
            // Addition is order-independent; each pair mixed on its own.
            hash = unchecked(hash + HashCode.Combine(StringComparer.Ordinal.GetHashCode(key), value is null ? 0 : StringComparer.Ordinal.GetHashCode(value)));
        }

        return HashCode.Combine(pairs.Count, hash);
    }
}
