using FunnelMetrics.Metrics;
using FunnelMetrics.Storage;

namespace FunnelMetrics.Analytics;

/// <summary>
/// The warm model of one pipeline: a <see cref="FunnelLogBuilder"/> kept up to date change by change from the store's
/// change feed, and the latest published <see cref="FunnelSnapshot"/>, which any number of readers take without waiting.
/// Pure: no I/O, no clock. The hosted follower (package <c>FunnelMetrics.Hosting</c>) feeds it; so can your own code.
/// </summary>
/// <remarks>
/// <para>
/// <b>Writing.</b> <see cref="Apply"/> takes the feed's changes in position order and is idempotent for replayed ones:
/// a client record already added with equal content, or an event whose sequence is at or below its client's version,
/// is skipped. A change that cannot follow (a sequence gap, a broken rule of the funnel, an event of a client never
/// added, a client record that contradicts the one applied) throws and leaves the model unchanged; the writer then
/// usually calls <see cref="Fail"/>, after which the model serves its last good snapshot and applies nothing more.
/// Applied changes become visible to readers at <see cref="Publish"/>. Writers are serialised by a lock; there is
/// usually one.
/// </para>
/// <para>
/// <b>Reading.</b> <see cref="Snapshot"/> is a reference read (no lock): a reader never blocks the writer and never
/// sees a half-applied change. Publishing costs in proportion to the clients that changed since the previous snapshot
/// (<see cref="FunnelLogBuilder.ToLog"/>).
/// </para>
/// </remarks>
public sealed class FunnelReadModel
{
    private readonly Lock _gate = new();
    private readonly FunnelLogBuilder _builder;
    private FunnelSnapshot _snapshot;
    private TaskCompletionSource<FunnelSnapshot> _published = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FunnelReadModelFailure? _failure;
    private long _position;
    private long _unpublished;

    /// <summary>Creates an empty model of a pipeline, at feed position 0: the feed is then applied from its first change.</summary>
    /// <param name="pipeline">The pipeline.</param>
    public FunnelReadModel(PipelineDefinition pipeline)
        : this(new FunnelLogBuilder(pipeline ?? throw new ArgumentNullException(nameof(pipeline))), 0)
    {
    }

    /// <summary>
    /// Creates a model that goes on from a loaded builder (such as one an <see cref="IFunnelLogSource"/> filled), at the
    /// feed position the load reflects, and publishes it. The model owns the builder from now on: do not use it again.
    /// </summary>
    /// <param name="builder">The builder, holding the pipeline's changes at or below <paramref name="position"/>.</param>
    /// <param name="position">The feed position the builder reflects: 0 or more.</param>
    /// <exception cref="ArgumentOutOfRangeException">The position is negative.</exception>
    public FunnelReadModel(FunnelLogBuilder builder, long position)
    {
        _builder = builder ?? throw new ArgumentNullException(nameof(builder));
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        _position = position;
        _snapshot = new FunnelSnapshot(_builder.ToLog(), position);
    }

    /// <summary>Creates a model that goes on from a log (such as one restored from a snapshot file), at the feed position it reflects.</summary>
    /// <param name="log">The log.</param>
    /// <param name="position">The feed position the log reflects: 0 or more.</param>
    /// <exception cref="ArgumentOutOfRangeException">The position is negative.</exception>
    public FunnelReadModel(FunnelEventLog log, long position)
        : this(new FunnelLogBuilder(log ?? throw new ArgumentNullException(nameof(log))), position)
    {
    }

    /// <summary>The pipeline.</summary>
    public PipelineDefinition Pipeline => _builder.Pipeline;

    /// <summary>The pipeline's id.</summary>
    public PipelineId PipelineId => _builder.Pipeline.Id;

    /// <summary>The latest published snapshot: a reference read, never blocked by the writer.</summary>
    public FunnelSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>
    /// The latest published snapshot when it is not <paramref name="current"/>, at once; otherwise the next one, when it is
    /// published. A reader that shows the model (a page updated live) loops on it: every publication in between is
    /// coalesced into the latest, so it never falls behind, and it never polls.
    /// </summary>
    /// <param name="current">The snapshot the caller has, usually the last one this method or <see cref="Snapshot"/> returned.</param>
    /// <param name="cancellationToken">Cancels the wait; a failed model (<see cref="IsFailed"/>) publishes nothing more.</param>
    /// <returns>A snapshot other than <paramref name="current"/>.</returns>
    public async Task<FunnelSnapshot> NextSnapshotAsync(FunnelSnapshot current, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(current);
        while (true)
        {
            // The signal before the snapshot: a publication between the two reads is then seen in the snapshot, or completes the signal.
            var published = Volatile.Read(ref _published).Task;
            var latest = Snapshot;
            if (!ReferenceEquals(latest, current))
            {
                return latest;
            }

            _ = await published.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Why the model stopped applying changes, or <see langword="null"/> while it applies them.</summary>
    public FunnelReadModelFailure? Failure => Volatile.Read(ref _failure);

    /// <summary>Whether the model stopped at a change it could not apply (<see cref="Failure"/>); it still serves <see cref="Snapshot"/>.</summary>
    public bool IsFailed => Failure is not null;

    /// <summary>The feed position applied so far, published or not: every change of the pipeline at or below it.</summary>
    public long AppliedPosition
    {
        get
        {
            lock (_gate)
            {
                return _position;
            }
        }
    }

    /// <summary>Whether changes were applied (or the position advanced) since the last <see cref="Publish"/>.</summary>
    public bool HasUnpublishedChanges
    {
        get
        {
            lock (_gate)
            {
                return _unpublished > 0 || _position != _snapshot.Position;
            }
        }
    }

    /// <summary>
    /// Applies the feed's next change of this pipeline to the builder; readers see it at the next <see cref="Publish"/>.
    /// A replayed change (a client record already added with equal content, an event at or below its client's version)
    /// is skipped.
    /// </summary>
    /// <param name="change">The change: of this pipeline.</param>
    /// <returns>Whether the change was applied; <see langword="false"/> when it was a replay, skipped.</returns>
    /// <exception cref="FunnelHistoryException">The event cannot follow its client's history (a sequence gap, an instant out of order, a broken rule of the funnel); names the client, the event and the rule. The model is unchanged.</exception>
    /// <exception cref="ArgumentException">The change is of another pipeline, is an event of a client never added, or is a client record whose content differs from the one applied. The model is unchanged.</exception>
    /// <exception cref="InvalidOperationException">The model has failed (<see cref="Failure"/>) and applies nothing more.</exception>
    public bool Apply(FunnelChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.PipelineId != PipelineId)
        {
            throw new ArgumentException($"Change at position {change.Position} is of pipeline '{change.PipelineId}', not of the model's pipeline '{PipelineId}'.", nameof(change));
        }

        lock (_gate)
        {
            ThrowIfFailed();
            bool applied;
            if (change.Client is { } client)
            {
                applied = !_builder.Contains(client.Id);

                // Adding an equal client again does nothing; a different one throws, leaving the builder unchanged.
                _builder.Add(client);
            }
            else
            {
                var e = change.Event!;
                applied = !_builder.TryGetVersion(e.ClientId, out var version) || e.Sequence > version;
                if (applied)
                {
                    _builder.Append(e);
                }
            }

            if (applied)
            {
                _unpublished++;
            }

            _position = Math.Max(_position, change.Position);
            return applied;
        }
    }

    /// <summary>
    /// Records that the feed was read up to <paramref name="position"/> with no further change of this pipeline (a feed
    /// over several pipelines, or a page that ended at the head): the next snapshot reflects that position.
    /// </summary>
    /// <param name="position">The position read up to; a position at or below the applied one changes nothing.</param>
    /// <exception cref="InvalidOperationException">The model has failed.</exception>
    public void Advance(long position)
    {
        lock (_gate)
        {
            ThrowIfFailed();
            _position = Math.Max(_position, position);
        }
    }

    /// <summary>
    /// Publishes what was applied: a new <see cref="Snapshot"/>, swapped in atomically, that readers take from now on.
    /// With nothing applied since the previous one, returns it unchanged.
    /// </summary>
    /// <returns>The snapshot now published.</returns>
    public FunnelSnapshot Publish()
    {
        lock (_gate)
        {
            return PublishCore();
        }
    }

    /// <summary>
    /// Stops the model at a change it could not apply: what was applied before it is published, and the model serves
    /// that snapshot from now on, applying nothing more. The failure names the change's client, event and rule.
    /// </summary>
    /// <param name="change">The change that could not be applied.</param>
    /// <param name="exception">What <see cref="Apply"/> threw.</param>
    /// <returns>The failure recorded (the first one when the model had already failed).</returns>
    public FunnelReadModelFailure Fail(FunnelChange change, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(exception);
        lock (_gate)
        {
            if (_failure is { } failed)
            {
                return failed;
            }

            PublishCore();
            var failure = new FunnelReadModelFailure(PipelineId, change.Position, change.ClientId, change.Event?.Id, (exception as FunnelHistoryException)?.Rule, exception);
            Volatile.Write(ref _failure, failure);
            return failure;
        }
    }

    /// <summary>The pipeline, the position published and the failure, if any.</summary>
    /// <returns>A short description for logs.</returns>
    public override string ToString() => Failure is { } f ? $"{Snapshot} (failed: {f})" : Snapshot.ToString();

    private FunnelSnapshot PublishCore()
    {
        var current = _snapshot;
        if (_unpublished == 0 && _position == current.Position)
        {
            return current;
        }

        var next = new FunnelSnapshot(_builder.ToLog(), _position);
        _unpublished = 0;
        Volatile.Write(ref _snapshot, next);

        // The snapshot first, then the signal: a waiter that read the old signal wakes, one that reads the new one sees the snapshot.
        var published = _published;
        Volatile.Write(ref _published, new TaskCompletionSource<FunnelSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously));
        published.TrySetResult(next);
        return next;
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure)
        {
            throw new InvalidOperationException($"{failure} It applies no more changes; it serves its last good snapshot.");
        }
    }
}
