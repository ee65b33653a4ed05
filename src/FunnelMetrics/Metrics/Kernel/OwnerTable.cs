namespace FunnelMetrics.Metrics;

/// <summary>
/// The owners an accumulator counts for, by index: those of a log (same indexes, already in id order), then any more
/// the live view meets. Accumulators key their cells by these indexes and map owners by id when merging, so accumulators
/// over different logs merge exactly.
/// </summary>
internal sealed class OwnerTable
{
    private OwnerId[] _ids;
    private Dictionary<OwnerId, int>? _index;
    private int[]? _order;

    private OwnerTable(OwnerId[] ids, int count, bool sorted)
    {
        _ids = ids;
        Count = count;
        IsSorted = sorted;
    }

    /// <summary>The number of owners; indexes run from 0 to this, exclusive.</summary>
    public int Count { get; private set; }

    /// <summary>Whether the indexes are in id order.</summary>
    public bool IsSorted { get; private set; }

    /// <summary>The owner at an index.</summary>
    public OwnerId this[int owner] => _ids[owner];

    /// <summary>The owners of a log, with the log's indexes.</summary>
    public static OwnerTable Of(FunnelEventLog log)
    {
        var ids = new OwnerId[log.OwnerCount];
        for (var o = 0; o < ids.Length; o++)
        {
            ids[o] = log.OwnerAt(o);
        }

        return new OwnerTable(ids, ids.Length, sorted: true);
    }

    /// <summary>No owner yet.</summary>
    public static OwnerTable Empty() => new([], 0, sorted: true);

    /// <summary>The index of an owner, added when new.</summary>
    public int IndexOf(OwnerId owner)
    {
        if (_index is null)
        {
            _index = new Dictionary<OwnerId, int>(Count);
            for (var o = 0; o < Count; o++)
            {
                _index.Add(_ids[o], o);
            }
        }

        if (_index.TryGetValue(owner, out var index))
        {
            return index;
        }

        if (Count == _ids.Length)
        {
            Array.Resize(ref _ids, Math.Max(4, Count * 2));
        }

        IsSorted &= Count == 0 || _ids[Count - 1].CompareTo(owner) < 0;
        _ids[Count] = owner;
        _index.Add(owner, Count);
        _order = null;
        return Count++;
    }

    /// <summary>The indexes in owner id order (ordinal): the order every result lists its owners in.</summary>
    public int[] InIdOrder()
    {
        if (_order is null)
        {
            var order = new int[Count];
            for (var o = 0; o < order.Length; o++)
            {
                order[o] = o;
            }

            if (!IsSorted)
            {
                var ids = _ids;
                Array.Sort(order, (a, b) => ids[a].CompareTo(ids[b]));
            }

            _order = order;
        }

        return _order;
    }
}
