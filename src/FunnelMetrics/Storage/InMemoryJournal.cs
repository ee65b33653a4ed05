namespace FunnelMetrics.Storage;

/// <summary>
/// The in-memory change feed: every change in position order, and per pipeline. Positions are assigned and
/// published under one lock, so a reader's snapshot always ends at a position below which nothing can appear later.
/// Readers take a snapshot (array and count) and read it without the lock: elements below the count never change.
/// </summary>
internal sealed class InMemoryJournal
{
    private readonly Lock _gate = new();
    private readonly AppendOnlyList<FunnelChange> _all = new();
    private readonly Dictionary<PipelineId, AppendOnlyList<FunnelChange>> _byPipeline = [];
    private long _head;
    private TaskCompletionSource? _waiters;

    /// <summary>Gives the next positions to one client record or to a batch of events and publishes them.</summary>
    public void Publish(Client client)
    {
        lock (_gate)
        {
            Add(new FunnelChange(++_head, client));
        }

        Changed();
    }

    /// <summary>Publishes a batch of events with consecutive positions.</summary>
    public void Publish(IReadOnlyList<ClientEvent> events)
    {
        lock (_gate)
        {
            foreach (var e in events)
            {
                Add(new FunnelChange(++_head, e));
            }
        }

        Changed();
    }

    /// <summary>Publishes many client records with consecutive positions, under one lock: a bulk add's.</summary>
    public void Publish(IReadOnlyList<Client> clients)
    {
        if (clients.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            foreach (var c in clients)
            {
                Add(new FunnelChange(++_head, c));
            }
        }

        Changed();
    }

    /// <summary>
    /// Publishes the batches of many clients with consecutive positions, in the order given, under one lock: a bulk
    /// write's. Does not raise <see cref="Appended"/>: the writer holds its streams' locks here, and calls
    /// <see cref="Notify"/> once it has let them go.
    /// </summary>
    public void PublishQuietly(IReadOnlyList<ClientEvent[]> batches)
    {
        lock (_gate)
        {
            foreach (var batch in batches)
            {
                foreach (var e in batch)
                {
                    Add(new FunnelChange(++_head, e));
                }
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="add"/> and publishes the client it added, if any, in one step under the journal's lock, so a
    /// client becomes readable only together with its position: an event appended for it afterwards gets a higher one.
    /// Raises <see cref="Appended"/> after the lock is let go when a client was added.
    /// </summary>
    public bool AddAndPublish(Client client, Func<Client, bool> add)
    {
        bool added;
        lock (_gate)
        {
            added = add(client);
            if (added)
            {
                Add(new FunnelChange(++_head, client));
            }
        }

        if (added)
        {
            Changed();
        }

        return added;
    }

    /// <summary>Raises <see cref="Appended"/>, after a <see cref="PublishQuietly"/>.</summary>
    public void Notify() => Changed();

    /// <summary>Raised after changes are published, outside the lock; a follower's wake-up.</summary>
    public event Action? Appended;

    /// <summary>
    /// Completes when the head (of the pipeline, when given) is above <paramref name="after"/>. The signal is made only
    /// while someone waits, so a write with no follower allocates nothing for it.
    /// </summary>
    public async ValueTask WaitForChangeAsync(long after, PipelineId? pipelineId, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // Take the signal before reading the head: a change published after the read completes the signal taken.
            var signal = Volatile.Read(ref _waiters);
            if (signal is null)
            {
                var made = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                signal = Interlocked.CompareExchange(ref _waiters, made, null) ?? made;
            }

            if (Head(pipelineId) > after)
            {
                return;
            }

            await signal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public long Head(PipelineId? pipelineId)
    {
        var (items, count) = Snapshot(pipelineId);
        return count == 0 ? 0 : items[count - 1].Position;
    }

    public (FunnelChange[] Items, int Count) Snapshot(PipelineId? pipelineId)
    {
        lock (_gate)
        {
            if (pipelineId is not { } p)
            {
                return _all.Snapshot();
            }

            return _byPipeline.TryGetValue(p, out var list) ? list.Snapshot() : ([], 0);
        }
    }

    /// <summary>A pipeline's changes and the whole feed's head, taken together under the lock: the changes are exactly the pipeline's at or below the head.</summary>
    public (FunnelChange[] Items, int Count, long Head) SnapshotWithHead(PipelineId pipelineId)
    {
        lock (_gate)
        {
            var (items, count) = _byPipeline.TryGetValue(pipelineId, out var list) ? list.Snapshot() : ([], 0);
            return (items, count, _head);
        }
    }

    /// <summary>The index of the first change after a position in a snapshot.</summary>
    public static int FirstAfter(FunnelChange[] items, int count, long position)
    {
        int lo = 0, hi = count;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (items[mid].Position <= position)
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

    private void Add(FunnelChange change)
    {
        _all.Add(change);
        if (!_byPipeline.TryGetValue(change.PipelineId, out var list))
        {
            _byPipeline[change.PipelineId] = list = new AppendOnlyList<FunnelChange>();
        }

        list.Add(change);
    }

    private void Changed()
    {
        // After the lock: the head is published, so a waiter woken here reads it.
        Interlocked.Exchange(ref _waiters, null)?.TrySetResult();
        Appended?.Invoke();
    }
}

/// <summary>
/// A list that only grows, whose snapshots (array and count) stay valid while it grows: an element once written is never
/// moved within or removed from an array a snapshot holds. Not thread-safe for writers; writers hold the owner's lock.
/// </summary>
internal sealed class AppendOnlyList<T>
{
    private T[] _items = [];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Add(T item)
    {
        if (_count == _items.Length)
        {
            // The old array stays as it is for the snapshots that hold it.
            var grown = new T[Math.Max(4, _items.Length * 2)];
            Array.Copy(_items, grown, _count);
            _items = grown;
        }

        _items[_count] = item;
        Volatile.Write(ref _count, _count + 1);
    }

    public (T[] Items, int Count) Snapshot()
    {
        // Read the count first: every element below it is in the array read after it, old or grown.
        var count = Volatile.Read(ref _count);
        return (Volatile.Read(ref _items), count);
    }
}
