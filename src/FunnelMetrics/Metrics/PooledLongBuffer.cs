using System.Buffers;

namespace FunnelMetrics.Metrics;

/// <summary>
/// A growable list of longs whose storage is rented from <see cref="ArrayPool{T}.Shared"/>, so a calculator that
/// collects millions of observations per call allocates nothing once the pool is warm. Dispose it to return the storage.
/// </summary>
internal sealed class PooledLongBuffer : IDisposable
{
    private long[] _items;

    public PooledLongBuffer(int capacity = 256) => _items = ArrayPool<long>.Shared.Rent(capacity);

    public int Count { get; private set; }

    public void Add(long value)
    {
        if (Count == _items.Length)
        {
            Grow();
        }

        _items[Count++] = value;
    }

    /// <summary>Appends every value of <paramref name="values"/>, in order.</summary>
    public void AddRange(ReadOnlySpan<long> values)
    {
        if (Count + values.Length > _items.Length)
        {
            var bigger = ArrayPool<long>.Shared.Rent(Math.Max(_items.Length * 2, Count + values.Length));
            _items.AsSpan(0, Count).CopyTo(bigger);
            ArrayPool<long>.Shared.Return(_items);
            _items = bigger;
        }

        values.CopyTo(_items.AsSpan(Count));
        Count += values.Length;
    }

    /// <summary>Doubles the storage: out of line, so that the callers' loops inline only the append.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void Grow()
    {
        var bigger = ArrayPool<long>.Shared.Rent(_items.Length * 2);
        _items.AsSpan(0, Count).CopyTo(bigger);
        ArrayPool<long>.Shared.Return(_items);
        _items = bigger;
    }

    public Span<long> AsSpan() => _items.AsSpan(0, Count);

    public void Dispose()
    {
        if (_items.Length > 0)
        {
            ArrayPool<long>.Shared.Return(_items);
        }

        _items = [];
        Count = 0;
    }
}
