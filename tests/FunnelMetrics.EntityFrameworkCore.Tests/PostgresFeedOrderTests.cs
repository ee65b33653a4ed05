using System.Data.Common;
using FunnelMetrics.Storage;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.EntityFrameworkCore.Tests;

/// <summary>
/// The event-store pitfall on PostgreSQL, and why the store's feed does not fall into it. Transactions commit out of
/// order: with positions from an identity column (or a sequence), a transaction A that took the lower position can
/// commit after a transaction B that took a higher one, and a follower that read B's row in between and continues
/// with <c>WHERE position &gt; @p</c> never sees A's. The raw-SQL tests show the skip is real, then that the
/// <c>funnel_feed</c> counter removes it: B cannot take a position until A has ended. The store test drives the same
/// interleaving through <see cref="EntityFrameworkFunnelEventStore{TContext}"/>, pausing A just before its commit.
/// Skipped without a server.
/// </summary>
public sealed class PostgresFeedOrderTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [SkippableFact]
    public async Task NaiveIdentityColumn_WhenTheLowerPositionCommitsLast_AFollowerSkipsIt()
    {
        Skip.IfNot(database.Available, database.SkipReason);
        var table = $"naive_{Guid.NewGuid():N}";
        await using var setup = await OpenAsync();
        await ExecuteAsync(setup, $"CREATE TABLE {table} (position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, writer text NOT NULL)");

        await using var a = await OpenAsync();
        await using var b = await OpenAsync();
        await using var follower = await OpenAsync();
        await using var txA = await a.BeginTransactionAsync();
        Assert.Equal(1L, await ScalarAsync(a, $"INSERT INTO {table} (writer) VALUES ('A') RETURNING position"));
        await using var txB = await b.BeginTransactionAsync();
        Assert.Equal(2L, await ScalarAsync(b, $"INSERT INTO {table} (writer) VALUES ('B') RETURNING position"));
        await txB.CommitAsync();

        // The follower reads between B's commit and A's, and remembers the last position it saw.
        var seen = await PositionsAsync(follower, $"SELECT position FROM {table} WHERE position > 0 ORDER BY position");
        Assert.Equal([2L], seen);
        await txA.CommitAsync();
        var next = await PositionsAsync(follower, $"SELECT position FROM {table} WHERE position > {seen[^1]} ORDER BY position");

        // A's row, at position 1, is stored and will never be read by this follower: the hazard is real.
        Assert.Empty(next);
        Assert.Equal([1L, 2L], await PositionsAsync(follower, $"SELECT position FROM {table} ORDER BY position"));
        Assert.DoesNotContain(1L, seen.Concat(next));
    }

    [SkippableFact]
    public async Task CounterRow_TheLowerPositionCannotCommitLast_BWaitsForA_AndAFollowerSkipsNothing()
    {
        Skip.IfNot(database.Available, database.SkipReason);
        var suffix = Guid.NewGuid().ToString("N");
        var (counter, rows) = ($"feed_{suffix}", $"rows_{suffix}");
        await using var setup = await OpenAsync();
        await ExecuteAsync(setup, $"CREATE TABLE {counter} (id int PRIMARY KEY, position bigint NOT NULL); INSERT INTO {counter} VALUES (1, 0); CREATE TABLE {rows} (position bigint PRIMARY KEY, writer text NOT NULL)");
        var take = $"UPDATE {counter} SET position = position + 1 WHERE id = 1 RETURNING position";

        await using var a = await OpenAsync();
        await using var b = await OpenAsync();
        await using var follower = await OpenAsync();
        await using var txA = await a.BeginTransactionAsync();
        Assert.Equal(1L, await ScalarAsync(a, take));
        await ExecuteAsync(a, $"INSERT INTO {rows} VALUES (1, 'A')");

        // B asks for a position while A holds the counter's row lock: it waits.
        await using var txB = await b.BeginTransactionAsync();
        var bTakes = ScalarAsync(b, take);
        await WaitForALockWaitAsync(follower);
        Assert.False(bTakes.IsCompleted);
        Assert.Empty(await PositionsAsync(follower, $"SELECT position FROM {rows} WHERE position > 0 ORDER BY position"));

        await txA.CommitAsync();
        Assert.Equal(2L, await bTakes.WaitAsync(Patience));
        await ExecuteAsync(b, $"INSERT INTO {rows} VALUES (2, 'B')");
        var seen = await PositionsAsync(follower, $"SELECT position FROM {rows} WHERE position > 0 ORDER BY position");
        await txB.CommitAsync();
        seen.AddRange(await PositionsAsync(follower, $"SELECT position FROM {rows} WHERE position > {(seen.Count == 0 ? 0 : seen[^1])} ORDER BY position"));
        Assert.Equal([1L, 2L], seen);

        // A writer that rolls back gives its positions back: the next one reuses them, so no follower skips a gap that fills.
        await using var txC = await a.BeginTransactionAsync();
        Assert.Equal(3L, await ScalarAsync(a, take));
        await using var txD = await b.BeginTransactionAsync();
        var dTakes = ScalarAsync(b, take);
        await WaitForALockWaitAsync(follower);
        await txC.RollbackAsync();
        Assert.Equal(3L, await dTakes.WaitAsync(Patience));
        await txD.CommitAsync();
    }

    [SkippableFact]
    public async Task Store_WriterAPausedBeforeCommitWithTheLowerPosition_WriterBWaits_AndAFollowerReadingInBetweenSkipsNothing()
    {
        Skip.IfNot(database.Available, database.SkipReason);
        var pause = new PauseBeforeCommit();
        var factory = await database.CreateStoreAsync(pause);
        var clients = new EntityFrameworkClientRepository<FunnelMetricsDbContext>(factory);
        var store = new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(factory);
        await clients.AddAsync(NewClient("a"));
        await clients.AddAsync(NewClient("b"));
        var followed = await store.ReadChangesAsync(ChangeFeedQuery.All).ToListAsync();
        Assert.Equal([1L, 2L], followed.Select(c => c.Position));

        // A takes position 3, inserts its event and stops right before its commit.
        pause.Arm();
        var appendA = Task.Run(() => store.AppendAsync(new ClientId("a"), 0, [Enter("a", T0)]));
        await pause.Paused.WaitAsync(Patience);

        // B (a backdated event of another client) takes its position after A's: it waits for A's row lock on funnel_feed.
        var appendB = Task.Run(() => store.AppendAsync(new ClientId("b"), 0, [Enter("b", T0.AddDays(-30))]));
        await using (var watcher = await OpenAsync())
        {
            await WaitForALockWaitAsync(watcher);
        }

        Assert.False(appendB.IsCompleted);

        // The follower reads in between: nothing is visible yet, and the head has not moved.
        Assert.Empty(await store.ReadChangesAsync(new ChangeFeedQuery { After = followed[^1].Position }).ToListAsync());
        Assert.Equal(2, await store.ReadHeadAsync());
        Assert.Equal(2, await store.ReadHeadAsync(SalesId));

        pause.Release();
        Assert.Equal(1, await appendA.WaitAsync(Patience));
        Assert.Equal(1, await appendB.WaitAsync(Patience));

        followed.AddRange(await store.ReadChangesAsync(new ChangeFeedQuery { After = followed[^1].Position }).ToListAsync());
        Assert.Equal([1L, 2, 3, 4], followed.Select(c => c.Position));
        Assert.Equal(["a", "b"], followed.Skip(2).Select(c => c.ClientId.Value));
        Assert.Equal(await store.ReadChangesAsync(ChangeFeedQuery.All).ToListAsync(), followed);
    }

    private static StageTransition Enter(string client, DateTimeOffset at) =>
        new(new ClientEventId($"{client}-1"), new ClientId(client), SalesId, 1, TransitionKind.Entered, null, DecisionMaker, at, at, Anna);

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<List<long>> PositionsAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var positions = new List<long>();
        while (await reader.ReadAsync())
        {
            positions.Add(reader.GetInt64(0));
        }

        return positions;
    }

    /// <summary>Waits until a backend of this database waits for a lock (the second writer on the counter's row).</summary>
    private static async Task WaitForALockWaitAsync(NpgsqlConnection watcher)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (await ScalarAsync(watcher, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "The second writer never waited for the first one's lock.");
            await Task.Delay(20);
        }
    }

    /// <summary>Stops the first transaction to commit after <see cref="Arm"/> right before its commit, until <see cref="Release"/>.</summary>
    private sealed class PauseBeforeCommit : DbTransactionInterceptor
    {
        private readonly TaskCompletionSource _paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _armed;

        public Task Paused => _paused.Task;

        public void Arm() => Volatile.Write(ref _armed, 1);

        public void Release() => _released.TrySetResult();

        public override async ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _armed, 0) == 1)
            {
                _paused.TrySetResult();
                await _released.Task;
            }

            return result;
        }
    }
}
