using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using FunnelMetrics.Storage;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Storage;

/// <summary>
/// The feed follower: resumes after the position given, yields each change once and in order while writers append,
/// backs off exponentially from a transient failure and starts again after a success, wakes up on the store's
/// notifier without waiting the poll interval, polls without one, and ends promptly when cancelled. Every wait is on
/// a <see cref="FakeTimeProvider"/>: a test that passes never waited a real poll interval.
/// </summary>
public sealed class FunnelFeedFollowerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static ClientActivity Activity(string client, long sequence, string? pipeline = null) =>
        new(new ClientEventId($"{client}-{sequence}"), new ClientId(client), pipeline is null ? SalesId : new PipelineId(pipeline), sequence, T0, T0, Anna, $"call {sequence}");

    /// <summary>Reads <paramref name="count"/> changes from the follow, then ends it; fails after <see cref="Patience"/> of real time.</summary>
    private static async Task<List<FunnelChange>> TakeAsync(FunnelFeedFollower follower, int count, long after = 0, PipelineId? pipelineId = null)
    {
        var seen = new List<FunnelChange>();
        if (count == 0)
        {
            return seen;
        }

        using var cts = new CancellationTokenSource(Patience);
        await foreach (var change in follower.FollowAsync(after, pipelineId, cts.Token))
        {
            seen.Add(change);
            if (seen.Count == count)
            {
                break;
            }
        }

        return seen;
    }

    /// <summary>Advances the fake clock by <paramref name="step"/> until the task completes, giving real time to the follower between steps.</summary>
    private static async Task<T> DriveAsync<T>(FakeTimeProvider time, Task<T> task, TimeSpan step)
    {
        using var guard = new CancellationTokenSource(Patience);
        while (!task.IsCompleted)
        {
            guard.Token.ThrowIfCancellationRequested();
            time.Advance(step);
            await Task.Delay(1);
        }

        return await task;
    }

    private static async Task<InMemoryFunnelStore> StoreWithAsync(int clients, int eventsEach)
    {
        var store = new InMemoryFunnelStore();
        for (var c = 0; c < clients; c++)
        {
            await store.Clients.AddAsync(NewClient($"c{c}"));
            await store.Events.AppendAsync(new ClientId($"c{c}"), 0, [.. Enumerable.Range(1, eventsEach).Select(s => Activity($"c{c}", s))]);
        }

        return store;
    }

    /// <summary>From any position, the follower yields exactly the later changes, in position order, across pages.</summary>
    [Theory]
    [InlineData(0, 1)]
    [InlineData(0, 4)]
    [InlineData(7, 4)]
    [InlineData(23, 500)]
    [InlineData(29, 3)]
    public async Task Follow_FromAPosition_YieldsEveryLaterChange_InPositionOrder(long after, int pageSize)
    {
        var store = await StoreWithAsync(clients: 6, eventsEach: 4);
        var all = await store.Feed.ReadChangesAsync(ChangeFeedQuery.All).ToListAsync();
        Assert.Equal(30, all.Count);
        var follower = new FunnelFeedFollower(store.Feed, new FakeTimeProvider(), new FeedFollowerOptions { PageSize = pageSize });

        var seen = await TakeAsync(follower, all.Count(c => c.Position > after), after);

        Assert.Equal(all.Where(c => c.Position > after), seen);
    }

    /// <summary>A follower of one pipeline sees that pipeline's client records and events only.</summary>
    [Fact]
    public async Task Follow_OfOnePipeline_YieldsItsChangesOnly()
    {
        var store = await StoreWithAsync(clients: 2, eventsEach: 2);
        await store.Events.AppendAsync(new ClientId("o1"), 0, [Activity("o1", 1, "other"), Activity("o1", 2, "other")]);
        await store.Events.AppendAsync(new ClientId("c0"), 2, [Activity("c0", 3)]);
        var follower = new FunnelFeedFollower(store.Feed, new FakeTimeProvider(), new FeedFollowerOptions { PageSize = 2 });

        var other = await TakeAsync(follower, 2, pipelineId: new PipelineId("other"));
        var sales = await TakeAsync(follower, 7, pipelineId: SalesId);

        Assert.Equal(["o1-1", "o1-2"], other.Select(c => c.Event!.Id.Value));
        Assert.All(sales, c => Assert.Equal(SalesId, c.PipelineId));
        Assert.Equal("c0-3", sales[^1].Event!.Id.Value);
    }

    /// <summary>
    /// Eight writers append while the follower reads: it never yields a position at or below one it yielded, and what it
    /// saw is exactly what the store holds at the end.
    /// </summary>
    [Fact]
    public async Task Follow_WhileWritersAppend_YieldsEachChangeOnce_InIncreasingOrder()
    {
        var store = new InMemoryFunnelStore();
        const int writers = 8, appends = 60;
        var follower = new FunnelFeedFollower(store.Feed, new FakeTimeProvider(), new FeedFollowerOptions { PageSize = 7 });
        var total = writers * (1 + appends);
        var following = Task.Run(() => TakeAsync(follower, total));

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var id = $"w{w}";
            await store.Clients.AddAsync(NewClient(id));
            for (var s = 1; s <= appends; s++)
            {
                await store.Events.AppendAsync(new ClientId(id), s - 1, [Activity(id, s)]);
            }
        })));
        var seen = await following;

        Assert.All(seen.Zip(seen.Skip(1)), p => Assert.True(p.First.Position < p.Second.Position, $"{p.Second.Position} came after {p.First.Position}."));
        Assert.Equal(await store.Feed.ReadChangesAsync(ChangeFeedQuery.All).ToListAsync(), seen);
    }

    /// <summary>
    /// The store's wake-up: a follower at the head with an hour's poll interval, on a clock that never moves, sees a new
    /// change as soon as it is appended.
    /// </summary>
    [Fact]
    public async Task Notifier_WakesTheFollowerAtTheHead_WithoutWaitingThePollInterval()
    {
        var store = await StoreWithAsync(clients: 1, eventsEach: 1);
        var time = new FakeTimeProvider();
        var started = time.GetUtcNow();
        var follower = new FunnelFeedFollower(store.Feed, time, new FeedFollowerOptions { PollInterval = TimeSpan.FromHours(1) });
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new List<FunnelChange>();
        using var cts = new CancellationTokenSource(Patience);

        var following = Task.Run(async () =>
        {
            await foreach (var change in follower.FollowAsync(0, null, cts.Token))
            {
                seen.Add(change);
                if (seen.Count == 2)
                {
                    reached.TrySetResult();
                }

                if (seen.Count == 4)
                {
                    break;
                }
            }
        });
        await reached.Task.WaitAsync(Patience);

        // The follower has the whole store and waits at the head; give it real time to get there.
        await Task.Delay(50);
        await store.Events.AppendAsync(new ClientId("c0"), 1, [Activity("c0", 2)]);
        await Task.Delay(20);
        await store.Clients.AddAsync(NewClient("late"));
        await following.WaitAsync(Patience);

        Assert.Equal(["c0-2", null], seen.Skip(2).Select(c => c.Event?.Id.Value));
        Assert.Equal(new ClientId("late"), seen[3].Client!.Id);
        Assert.Equal(started, time.GetUtcNow());
    }

    /// <summary>The in-memory notifier completes at once when the head is already past the position, and only for the pipeline asked.</summary>
    [Fact]
    public async Task Notifier_CompletesForTheHeadOfThePipelineAsked()
    {
        var store = await StoreWithAsync(clients: 1, eventsEach: 1);
        using var cts = new CancellationTokenSource(Patience);

        await store.Events.WaitForChangeAsync(1, null, cts.Token);
        var other = store.Events.WaitForChangeAsync(2, new PipelineId("other"), cts.Token).AsTask();
        await store.Events.AppendAsync(new ClientId("c0"), 1, [Activity("c0", 2)]);
        await Task.Delay(50);
        Assert.False(other.IsCompleted);
        await store.Events.AppendAsync(new ClientId("o"), 0, [Activity("o", 1, "other")]);
        await other.WaitAsync(Patience);
    }

    /// <summary>The bulk writes wake a waiting follower too, once their changes are on the feed.</summary>
    [Fact]
    public async Task Notifier_WakesOnBulkWrites()
    {
        var store = await StoreWithAsync(clients: 1, eventsEach: 1);
        using var cts = new CancellationTokenSource(Patience);

        var clients = store.Events.WaitForChangeAsync(2, null, cts.Token).AsTask();
        await Task.Delay(20);
        Assert.False(clients.IsCompleted);
        await store.Clients.AddManyAsync([NewClient("b1"), NewClient("b2")]);
        await clients.WaitAsync(Patience);

        var events = store.Events.WaitForChangeAsync(4, SalesId, cts.Token).AsTask();
        await Task.Delay(20);
        Assert.False(events.IsCompleted);
        await store.Events.AppendManyAsync([new StreamAppend(new ClientId("b1"), 0, [Activity("b1", 1)]), new StreamAppend(new ClientId("b2"), 0, [Activity("b2", 1)])]);
        await events.WaitAsync(Patience);
    }

    /// <summary>Without a notifier the follower waits the poll interval at the head, and not longer.</summary>
    [Fact]
    public async Task WithoutANotifier_TheFollowerPollsAtTheInterval()
    {
        var store = await StoreWithAsync(clients: 1, eventsEach: 1);
        var feed = new FeedOnly(store.Feed);
        var time = new FakeTimeProvider();
        var follower = new FunnelFeedFollower(feed, time, new FeedFollowerOptions { PollInterval = TimeSpan.FromSeconds(2) });
        using var cts = new CancellationTokenSource(Patience);
        await using var changes = follower.FollowAsync(0, null, cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await changes.MoveNextAsync());
        Assert.True(await changes.MoveNextAsync());
        var next = changes.MoveNextAsync().AsTask();

        // The first read was short: the follower is at the head and waits the interval; give it real time to start.
        await Task.Delay(50);
        Assert.Equal(1, feed.Reads);
        await store.Events.AppendAsync(new ClientId("c0"), 1, [Activity("c0", 2)]);
        await Task.Delay(50);
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1.9));
        await Task.Delay(50);
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.1));

        Assert.True(await next.WaitAsync(Patience));
        Assert.Equal("c0-2", changes.Current.Event!.Id.Value);
        Assert.Equal(2, feed.Reads);
    }

    /// <summary>
    /// Transient failures in a row wait the retry delay, doubling up to the cap; a successful read starts again from the
    /// first delay. Every failure reaches the hook with its attempt and delay, and the retry reads after the same position.
    /// </summary>
    [Fact]
    public async Task TransientFailures_BackOffExponentiallyToTheCap_AndStartAgainAfterASuccess()
    {
        var time = new FakeTimeProvider();
        var feed = new ScriptedFeed(time);
        var transient = new TimeoutException("the server went away");
        for (var i = 0; i < 5; i++)
        {
            feed.Fail(transient);
        }

        feed.Return(new FunnelChange(1, Activity("c1", 1)));
        feed.Fail(transient);
        feed.Fail(transient);
        feed.Return(new FunnelChange(3, Activity("c1", 2)));
        var failures = new ConcurrentQueue<FeedFollowerFailure>();
        var options = new FeedFollowerOptions { RetryDelay = TimeSpan.FromMilliseconds(100), MaxRetryDelay = TimeSpan.FromSeconds(1), PollInterval = TimeSpan.FromMilliseconds(50) };
        var follower = new FunnelFeedFollower(feed, time, options, onFailure: failures.Enqueue);

        var seen = await DriveAsync(time, Task.Run(() => TakeAsync(follower, 2)), TimeSpan.FromMilliseconds(50));

        Assert.Equal([1L, 3], seen.Select(c => c.Position));
        long[] expected = [100, 200, 400, 800, 1000, 100, 200];
        Assert.Equal(expected, failures.Select(f => (long)f.RetryDelay!.Value.TotalMilliseconds));
        Assert.Equal([1, 2, 3, 4, 5, 1, 2], failures.Select(f => f.Attempt));
        Assert.Equal([0L, 0, 0, 0, 0, 1, 1], failures.Select(f => f.Position));
        Assert.All(failures, f => Assert.Same(transient, f.Exception));

        // Each retry came no sooner than its delay after the failure, and read after the position reached.
        var reads = feed.Log.ToArray();
        Assert.Equal([0L, 0, 0, 0, 0, 0, 1, 1, 1], reads.Select(r => r.After));
        long[] gaps = [100, 200, 400, 800, 1000, 50, 100, 200];
        for (var i = 0; i < gaps.Length; i++)
        {
            Assert.True(reads[i + 1].At - reads[i].At >= TimeSpan.FromMilliseconds(gaps[i]), $"Read {i + 1} came {(reads[i + 1].At - reads[i].At).TotalMilliseconds} ms after read {i}, before the {gaps[i]} ms wait.");
        }

        Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)], new[] { 1, 4, 5, 40 }.Select(follower.RetryDelayAfter));
    }

    /// <summary>A failure that is not transient reaches the hook without a retry delay and is rethrown as it was.</summary>
    [Fact]
    public async Task AFailureThatIsNotTransient_IsReportedAndRethrown()
    {
        var time = new FakeTimeProvider();
        var feed = new ScriptedFeed(time);
        var bug = new InvalidOperationException("the mapping is wrong");
        feed.Fail(bug);
        var failures = new List<FeedFollowerFailure>();
        var follower = new FunnelFeedFollower(feed, time, onFailure: failures.Add);

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => TakeAsync(follower, 1));

        Assert.Same(bug, thrown);
        var failure = Assert.Single(failures);
        Assert.False(failure.WillRetry);
        Assert.Null(failure.RetryDelay);
        Assert.Equal(1, failure.Attempt);
        Assert.Contains("giving up", failure.ToString(), StringComparison.Ordinal);
    }

    /// <summary>With a retry limit, the failure after the last retry is rethrown; the caller's predicate decides what is transient.</summary>
    [Fact]
    public async Task RetryLimitAndPredicate_DecideWhenTheFollowerGivesUp()
    {
        var time = new FakeTimeProvider();
        var feed = new ScriptedFeed(time);
        var busy = new InvalidOperationException("database is locked");
        for (var i = 0; i < 4; i++)
        {
            feed.Fail(busy);
        }

        var failures = new ConcurrentQueue<FeedFollowerFailure>();
        var follower = new FunnelFeedFollower(feed, time, new FeedFollowerOptions { MaxRetries = 2 }, isTransient: e => e.Message.Contains("locked", StringComparison.Ordinal), onFailure: failures.Enqueue);

        var run = Task.Run(() => TakeAsync(follower, 1));
        await Assert.ThrowsAsync<InvalidOperationException>(() => DriveAsync(time, run, TimeSpan.FromMilliseconds(100)));

        Assert.Equal([true, true, false], failures.Select(f => f.WillRetry));
        Assert.Equal(3, feed.Log.Count);
    }

    /// <summary>Cancelling a follower that waits at the head ends it at once, however long the poll interval.</summary>
    [Fact]
    public async Task Cancellation_WhileWaitingAtTheHead_EndsTheFollowPromptly()
    {
        var store = await StoreWithAsync(clients: 1, eventsEach: 1);
        foreach (var feed in new IFunnelChangeFeed[] { store.Feed, new FeedOnly(store.Feed) })
        {
            var follower = new FunnelFeedFollower(feed, new FakeTimeProvider(), new FeedFollowerOptions { PollInterval = TimeSpan.FromHours(1) });
            using var cts = new CancellationTokenSource();
            var seen = 0;

            var run = Task.Run(async () =>
            {
                await foreach (var _ in follower.FollowAsync(0, null, cts.Token))
                {
                    seen++;
                }
            });
            while (Volatile.Read(ref seen) < 2)
            {
                await Task.Delay(5);
            }

            await Task.Delay(50);
            await cts.CancelAsync();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(5)));
        }
    }

    /// <summary>Cancelling a follower that backs off from a failure ends it at once, without another read.</summary>
    [Fact]
    public async Task Cancellation_DuringABackOff_EndsTheFollowPromptly()
    {
        var time = new FakeTimeProvider();
        var feed = new ScriptedFeed(time);
        feed.Fail(new TimeoutException());
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var follower = new FunnelFeedFollower(feed, time, new FeedFollowerOptions { RetryDelay = TimeSpan.FromMinutes(1), MaxRetryDelay = TimeSpan.FromMinutes(1) }, onFailure: _ => failed.TrySetResult());
        using var cts = new CancellationTokenSource();

        var run = Task.Run(async () =>
        {
            await foreach (var _ in follower.FollowAsync(0, null, cts.Token))
            {
            }
        });
        await failed.Task.WaitAsync(Patience);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Single(feed.Log);
    }

    /// <summary>A feed that returns a position at or below one already read breaks the guarantee: the follower throws rather than yield it.</summary>
    [Fact]
    public async Task AFeedThatGoesBack_IsRefused()
    {
        var time = new FakeTimeProvider();
        var feed = new ScriptedFeed(time);
        feed.Return(new FunnelChange(5, Activity("c1", 1)), new FunnelChange(5, Activity("c1", 2)));
        var follower = new FunnelFeedFollower(feed, time);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => TakeAsync(follower, 2));

        Assert.Contains("position 5 after position 5", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>The defaults, and each bound, named in the message as the library's other options are.</summary>
    [Fact]
    public void Options_HaveServerFriendlyDefaults_AndRefuseValuesOutOfBounds()
    {
        var defaults = new FeedFollowerOptions();
        Assert.Equal(TimeSpan.FromMilliseconds(250), defaults.PollInterval);
        Assert.Equal(500, defaults.PageSize);
        Assert.Equal(TimeSpan.FromMilliseconds(200), defaults.RetryDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), defaults.MaxRetryDelay);
        Assert.Null(defaults.MaxRetries);
        var feed = new InMemoryFunnelStore().Feed;

        (FeedFollowerOptions Options, string Setting)[] bad =
        [
            (new() { PollInterval = TimeSpan.Zero }, "FeedFollower.PollInterval"),
            (new() { PollInterval = TimeSpan.FromHours(2) }, "FeedFollower.PollInterval"),
            (new() { PageSize = 0 }, "FeedFollower.PageSize"),
            (new() { PageSize = 100_001 }, "FeedFollower.PageSize"),
            (new() { RetryDelay = TimeSpan.FromMinutes(2), MaxRetryDelay = TimeSpan.FromMinutes(5) }, "FeedFollower.RetryDelay"),
            (new() { MaxRetryDelay = TimeSpan.FromMilliseconds(100) }, "FeedFollower.MaxRetryDelay must be at least FeedFollower.RetryDelay (200 ms); got 100 ms."),
            (new() { MaxRetries = -1 }, "FeedFollower.MaxRetries"),
        ];
        foreach (var (options, setting) in bad)
        {
            var ex = Assert.Throws<OptionsValidationException>(() => new FunnelFeedFollower(feed, TimeProvider.System, options));
            Assert.Contains(setting, ex.Message, StringComparison.Ordinal);
        }

        Assert.Throws<ArgumentNullException>(() => new FunnelFeedFollower(null!, TimeProvider.System));
        Assert.Throws<ArgumentNullException>(() => new FunnelFeedFollower(feed, null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FunnelFeedFollower(feed, TimeProvider.System).FollowAsync(-1));
    }

    /// <summary>The default predicate: connection-level failures, also wrapped, are transient; refusals, bugs and cancellations are not.</summary>
    [Fact]
    public void DefaultPredicate_KnowsConnectionFailuresFromBugs()
    {
        Assert.True(FunnelFeedFollower.IsTransientByDefault(new TimeoutException()));
        Assert.True(FunnelFeedFollower.IsTransientByDefault(new IOException()));
        Assert.True(FunnelFeedFollower.IsTransientByDefault(new System.Net.Sockets.SocketException()));
        Assert.True(FunnelFeedFollower.IsTransientByDefault(new TransientDbException(true)));
        Assert.True(FunnelFeedFollower.IsTransientByDefault(new InvalidOperationException("retry exhausted", new TransientDbException(true))));
        Assert.True(FunnelFeedFollower.IsTransientByDefault(new AggregateException(new ArgumentException(), new TimeoutException())));
        Assert.False(FunnelFeedFollower.IsTransientByDefault(new TransientDbException(false)));
        Assert.False(FunnelFeedFollower.IsTransientByDefault(new InvalidOperationException()));
        Assert.False(FunnelFeedFollower.IsTransientByDefault(new OperationCanceledException()));
        Assert.False(FunnelFeedFollower.IsTransientByDefault(new ConcurrencyConflictException(new ClientId("c"), 1, 2)));
    }

    private sealed class TransientDbException(bool transient) : DbException("db")
    {
        public override bool IsTransient => transient;
    }

    /// <summary>A feed without the notifier: hides the in-memory store's wake-up.</summary>
    private sealed class FeedOnly(IFunnelChangeFeed inner) : IFunnelChangeFeed
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public ValueTask<long> ReadHeadAsync(PipelineId? pipelineId = null, CancellationToken cancellationToken = default) => inner.ReadHeadAsync(pipelineId, cancellationToken);

        public IAsyncEnumerable<FunnelChange> ReadChangesAsync(ChangeFeedQuery query, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _reads);
            return inner.ReadChangesAsync(query, cancellationToken);
        }
    }

    /// <summary>A feed that answers each read from a script (a page, or an exception), then empty pages; it logs each read's instant and position.</summary>
    private sealed class ScriptedFeed(TimeProvider time) : IFunnelChangeFeed
    {
        private readonly ConcurrentQueue<Func<IReadOnlyList<FunnelChange>>> _script = new();

        public ConcurrentQueue<(DateTimeOffset At, long After)> Log { get; } = new();

        public void Fail(Exception e) => _script.Enqueue(() => throw e);

        public void Return(params FunnelChange[] page) => _script.Enqueue(() => page);

        public ValueTask<long> ReadHeadAsync(PipelineId? pipelineId = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public async IAsyncEnumerable<FunnelChange> ReadChangesAsync(ChangeFeedQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Log.Enqueue((time.GetUtcNow(), query.After));
            await Task.Yield();
            var page = _script.TryDequeue(out var next) ? next() : [];
            foreach (var change in page)
            {
                yield return change;
            }
        }
    }
}
