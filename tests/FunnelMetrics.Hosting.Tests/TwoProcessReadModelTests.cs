using System.Diagnostics;
using System.Globalization;
using FunnelMetrics.Analytics;
using FunnelMetrics.EntityFrameworkCore;
using FunnelMetrics.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Xunit.Abstractions;

namespace FunnelMetrics.Hosting.Tests;

/// <summary>
/// The two-process test of the hosted model: process A (tests/FunnelMetrics.FeedProcess) records moves with four
/// concurrent writers, backdated clients among them and client updates, into SQLite or PostgreSQL; this test process is
/// B, running the hosted read model over the same database in a generic host with the default options (250 ms poll)
/// and asking it for the dashboard's figures every 100 ms. No answer may go backwards in the events it reflects; once A
/// has exited and B has caught up, B's answers must equal a fresh batch computation over the store
/// (<see cref="FunnelAnalytics.LoadFromStorageAsync"/>, <c>FunnelEventLog.Build</c> over every row). The delay from A
/// recording a move (its <c>RecordedAt</c>, from the same machine's clock) to the first answer reflecting it is
/// written to the test output: median, 99th percentile and maximum.
/// </summary>
/// <remarks>
/// The number of moves is <c>FUNNELMETRICS_FEED_MOVES</c> (20,000 by default; .ci/run sets 50,000), as for the feed's
/// own two-process test. PostgreSQL runs when <c>FUNNELMETRICS_POSTGRES</c> names a server.
/// </remarks>
public sealed class TwoProcessReadModelTests(ITestOutputHelper output)
{
    private const int Writers = 4;
    private const int UpdateEvery = 7;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(25);
    private static readonly TimeSpan AskEvery = TimeSpan.FromMilliseconds(100);
    private static readonly PipelineId Sales = new("sales");

    private static int Moves => Environment.GetEnvironmentVariable("FUNNELMETRICS_FEED_MOVES") is { Length: > 0 } text
        ? int.Parse(text, CultureInfo.InvariantCulture)
        : 20_000;

    private static string? Postgres => Environment.GetEnvironmentVariable("FUNNELMETRICS_POSTGRES") is { Length: > 0 } cs ? cs : null;

    [Fact]
    public async Task AHostedModelInASecondProcess_FollowsASqliteFile_NeverGoesBack_AndEndsEqualToAFreshBuild()
    {
        var directory = Directory.CreateTempSubdirectory("funnelmetrics-hosting-");
        try
        {
            var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory.FullName, "funnel.db"), Pooling = true }.ToString();
            var options = new DbContextOptionsBuilder<FunnelMetricsDbContext>().UseSqlite(connectionString).Options;
            var factory = new Factory(() => new FunnelMetricsDbContext(options));
            await using (var context = factory.CreateDbContext())
            {
                await context.Database.EnsureCreatedAsync();
                await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
            }

            await RunAsync("sqlite", connectionString, null, factory);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    [SkippableFact]
    public async Task AHostedModelInASecondProcess_FollowsAPostgresDatabase_NeverGoesBack_AndEndsEqualToAFreshBuild()
    {
        Skip.If(Postgres is null, "PostgreSQL tests are skipped: set FUNNELMETRICS_POSTGRES to a connection string; .ci/run starts a server and sets it.");
        var database = $"funnelmetrics_hosting_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(Postgres))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        try
        {
            const string schema = "two_process";
            var connectionString = new NpgsqlConnectionStringBuilder(Postgres) { Database = database }.ToString();
            var options = new DbContextOptionsBuilder<FunnelMetricsDbContext>().UseNpgsql(connectionString).Options;
            var factory = new Factory(() => new FunnelMetricsDbContext(options, schema));
            await using (var context = factory.CreateDbContext())
            {
                await context.GetService<IRelationalDatabaseCreator>().CreateTablesAsync();
            }

            await RunAsync("postgres", connectionString, schema, factory);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(Postgres);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private async Task RunAsync(string provider, string connectionString, string? schema, Factory factory)
    {
        var moves = Moves;
        using var guard = new CancellationTokenSource(Patience);

        // Process B: the hosted model, started before A writes anything (the pipeline appears while it runs).
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<Microsoft.EntityFrameworkCore.IDbContextFactory<FunnelMetricsDbContext>>(factory);
        builder.Services.AddFunnelMetrics().UseEntityFrameworkCore<FunnelMetricsDbContext>().AddHostedReadModel();
        using var host = builder.Build();
        await host.StartAsync(guard.Token);
        var registry = host.Services.GetRequiredService<FunnelReadModelRegistry>();

        var timings = Path.Combine(Path.GetTempPath(), $"funnelmetrics-timings-{Guid.NewGuid():N}.tsv");
        var process = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                Path.Combine(AppContext.BaseDirectory, "FunnelMetrics.FeedProcess.dll"), "record", provider, connectionString, schema ?? "-",
                moves.ToString(CultureInfo.InvariantCulture), Writers.ToString(CultureInfo.InvariantCulture), UpdateEvery.ToString(CultureInfo.InvariantCulture),
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["FUNNELMETRICS_FEED_TIMINGS"] = timings },
        };
        var started = TimeProvider.System.GetUtcNow();
        using var a = Process.Start(process) ?? throw new InvalidOperationException("dotnet did not start.");
        var aOutput = a.StandardOutput.ReadToEndAsync(guard.Token);
        var aErrors = a.StandardError.ReadToEndAsync(guard.Token);
        var aExited = a.WaitForExitAsync(guard.Token);

        // Asked for the dashboard every 100 ms while A writes, and until B has caught up after A exits.
        var answers = new List<Answer>();
        var computing = new List<double>();
        var head = -1L;
        var lastFigures = "";
        var lastAsOf = default(DateTimeOffset);
        while (true)
        {
            var asked = TimeProvider.System.GetUtcNow();
            if (await registry.GetSnapshotAsync(Sales, guard.Token) is { } snapshot)
            {
                var watch = Stopwatch.StartNew();
                var figures = Figures.Of(snapshot.Log, asked);
                computing.Add(watch.Elapsed.TotalMilliseconds);
                answers.Add(new Answer(TimeProvider.System.GetUtcNow(), snapshot.Position, snapshot.EventCount));
                (lastFigures, lastAsOf) = (figures, asked);
                if (head >= 0 && snapshot.Position >= head)
                {
                    break;
                }
            }

            if (aExited.IsCompleted && head < 0)
            {
                await aExited;
                Assert.True(a.ExitCode == 0, $"Process A failed ({a.ExitCode}): {await aErrors}");
                head = await host.Services.GetRequiredService<IFunnelChangeFeed>().ReadHeadAsync(Sales, guard.Token);
            }

            var wait = AskEvery - (TimeProvider.System.GetUtcNow() - asked);
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, guard.Token);
        }

        var health = await host.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>().CheckHealthAsync(guard.Token);
        await host.StopAsync(guard.Token);
        var summary = (await aOutput).Trim();

        // No answer went backwards in the events it reflects.
        Assert.All(answers.Zip(answers.Skip(1)), p =>
        {
            Assert.True(p.Second.Position >= p.First.Position, $"An answer at position {p.Second.Position} came after one at {p.First.Position}.");
            Assert.True(p.Second.Events >= p.First.Events, $"An answer of {p.Second.Events} events came after one of {p.First.Events}.");
        });

        // The last answer equals a fresh batch computation over every stored row.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var fresh = await scope.ServiceProvider.GetRequiredService<FunnelAnalytics>().LoadFromStorageAsync(Sales, guard.Token);
            var last = answers[^1];
            Assert.Equal(fresh.EventCount, last.Events);
            Assert.Equal(Figures.Of(fresh, lastAsOf), lastFigures);
        }

        // The delay from A recording each move to the first answer that reflects it.
        var feed = new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(factory);
        var events = await feed.ReadChangesAsync(new ChangeFeedQuery { PipelineId = Sales }, guard.Token).Where(c => c.Event is not null).ToListAsync(guard.Token);
        var stored = (await File.ReadAllLinesAsync(timings, guard.Token)).Select(l => l.Split('\t')).ToDictionary(p => p[0], p => new DateTimeOffset(long.Parse(p[1], CultureInfo.InvariantCulture), TimeSpan.Zero), StringComparer.Ordinal);
        File.Delete(timings);
        var firstAnswer = answers[0].At;
        var delays = new List<double>();
        var fromStamp = new List<double>();
        var at = 0;
        foreach (var change in events)
        {
            while (answers[at].Position < change.Position)
            {
                at++;
            }

            // From the moment A's recorder returned (the move stored and committed), for the moves recorded once B answered.
            if (stored.TryGetValue(change.Event!.Id.Value, out var returned) && change.Event.RecordedAt > firstAnswer)
            {
                delays.Add((answers[at].At - returned).TotalMilliseconds);
                fromStamp.Add((answers[at].At - change.Event.RecordedAt).TotalMilliseconds);
            }
        }

        Assert.Equal(moves, stored.Count);
        delays.Sort();
        fromStamp.Sort();
        computing.Sort();
        var updates = events.Count(c => c.Event is ClientUpdate);
        Assert.True(updates > 0);
        Assert.Equal(moves + updates, events.Count);
        Assert.NotEmpty(delays);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{provider}: A: {summary}; B: {answers.Count} answers, the first {(firstAnswer - started).TotalMilliseconds:0} ms after A started; health at the end {health.Status}. "
            + $"Delay from A's recorder returning a move (stored) to B's first answer reflecting it, over the {delays.Count} moves recorded after B's first answer: median {Percentile(delays, 0.5):0} ms, "
            + $"p99 {Percentile(delays, 0.99):0} ms, max {delays[^1]:0} ms; from the move's RecordedAt stamp (taken before A's commit): median {Percentile(fromStamp, 0.5):0} ms, p99 {Percentile(fromStamp, 0.99):0} ms. Computing the dashboard's figures: median {Percentile(computing, 0.5):0.0} ms, p99 {Percentile(computing, 0.99):0.0} ms."));
    }

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    private static double Percentile(List<double> sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];

    private sealed record Answer(DateTimeOffset At, long Position, int Events);

    private sealed class Factory(Func<FunnelMetricsDbContext> create) : Microsoft.EntityFrameworkCore.IDbContextFactory<FunnelMetricsDbContext>
    {
        public FunnelMetricsDbContext CreateDbContext() => create();
    }
}
