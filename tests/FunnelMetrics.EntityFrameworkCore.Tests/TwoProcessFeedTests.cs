using System.Diagnostics;
using System.Globalization;
using FunnelMetrics.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Xunit.Abstractions;

namespace FunnelMetrics.EntityFrameworkCore.Tests;

/// <summary>
/// The done-when test: two OS processes over one database. Process A (tests/FunnelMetrics.FeedProcess, started
/// with <c>dotnet</c>) records moves through <see cref="Recording.FunnelRecorder"/> with four concurrent writers, new
/// clients added all through the run and backdated clients among them; this test process is B, following the store's
/// feed from position 0 with <see cref="FunnelFeedFollower"/> while A writes, until A has exited and the head is
/// reached. B's changes must be exactly the store's client records and events, none missed, none twice, in increasing
/// positions.
/// </summary>
/// <remarks>
/// The number of moves is <c>FUNNELMETRICS_FEED_MOVES</c>: .ci/run sets 50,000; the 100,000 took (on the 2-core machine
/// about 2 minutes on SQLite and 2.3 on PostgreSQL when idle, 5.5 and 5 under other builds); a plain
/// <c>dotnet test</c> records 20,000, about half a minute each, so that the EF tests stay quick to run while working.
/// </remarks>
public sealed class TwoProcessFeedTests(PostgresDatabase postgres, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    public const string MovesVariable = "FUNNELMETRICS_FEED_MOVES";

    private const int Writers = 4;

    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(20);

    private static int Moves => Environment.GetEnvironmentVariable(MovesVariable) is { Length: > 0 } text
        ? int.Parse(text, CultureInfo.InvariantCulture)
        : 20_000;

    [Fact]
    public async Task ASecondProcess_FollowingTheFeedOfOneSqliteFile_SeesEveryChangeOnce()
    {
        var directory = Directory.CreateTempSubdirectory("funnelmetrics-feed-");
        try
        {
            var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory.FullName, "funnel.db"), Pooling = true }.ToString();
            var options = new DbContextOptionsBuilder<FunnelMetricsDbContext>().UseSqlite(connectionString).Options;
            var factory = new ContextFactory<FunnelMetricsDbContext>(() => new FunnelMetricsDbContext(options));
            await using (var context = factory.CreateDbContext())
            {
                await context.Database.EnsureCreatedAsync();
            }

            await SqliteDatabase.EnableWalAsync(connectionString);
            await RunAsync("sqlite", connectionString, null, factory, "funnel_clients", "funnel_events");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    [SkippableFact]
    public async Task ASecondProcess_FollowingTheFeedOfOnePostgresDatabase_SeesEveryChangeOnce()
    {
        Skip.IfNot(postgres.Available, postgres.SkipReason);
        const string schema = "two_process";
        var options = new DbContextOptionsBuilder<FunnelMetricsDbContext>().UseNpgsql(postgres.ConnectionString).Options;
        var factory = new ContextFactory<FunnelMetricsDbContext>(() => new FunnelMetricsDbContext(options, schema));
        await using (var context = factory.CreateDbContext())
        {
            await context.GetService<IRelationalDatabaseCreator>().CreateTablesAsync();
        }

        await RunAsync("postgres", postgres.ConnectionString, schema, factory, $"\"{schema}\".funnel_clients", $"\"{schema}\".funnel_events");
    }

    private async Task RunAsync(string provider, string connectionString, string? schema, ContextFactory<FunnelMetricsDbContext> factory, string clientsTable, string eventsTable)
    {
        var moves = Moves;
        using var guard = new CancellationTokenSource(Patience);
        var process = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "FunnelMetrics.FeedProcess.dll"), "record", provider, connectionString, schema ?? "-", moves.ToString(CultureInfo.InvariantCulture), Writers.ToString(CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var watch = Stopwatch.StartNew();
        using var a = Process.Start(process) ?? throw new InvalidOperationException("dotnet did not start.");
        var aOutput = a.StandardOutput.ReadToEndAsync(guard.Token);
        var aErrors = a.StandardError.ReadToEndAsync(guard.Token);
        var aExited = a.WaitForExitAsync(guard.Token);

        // Process B: follow the feed from the start while A writes.
        var feed = new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(factory);
        var failures = new List<FeedFollowerFailure>();
        var follower = new FunnelFeedFollower(feed, TimeProvider.System, new FeedFollowerOptions { PageSize = 1000 }, onFailure: failures.Add);
        var seen = new List<FunnelChange>(moves + (moves / 6) + 16);
        var last = 0L;
        var seenWhileAWrote = -1;
        TimeSpan aTime = default, caughtUp = default;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(guard.Token);
        var watcher = Task.Run(
            async () =>
            {
                // Once A has exited nothing more is written: B is done when it has read up to the head.
                await aExited;
                aTime = watch.Elapsed;
                Volatile.Write(ref seenWhileAWrote, Volatile.Read(ref last) > 0 ? 1 : 0);
                var head = await feed.ReadHeadAsync(null, guard.Token);
                while (Volatile.Read(ref last) < head)
                {
                    await Task.Delay(20, guard.Token);
                }

                caughtUp = watch.Elapsed;
                await stop.CancelAsync();
            },
            guard.Token);
        try
        {
            await foreach (var change in follower.FollowAsync(0, null, stop.Token))
            {
                seen.Add(change);
                Volatile.Write(ref last, change.Position);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !guard.IsCancellationRequested)
        {
            // The watcher ended the follow at the head.
        }

        await watcher;
        Assert.True(a.ExitCode == 0, $"Process A failed ({a.ExitCode}): {await aErrors}");
        var summary = (await aOutput).Trim();
        output.WriteLine($"{provider}: A: {summary} (process {aTime.TotalSeconds:0.0} s); B: {seen.Count} changes, at the head {(caughtUp - aTime).TotalMilliseconds:0} ms after A exited; {failures.Count} failed reads.");

        // Nothing twice, in increasing positions.
        Assert.All(seen.Zip(seen.Skip(1)), p => Assert.True(p.First.Position < p.Second.Position, $"Position {p.Second.Position} came after {p.First.Position}."));
        Assert.Empty(failures);
        Assert.Equal(1, seenWhileAWrote);

        // Nothing missed: B's set is the store's, read from the tables themselves.
        await using var context = factory.CreateDbContext();
#pragma warning disable EF1002 // The table names are this test's constants.
        var storedClients = await context.Database.SqlQueryRaw<string>($"SELECT client_id AS \"Value\" FROM {clientsTable}").ToListAsync(guard.Token);
        var storedEvents = await context.Database.SqlQueryRaw<string>($"SELECT event_id AS \"Value\" FROM {eventsTable}").ToListAsync(guard.Token);
#pragma warning restore EF1002
        var seenClients = seen.Where(c => c.Client is not null).Select(c => c.Client!.Id.Value).ToList();
        var seenEvents = seen.Where(c => c.Event is not null).Select(c => c.Event!.Id.Value).ToList();
        Assert.Equal(moves, storedEvents.Count);
        Assert.Equal(storedClients.Order(StringComparer.Ordinal), seenClients.Order(StringComparer.Ordinal));
        Assert.Equal(storedEvents.Order(StringComparer.Ordinal), seenEvents.Order(StringComparer.Ordinal));
        Assert.Contains($"recorded {moves} moves of {storedClients.Count} clients", summary, StringComparison.Ordinal);
        Assert.Equal(await feed.ReadChangesAsync(ChangeFeedQuery.All).ToListAsync(guard.Token), seen);

        // What made it hard was there: events backdated before events already read, and clients added after events.
        var latest = DateTimeOffset.MinValue;
        var backdated = 0;
        foreach (var e in seen.Select(c => c.Event).OfType<ClientEvent>())
        {
            backdated += e.OccurredAt < latest ? 1 : 0;
            latest = e.OccurredAt > latest ? e.OccurredAt : latest;
        }

        var firstEvent = seen.First(c => c.Event is not null).Position;
        Assert.True(backdated > moves / 10, $"Only {backdated} events came after a later instant.");
        Assert.True(seen.Count(c => c.Client is not null && c.Position > firstEvent) > storedClients.Count / 2);
    }
}
