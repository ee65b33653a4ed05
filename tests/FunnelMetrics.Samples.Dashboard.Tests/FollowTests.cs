using FunnelMetrics.EntityFrameworkCore;
using FunnelMetrics.Recording;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FunnelMetrics.Samples.Dashboard.Tests;

/// <summary>--follow: the hosted read model over the database, the dashboard shown again when another writer records a move.</summary>
public sealed class FollowTests
{
    [Fact]
    public async Task Follow_ShowsTheStoredDashboard_ThenAgainWhenAnotherWriterRecordsAMove()
    {
        var database = Path.Combine(Path.GetTempPath(), $"funnel-{Guid.NewGuid():N}.db");
        try
        {
            using (var once = new MemoryStream())
            {
                // The demo team stored in the file, as a first run does.
                Assert.Equal(0, await new DashboardRun(null, null, null, null, null, null, "UTC", null, true, 50) { Database = database }.ExecuteAsync(once, TextWriter.Null, CancellationToken.None));
            }

            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            var options = new DbContextOptionsBuilder<FunnelMetricsDbContext>().UseSqlite(new SqliteConnectionStringBuilder { DataSource = database }.ToString()).Options;
            var factory = new Factory(options);
            var pipeline = await new EntityFrameworkPipelineRepository<FunnelMetricsDbContext>(factory).ListAsync().FirstAsync();
            var recorder = new FunnelRecorder(new EntityFrameworkPipelineRepository<FunnelMetricsDbContext>(factory), new EntityFrameworkClientRepository<FunnelMetricsDbContext>(factory), new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(factory), TimeProvider.System, Options.Create(new RecordingOptions()));
            using var output = new Documents(async (shown, last) =>
            {
                if (shown == 1)
                {
                    // Another writer: a new client and its first move, into the file the sample follows.
                    var at = TimeProvider.System.GetUtcNow().AddHours(-1);
                    await recorder.AddClientAsync(new Client(new ClientId("follow-test"), pipeline.Id, new OwnerId("follower"), at));
                    await recorder.MoveAsync(new ClientId("follow-test"), pipeline.Stages[0].Key, at);
                }
                else if (last.Contains("follower", StringComparison.Ordinal))
                {
                    // The new client and its move are in (a dashboard may come between the two changes).
                    await stop.CancelAsync();
                }
            });
            var run = new DashboardRun(null, null, null, null, null, null, "UTC", null, true, 50) { Database = database, Follow = true };
            Assert.Equal(0, await run.ExecuteAsync(output, TextWriter.Null, stop.Token));
            Assert.True(output.Shown >= 2, $"{output.Shown} dashboard(s) shown.");
            Assert.Contains("follower", output.Last, StringComparison.Ordinal);
            Assert.DoesNotContain("follower", output.First, StringComparison.Ordinal);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(database);
        }
    }

    /// <summary>Counts the dashboards written (one flush each), keeps the first and the last, and calls back after each.</summary>
    private sealed class Documents(Func<int, string, Task> shown) : MemoryStream
    {
        private long _start;

        public int Shown { get; private set; }

        public string First { get; private set; } = "";

        public string Last { get; private set; } = "";

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            await base.FlushAsync(cancellationToken);
            Last = System.Text.Encoding.UTF8.GetString(GetBuffer(), (int)_start, (int)(Length - _start));
            First = Shown == 0 ? Last : First;
            _start = Length;
            await shown(++Shown, Last);
        }
    }

    private sealed class Factory(DbContextOptions<FunnelMetricsDbContext> options) : IDbContextFactory<FunnelMetricsDbContext>
    {
        public FunnelMetricsDbContext CreateDbContext() => new(options);
    }
}
