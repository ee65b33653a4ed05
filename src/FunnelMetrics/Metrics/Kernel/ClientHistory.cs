using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FunnelMetrics.Metrics;

public sealed partial class FunnelEventLog
{
    /// <summary>
    /// One client's events in the log, read through named operations instead of the columns: the log's only reader, in
    /// the spirit of Arrow's <c>ListArray.GetSlicedValues</c> (a client's slice of every column). Events are numbered
    /// from 0 to <see cref="Count"/>, exclusive, in sequence order; a method that finds an event returns its number, or -1.
    /// </summary>
    /// <remarks>
    /// A <see langword="readonly ref struct"/> of the log, the client's offset and its count: made per client for free,
    /// every accessor a column read the JIT inlines. See docs/architecture.md, "The log's internal API".
    /// </remarks>
    internal readonly ref struct ClientHistory
    {
        private readonly LogSegment _log;
        private readonly int _k;
        private readonly int _offset;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal ClientHistory(FunnelEventLog log, int client)
        {
            var s = log._segmentOf[client];
            _log = log._segments[s];
            _k = client - log._segmentBase[s];
            Index = client;
            LostBucket = log._stageCount;
            _offset = _log.Start[_k];
            Count = _log.Start[_k + 1] - _offset;
        }

        /// <summary>The client's index in the log.</summary>
        public int Index { get; }

        /// <summary>The number of the client's events.</summary>
        public int Count { get; }

        /// <summary>The client's record, as it was added: without its updates. Metrics read <see cref="ClientAsOf(long)"/>.</summary>
        public Client Client => _log.Clients[_k];

        /// <summary>
        /// The client as of <paramref name="ticks"/> (UTC, inclusive): its record with its updates at or before the instant
        /// applied. The record itself, read in one array access, when the client has no update (the common case); else a
        /// binary search over its updates' instants. Never allocates.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Client ClientAsOf(long ticks)
        {
            if (_log.UpdateStart is not { } starts)
            {
                return _log.Clients[_k];
            }

            return ClientAsOf(starts[_k], starts[_k + 1], ticks);
        }

        /// <summary>
        /// The client's deal value as of <paramref name="ticks"/> (UTC, inclusive), or <see langword="null"/> when unknown
        /// then: <see cref="ClientAsOf(long)"/>'s value, read from the segment's value column instead of the record.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public decimal? ValueAsOf(long ticks)
        {
            var values = _log.Values;
            if (_log.UpdateStart is not { } starts)
            {
                return values.Records[_k];
            }

            var update = UpdateAsOf(starts[_k], starts[_k + 1], ticks);
            return update < 0 ? values.Records[_k] : values.Updates[update];
        }

        /// <summary>
        /// The client's expected close date as of <paramref name="ticks"/> (UTC, inclusive), or <see langword="null"/> when
        /// unknown then: <see cref="ClientAsOf(long)"/>'s date, read from the segment's date column instead of the record.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public DateOnly? CloseDateAsOf(long ticks)
        {
            var values = _log.Values;
            if (_log.UpdateStart is not { } starts)
            {
                return values.RecordCloseDates[_k];
            }

            var update = UpdateAsOf(starts[_k], starts[_k + 1], ticks);
            return update < 0 ? values.RecordCloseDates[_k] : values.UpdateCloseDates[update];
        }

        /// <summary>The client's attribute <paramref name="key"/> as of <paramref name="ticks"/> (UTC, inclusive).</summary>
        /// <param name="key">The attribute key (ordinal).</param>
        /// <param name="ticks">The instant.</param>
        /// <param name="value">The attribute's value then, when it was set.</param>
        /// <returns>Whether the client had the attribute then.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool AttributeAsOf(string key, long ticks, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out string value) =>
            ClientAsOf(ticks).Attributes.TryGetValue(key, out value);

        /// <summary>The client as of just after its <paramref name="j"/>-th update (from 0, in sequence order): the one its <paramref name="j"/>-th <see cref="EventKind.Updated"/> event made.</summary>
        public Client UpdatedClient(int j) => _log.UpdateClients[_log.UpdateStart![_k] + j];

        /// <summary>The UTC ticks of the client's first entry, or <see cref="long.MaxValue"/> when it never entered.</summary>
        public long FirstEntryTicks => _log.FirstEntry[_k];

        /// <summary>The client's owner (index) before its first event: the owner it was created with.</summary>
        public int InitialOwner => _log.InitialOwners[_k];

        /// <summary>The UTC ticks of event <paramref name="i"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public long Ticks(int i) => _log.Ticks[_offset + i];

        /// <summary>The kind of event <paramref name="i"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public EventKind Kind(int i) => LogSegment.KindOf(_log.KindStatus[_offset + i]);

        /// <summary>
        /// The client's stage after event <paramref name="i"/>: its open stage, the won stage, the stage it was lost at, or
        /// <see cref="NoStage"/> before its entry.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Stage(int i) => _log.Stages[_offset + i];

        /// <summary>The client's status after event <paramref name="i"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ClientStatus Status(int i) => LogSegment.StatusOf(_log.KindStatus[_offset + i]);

        /// <summary>The client's owner (index into the log's owners) after event <paramref name="i"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Owner(int i) => _log.Owners[_offset + i];

        /// <summary>The client's owner before event <paramref name="i"/>: after the event before it, or the initial owner.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int OwnerBefore(int i) => i > 0 ? Owner(i - 1) : InitialOwner;

        /// <summary>Whether event <paramref name="i"/> is a stage transition (not an activity or a reassignment).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool IsTransition(int i) => Kind(i).IsTransition();

        /// <summary>
        /// The count bucket of the client after event <paramref name="i"/>: its stage (open or won), <see cref="LostBucket"/>
        /// when lost, or -1 before its entry.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Bucket(int i) => Status(i) switch
        {
            ClientStatus.NotEntered => -1,
            ClientStatus.Lost => LostBucket,
            _ => Stage(i),
        };

        /// <summary>The bucket of lost clients: one past the last stage.</summary>
        public int LostBucket { get; }

        /// <summary>The last event at or before <paramref name="ticks"/>, or -1.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int LastAtOrBefore(long ticks)
        {
            var n = Count;
            if (n == 0 || Ticks(0) > ticks)
            {
                return -1;
            }

            // Instants never decrease within a client: the last event when it is not after the cut (the common case of
            // an instant after most histories), else a binary search for the last one at or before it.
            return Ticks(n - 1) <= ticks ? n - 1 : SortedSearch.UpperBound(TickSpan(), ticks) - 1;
        }

        /// <summary>The first event at or after <paramref name="ticks"/>, or <see cref="Count"/> when none is.</summary>
        public int FirstAtOrAfter(long ticks)
        {
            var n = Count;
            return n == 0 || Ticks(0) >= ticks ? 0 : Ticks(n - 1) < ticks ? n : SortedSearch.LowerBound(TickSpan(), ticks);
        }

        /// <summary>
        /// The transition that began the client's state after event <paramref name="i"/>: the start of its visit when
        /// open, the win or the loss when closed; -1 before its entry (or for <paramref name="i"/> = -1).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int StateStart(int i)
        {
            while (i >= 0 && !IsTransition(i))
            {
                i--;
            }

            return i;
        }

        /// <summary>The client's entry: its first transition (every history starts with its entry, if any), or -1 when it never entered.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Entry()
        {
            for (var i = 0; i < Count; i++)
            {
                if (IsTransition(i))
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>The client's last touch at or before event <paramref name="i"/>: its last event that is not a reassignment, or -1.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int LastTouch(int i)
        {
            while (i >= 0 && !Kind(i).IsTouch())
            {
                i--;
            }

            return i;
        }

        /// <summary>
        /// The client's closing event as of event <paramref name="last"/>: its last win or loss at or before it, provided
        /// no reopen follows; -1 when it has none (open, never entered, or <paramref name="last"/> = -1).
        /// </summary>
        public int ClosingEvent(int last) =>
            last >= 0 && Status(last) is ClientStatus.Won or ClientStatus.Lost ? StateStart(last) : -1;

        /// <summary>The client's visits of open stages in its events 0 to <paramref name="last"/> (inclusive); the last may be open.</summary>
        public VisitEnumerator Visits(int last) => new(this, 0, last);

        /// <summary>
        /// The client's visits begun at events <paramref name="first"/> to <paramref name="last"/> (inclusive), in order: the
        /// visits of <see cref="Visits(int)"/> whose beginning transition is at or after <paramref name="first"/>, each
        /// read exactly as there (a visit begun before <paramref name="first"/> is skipped, not cut short).
        /// </summary>
        public VisitEnumerator Visits(int first, int last) => new(this, first, last);

        private ReadOnlySpan<long> TickSpan() => MemoryMarshal.CreateReadOnlySpan(ref _log.Ticks[_offset], Count);

        /// <summary>The client as of an instant, given its updates' range in the side table.</summary>
        private Client ClientAsOf(int from, int to, long ticks)
        {
            var update = UpdateAsOf(from, to, ticks);
            return update < 0 ? _log.Clients[_k] : _log.UpdateClients[update];
        }

        /// <summary>The client's last update at or before an instant (its index in the side table), given its updates' range; -1 when none.</summary>
        private int UpdateAsOf(int from, int to, long ticks)
        {
            if (from == to || _log.UpdateTicks[from] > ticks)
            {
                return -1;
            }

            // Instants never decrease within a client: its last update when not after the instant, else a binary search.
            return _log.UpdateTicks[to - 1] <= ticks ? to - 1 : from + SortedSearch.UpperBound(_log.UpdateTicks.AsSpan(from, to - from), ticks) - 1;
        }
    }
}
