namespace FunnelMetrics.Metrics;

/// <summary>One open client in a <see cref="StallIndex"/>: who, for which owner (index), in which stage, and its two clocks' starts.</summary>
/// <param name="Client">The client.</param>
/// <param name="Owner">Its owner's index in the index's <see cref="StallIndex.Owners"/>.</param>
/// <param name="Stage">Its open stage.</param>
/// <param name="VisitStart">The UTC ticks of the transition that began its visit.</param>
/// <param name="LastTouch">The UTC ticks of its last event that is not a reassignment.</param>
internal readonly record struct StallEntry(Client Client, int Owner, int Stage, long VisitStart, long LastTouch)
{
    /// <summary>The instant the client has been idle since, on the clock.</summary>
    public long IdleSince(StallClock clock) => clock == StallClock.LastTouch ? LastTouch : VisitStart;
}

/// <summary>
/// The open clients, each with its owner, stage and clocks: the one definition of <see cref="StalledClients"/>.
/// <see cref="StallCalculator"/> folds a log into it as of an instant; <see cref="FunnelLiveView"/> updates a client's
/// entry on each event and keeps it ordered by idle time (<see cref="KeepIdleOrder"/>), so that a query visits only the
/// stalled; <see cref="Shape"/> makes the result for both. Indexes over disjoint sets of clients <see cref="Merge"/>
/// exactly (entries and open counts are unions and sums), associative and commutative.
/// </summary>
internal sealed class StallIndex
{
    private readonly PipelineDefinition _pipeline;
    private readonly int _stages;
    private int[] _open;
    private StallEntry[] _entries;
    private bool[] _present;
    private int _slots;
    private SortedSet<(long IdleSince, int Slot)>[]? _idle;

    public StallIndex(PipelineDefinition pipeline, StallClock clock, OwnerTable owners, int capacity = 0)
    {
        _pipeline = pipeline;
        _stages = pipeline.Stages.Count;
        Clock = clock;
        Owners = owners;
        _open = new int[Math.Max(owners.Count, 1) * _stages];
        _entries = new StallEntry[capacity];
        _present = new bool[capacity];
    }

    /// <summary>The clock idle time is read on.</summary>
    public StallClock Clock { get; }

    /// <summary>The owners counted for; entries and counts are by their indexes.</summary>
    public OwnerTable Owners { get; }

    /// <summary>
    /// The clients of <paramref name="clientMask"/> open after their last event at or before <paramref name="cut"/>, with
    /// an owner of <paramref name="ownerMask"/> then.
    /// </summary>
    public static StallIndex Fold(FunnelEventLog log, long cut, bool[] clientMask, bool[] ownerMask, StallClock clock)
    {
        var index = new StallIndex(log.Pipeline, clock, OwnerTable.Of(log));
        for (var c = 0; c < clientMask.Length; c++)
        {
            if (!clientMask[c])
            {
                continue;
            }

            var history = log.History(c);
            var last = history.LastAtOrBefore(cut);
            if (last < 0 || history.Status(last) != ClientStatus.Open || !ownerMask[history.Owner(last)])
            {
                continue;
            }

            index.Put(index._slots, Entry(history, last));
        }

        return index;
    }

    /// <summary>The entry of a client open after event <paramref name="last"/>, for the log's owner indexes.</summary>
    public static StallEntry Entry(FunnelEventLog.ClientHistory history, int last) =>
        new(history.Client, history.Owner(last), history.Stage(last), history.Ticks(history.StateStart(last)), history.Ticks(history.LastTouch(last)));

    /// <summary>
    /// From now on, keep the entries of each stage ordered by idle time, so that <see cref="Shape"/> visits only the
    /// stalled clients instead of every open one: for an index updated and queried many times.
    /// </summary>
    public void KeepIdleOrder()
    {
        _idle = new SortedSet<(long, int)>[_stages];
        for (var s = 0; s < _stages; s++)
        {
            _idle[s] = [];
        }

        for (var slot = 0; slot < _slots; slot++)
        {
            if (_present[slot])
            {
                _idle[_entries[slot].Stage].Add((_entries[slot].IdleSince(Clock), slot));
            }
        }
    }

    /// <summary>Sets the open client in <paramref name="slot"/> (any slot number, such as the client's index), replacing the one there.</summary>
    public void Put(int slot, in StallEntry entry)
    {
        if (slot >= _entries.Length)
        {
            var size = Math.Max(Math.Max(16, _entries.Length * 2), slot + 1);
            Array.Resize(ref _entries, size);
            Array.Resize(ref _present, size);
        }

        var key = (entry.IdleSince(Clock), slot);
        if (_present[slot])
        {
            ref readonly var before = ref _entries[slot];
            Count(before.Owner, before.Stage, -1);
            if (_idle is not null && (before.Stage != entry.Stage || before.IdleSince(Clock) != key.Item1))
            {
                _idle[before.Stage].Remove((before.IdleSince(Clock), slot));
                _idle[entry.Stage].Add(key);
            }
        }
        else
        {
            _idle?[entry.Stage].Add(key);
        }

        _entries[slot] = entry;
        _present[slot] = true;
        _slots = Math.Max(_slots, slot + 1);
        Count(entry.Owner, entry.Stage, +1);
    }

    /// <summary>Removes the client in <paramref name="slot"/>, if any: it is no longer open.</summary>
    public void Remove(int slot)
    {
        if (slot >= _slots || !_present[slot])
        {
            return;
        }

        ref readonly var entry = ref _entries[slot];
        _idle?[entry.Stage].Remove((entry.IdleSince(Clock), slot));
        Count(entry.Owner, entry.Stage, -1);
        _present[slot] = false;
    }

    /// <summary>The entries of both indexes, whose clients must be disjoint: a new index (not kept in idle order), the inputs unchanged.</summary>
    /// <exception cref="ArgumentException">The indexes are of different pipelines or clocks.</exception>
    public StallIndex Merge(StallIndex other)
    {
        if (other._pipeline.Id != _pipeline.Id || other._stages != _stages || other.Clock != Clock)
        {
            throw new ArgumentException($"The stall index of pipeline '{other._pipeline.Id}' ({other.Clock}) cannot merge into that of '{_pipeline.Id}' ({Clock}).", nameof(other));
        }

        var merged = new StallIndex(_pipeline, Clock, OwnerTable.Empty(), _slots + other._slots);
        foreach (var source in (ReadOnlySpan<StallIndex>)[this, other])
        {
            for (var slot = 0; slot < source._slots; slot++)
            {
                if (source._present[slot])
                {
                    var e = source._entries[slot];
                    merged.Put(merged._slots, e with { Owner = merged.Owners.IndexOf(source.Owners[e.Owner]) });
                }
            }
        }

        return merged;
    }

    /// <summary>The result as of <paramref name="asOf"/>: a client is stalled when idle strictly longer than its stage's threshold.</summary>
    /// <param name="asOf">The instant, at or after every event folded in.</param>
    /// <param name="thresholds">The threshold of each open stage.</param>
    public StalledClients Shape(DateTimeOffset asOf, IReadOnlyList<StallThreshold> thresholds)
    {
        var byIndex = new StallThreshold?[_stages];
        foreach (var t in thresholds)
        {
            byIndex[_pipeline.IndexOf(t.Stage)] = t;
        }

        var cut = asOf.UtcTicks;
        var owners = Owners.Count;
        var stalledCount = new int[Math.Max(owners, 1) * _stages];
        var stalled = new List<StalledClient>();
        if (_idle is null)
        {
            for (var slot = 0; slot < _slots; slot++)
            {
                if (_present[slot] && byIndex[_entries[slot].Stage] is { } threshold && _entries[slot].IdleSince(Clock) < cut - threshold.Threshold.Ticks)
                {
                    Stalled(_entries[slot], threshold);
                }
            }
        }
        else
        {
            for (var s = 0; s < _stages; s++)
            {
                if (byIndex[s] is not { } threshold)
                {
                    continue;
                }

                // Idle strictly longer than the threshold: idle since strictly before asOf - threshold.
                foreach (var (_, slot) in _idle[s].GetViewBetween((long.MinValue, 0), (cut - threshold.Threshold.Ticks - 1, int.MaxValue)))
                {
                    Stalled(_entries[slot], threshold);
                }
            }
        }

        stalled.Sort(static (a, b) => b.Overdue != a.Overdue ? b.Overdue.CompareTo(a.Overdue) : a.ClientId.CompareTo(b.ClientId));
        var byOwner = new List<OwnerStall>();
        var totalOpen = new int[_stages];
        var totalStalled = new int[_stages];
        foreach (var o in Owners.InIdOrder())
        {
            int ownerOpen = 0, ownerStalled = 0;
            for (var s = 0; s < _stages; s++)
            {
                var (open, stuck) = (OpenAt(o, s), stalledCount[(o * _stages) + s]);
                ownerOpen += open;
                ownerStalled += stuck;
                totalOpen[s] += open;
                totalStalled[s] += stuck;
            }

            if (ownerOpen > 0)
            {
                var stages = new StageStall[_stages];
                for (var s = 0; s < _stages; s++)
                {
                    stages[s] = Summary(s, OpenAt(o, s), stalledCount[(o * _stages) + s], byIndex[s]);
                }

                byOwner.Add(new OwnerStall(Owners[o], ownerOpen, ownerStalled, Statistics.Share(ownerStalled, ownerOpen), stages));
            }
        }

        var byStage = new StageStall[_stages];
        for (var s = 0; s < _stages; s++)
        {
            byStage[s] = Summary(s, totalOpen[s], totalStalled[s], byIndex[s]);
        }

        return new StalledClients(_pipeline.Id, asOf, Clock, thresholds, stalled, byStage, byOwner);

        void Stalled(in StallEntry entry, StallThreshold threshold)
        {
            var idle = cut - entry.IdleSince(Clock);
            stalledCount[(entry.Owner * _stages) + entry.Stage]++;
            stalled.Add(new StalledClient(
                entry.Client.Id,
                Owners[entry.Owner],
                threshold.Stage,
                new DateTimeOffset(entry.VisitStart, TimeSpan.Zero),
                new DateTimeOffset(entry.LastTouch, TimeSpan.Zero),
                TimeSpan.FromTicks(idle),
                threshold.Threshold,
                threshold.Source,
                (double)idle / threshold.Threshold.Ticks));
        }
    }

    private int OpenAt(int owner, int stage) => (owner * _stages) + stage < _open.Length ? _open[(owner * _stages) + stage] : 0;

    private void Count(int owner, int stage, int delta)
    {
        var cell = (owner * _stages) + stage;
        if (cell >= _open.Length)
        {
            Array.Resize(ref _open, Math.Max(_open.Length * 2, (owner + 1) * _stages));
        }

        _open[cell] += delta;
    }

    private StageStall Summary(int s, int open, int stalled, StallThreshold? threshold) =>
        new(_pipeline.Stages[s].Key, open, stalled, Statistics.Share(stalled, open), threshold?.Threshold, threshold?.Source);
}
