using System.Diagnostics;
using Xunit.Abstractions;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.EntityFrameworkCore.Tests;

/// <summary>
/// A measurement run by hand, not a test: appends per second through the store on PostgreSQL with 8 concurrent
/// writers (<c>FUNNELMETRICS_MEASURE_WRITERS</c>), each on its own client, one event per append. It prices the serialized position assignment (the
/// <c>funnel_feed</c> counter row) against a store without it. Run with
/// <c>FUNNELMETRICS_MEASURE_APPENDS=1 dotnet test tests/FunnelMetrics.EntityFrameworkCore.Tests -c Release --filter AppendThroughputMeasurement --logger "console;verbosity=detailed"</c>
/// and <c>FUNNELMETRICS_POSTGRES</c> set; the file compiles unchanged on 0.2, to measure both.
/// </summary>
public sealed class AppendThroughputMeasurement(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    [SkippableFact]
    public async Task EightWriters_OnDistinctClients_AppendsPerSecond()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("FUNNELMETRICS_MEASURE_APPENDS") == "1", "A measurement: set FUNNELMETRICS_MEASURE_APPENDS=1 to run it.");
        Skip.IfNot(database.Available, database.SkipReason);
        var writers = int.TryParse(Environment.GetEnvironmentVariable("FUNNELMETRICS_MEASURE_WRITERS"), out var w) ? w : 8;
        var seconds = double.TryParse(Environment.GetEnvironmentVariable("FUNNELMETRICS_MEASURE_SECONDS"), out var s) ? s : 10;
        var store = Stores.Events(await database.CreateStoreAsync());

        var versions = new long[writers];
        async Task<int> RunAsync(int writer, TimeSpan duration)
        {
            var client = new ClientId($"writer-{writer}");
            var watch = Stopwatch.StartNew();
            var appends = 0;
            while (watch.Elapsed < duration)
            {
                var sequence = versions[writer] + 1;
                var at = T0.AddSeconds(sequence);
                versions[writer] = await store.AppendAsync(client, versions[writer], [new ClientActivity(new ClientEventId($"w{writer}-{sequence}"), client, SalesId, sequence, at, at, Anna)]);
                appends++;
            }

            return appends;
        }

        // Warm-up: connections opened, plans cached.
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() => RunAsync(w, TimeSpan.FromSeconds(2)))));
        var watch = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() => RunAsync(w, TimeSpan.FromSeconds(seconds)))));
        var elapsed = watch.Elapsed.TotalSeconds;
        var total = counts.Sum();
        output.WriteLine($"{writers} writers, {seconds:0} s: {total} appends, {total / elapsed:0} appends/s ({string.Join(", ", counts)})");
    }
}
