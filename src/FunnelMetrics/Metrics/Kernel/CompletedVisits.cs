namespace FunnelMetrics.Metrics;

/// <summary>
/// Every completed visit of a log, per stage, as sorted observation keys (<see cref="Statistics.Key"/>, elapsed time):
/// the part of the learned stall thresholds (Kaplan–Meier over every visit up to an instant) that does not depend on
/// the instant. Made once per log on first use (<see cref="FunnelEventLog.CompletedVisits"/>), 8 bytes per completed
/// visit, and shared by every request on the snapshot; <see cref="At"/> then gives the sample as of any instant
/// from the few clients with events after it, instead of folding and sorting every visit again.
/// </summary>
internal sealed class CompletedVisits
{
    private readonly long[][] _sorted;

    private CompletedVisits(long[][] sorted) => _sorted = sorted;

    /// <summary>Folds every client's visits (on up to the default degree of threads) and sorts each stage's completed ones.</summary>
    public static CompletedVisits Of(FunnelEventLog log)
    {
        var stageCount = log.Pipeline.Stages.Count;
        var parts = ClientPartitions.Fold(log.ClientCount, ParallelismOptions.Defaults, (first, end) =>
        {
            var keys = new PooledLongBuffer[stageCount];
            for (var s = 0; s < stageCount; s++)
            {
                keys[s] = new PooledLongBuffer();
            }

            VisitFold.FoldRange(log, long.MinValue, long.MaxValue, long.MaxValue, log.AllClientsMask, log.AllOwnersMask, new Sink(keys), first, end);
            return keys;
        });

        var sorted = new long[stageCount][];
        for (var s = 0; s < stageCount; s++)
        {
            var length = 0;
            foreach (var part in parts)
            {
                length += part[s].Count;
            }

            var stage = new long[length];
            var at = 0;
            foreach (var part in parts)
            {
                part[s].AsSpan().CopyTo(stage.AsSpan(at));
                at += part[s].Count;
                part[s].Dispose();
            }

            Statistics.SortNonNegative(stage);
            sorted[s] = stage;
        }

        return new CompletedVisits(sorted);
    }

    /// <summary>
    /// The visits of every client in the events at or before <paramref name="cut"/>, running ones measured up to
    /// <paramref name="measuredAt"/>, elapsed time: exactly the keys and counts <see cref="VisitSample.Collect"/> gives for
    /// every client and owner from the start of the history. Every completed visit is known already; only the clients
    /// with an event after the cut (whose later visits are not yet completed at it) and the clients open at it (whose
    /// visit is censored) are read, each from its state at the cut on.
    /// </summary>
    /// <param name="log">The log these visits are of.</param>
    /// <param name="cut">The history is the events at or before this (UTC ticks).</param>
    /// <param name="measuredAt">Visits running at the cut are measured up to this (UTC ticks).</param>
    /// <returns>The sample; dispose it to return its pooled buffers.</returns>
    public Sample At(FunnelEventLog log, long cut, long measuredAt)
    {
        var sample = new Sample(this, log.Pipeline.Stages.Count);
        for (var c = 0; c < log.ClientCount; c++)
        {
            var history = log.History(c);
            var n = history.Count;
            if (n == 0 || (history.Ticks(n - 1) <= cut && history.Status(n - 1) != ClientStatus.Open))
            {
                continue; // Every visit completed at the cut, or none begun.
            }

            // From the visit running at the cut (if any) on, every visit ends after the cut: the completed ones are not
            // yet completed at it, and the one begun at or before it (running at it) is censored at `measuredAt`.
            var last = history.LastAtOrBefore(cut);
            foreach (var visit in history.Visits(last < 0 ? 0 : Math.Max(0, history.StateStart(last)), n - 1))
            {
                if (!visit.IsOpen)
                {
                    sample.Later[visit.Stage].Add(Statistics.Key(visit.Duration(long.MaxValue), completed: true));
                }

                if (visit.Entered <= last)
                {
                    sample.Censored[visit.Stage].Add(Statistics.Key(measuredAt - visit.EnteredAt, completed: false));
                }
            }
        }

        return sample;
    }

    /// <summary>The visits as of one cut: <see cref="CompletedVisits"/> less the later ones, with the censored ones.</summary>
    internal sealed class Sample : IDisposable
    {
        private readonly CompletedVisits _all;
        private long[]? _keys;

        internal Sample(CompletedVisits all, int stageCount)
        {
            _all = all;
            Later = new PooledLongBuffer[stageCount];
            Censored = new PooledLongBuffer[stageCount];
            for (var s = 0; s < stageCount; s++)
            {
                (Later[s], Censored[s]) = (new PooledLongBuffer(16), new PooledLongBuffer(16));
            }
        }

        /// <summary>Per stage, the keys of the completed visits that end after the cut.</summary>
        internal PooledLongBuffer[] Later { get; }

        /// <summary>Per stage, the keys of the visits running at the cut.</summary>
        internal PooledLongBuffer[] Censored { get; }

        /// <summary>How many of the stage's visits are completed at the cut.</summary>
        public int Completed(int stage) => _all._sorted[stage].Length - Later[stage].Count;

        /// <summary>
        /// The stage's keys, sorted: the completed ones less the later ones (a sorted multiset difference), merged with the
        /// censored ones. Valid until the next call or <see cref="Dispose"/>.
        /// </summary>
        public ReadOnlySpan<long> SortedKeys(int stage)
        {
            var all = _all._sorted[stage];
            var removed = Later[stage].AsSpan();
            var added = Censored[stage].AsSpan();
            Statistics.SortNonNegative(removed);
            Statistics.SortNonNegative(added);
            var length = all.Length - removed.Length + added.Length;
            if (_keys is null || _keys.Length < length)
            {
                Release();
                _keys = System.Buffers.ArrayPool<long>.Shared.Rent(Math.Max(length, 16));
            }

            var keys = _keys;
            int i = 0, r = 0, a = 0, k = 0;
            while (i < all.Length)
            {
                var key = all[i++];
                if (r < removed.Length && removed[r] == key)
                {
                    r++;
                    continue;
                }

                while (a < added.Length && added[a] < key)
                {
                    keys[k++] = added[a++];
                }

                keys[k++] = key;
            }

            while (a < added.Length)
            {
                keys[k++] = added[a++];
            }

            return keys.AsSpan(0, k);
        }

        public void Dispose()
        {
            Release();
            foreach (var buffer in Later)
            {
                buffer.Dispose();
            }

            foreach (var buffer in Censored)
            {
                buffer.Dispose();
            }
        }

        private void Release()
        {
            if (_keys is not null)
            {
                System.Buffers.ArrayPool<long>.Shared.Return(_keys);
                _keys = null;
            }
        }
    }

    private readonly struct Sink(PooledLongBuffer[] keys) : IVisitSink
    {
        public void Add(int stage, int owner, long duration, bool completed)
        {
            if (completed)
            {
                keys[stage].Add(Statistics.Key(duration, completed: true));
            }
        }

        public void EndClient()
        {
        }
    }
}
