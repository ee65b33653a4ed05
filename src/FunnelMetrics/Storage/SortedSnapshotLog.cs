namespace FunnelMetrics.Storage;

/// <summary>
/// An append-only collection that hands out immutable sorted snapshots. Appends are O(1); a snapshot sorts only the
/// items appended since the previous one and merges them in, so alternating appends and reads stay linear.
/// </summary>
internal sealed class SortedSnapshotLog<T>(IComparer<T> comparer)
{
    private readonly Lock _gate = new();
    private readonly List<T> _pending = [];
    private T[] _sorted = [];

    public void Add(T item)
    {
        lock (_gate)
        {
            _pending.Add(item);
        }
    }

    public void AddRange(IReadOnlyList<T> items)
    {
        lock (_gate)
        {
            _pending.AddRange(items);
        }
    }

    /// <summary>The items in sorted order; the array is never modified afterwards.</summary>
    public T[] Snapshot()
    {
        lock (_gate)
        {
            if (_pending.Count > 0)
            {
                _pending.Sort(comparer);
                _sorted = Merge(_sorted, _pending, comparer);
                _pending.Clear();
            }

            return _sorted;
        }
    }

    /// <summary>The index of the first item in <paramref name="sorted"/> that is not before <paramref name="probe"/> by <paramref name="isBefore"/>.</summary>
    public static int LowerBound<TKey>(T[] sorted, TKey probe, Func<T, TKey, bool> isBefore)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (isBefore(sorted[mid], probe))
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static T[] Merge(T[] left, List<T> right, IComparer<T> comparer)
    {
        var merged = new T[left.Length + right.Count];
        int i = 0, j = 0, k = 0;
        while (i < left.Length && j < right.Count)
        {
            merged[k++] = comparer.Compare(left[i], right[j]) <= 0 ? left[i++] : right[j++];
        }

        while (i < left.Length)
        {
            merged[k++] = left[i++];
        }

        while (j < right.Count)
        {
            merged[k++] = right[j++];
        }

        return merged;
    }
}
