using FunnelMetrics.Analytics;
using FunnelMetrics.Arrow;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunnelMetrics.Hosting.Tests;

/// <summary>The hosted model over Arrow snapshot files (<c>AddSnapshotFiles</c>): a restart goes on from the file; a corrupt file is refused by name and the pipeline loaded from the store.</summary>
public sealed class SnapshotFileRestartTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"funnelmetrics-snapshots-{Guid.NewGuid():N}");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ARestart_GoesOnFromTheSnapshotFile_AndACorruptOneIsRefusedByName()
    {
        var store = new Store();
        var writer = await store.SeedAsync(Store.Sales, 300, 91);
        var files = new FunnelSnapshotDirectory(_directory);
        using (var first = TestHost.Build(store, services => services.AddFunnelMetrics().AddSnapshotFiles(_directory)))
        {
            await first.StartAsync();
            await first.Service().WaitForReadyAsync().WaitAsync(TimeSpan.FromSeconds(20));
            await first.StopAsync();
        }

        var saved = await files.LoadAsync(Store.Sales);
        Assert.NotNull(saved);
        Assert.Equal(await store.Memory.Feed.ReadHeadAsync(), saved.Position);

        // Written while no host ran: the second start reads the file, not the store's fast load, and catches up.
        await writer.WriteAsync(100);
        var source = new FeedLogSource(store.Memory);
        using (var second = TestHost.Build(store, services =>
        {
            services.AddFunnelMetrics().AddSnapshotFiles(_directory);
            services.AddSingleton<IFunnelLogSource>(source);
        }))
        {
            await second.StartAsync();
            await second.Service().WaitForReadyAsync().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(0, source.Calls);
            await second.CaughtUpAsync(store, Store.Sales.Id);
            await second.StopAsync();
        }

        // A truncated file: refused with its path in the log, the pipeline loaded from the store instead.
        var path = files.PathOf(Store.Sales.Id);
        var bytes = await File.ReadAllBytesAsync(path);
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length / 2)]);
        var logger = new ListLogger();
        using var third = TestHost.Build(store, services =>
        {
            services.AddFunnelMetrics().AddSnapshotFiles(_directory);
            services.AddSingleton<IFunnelLogSource>(source);
        }, logger: logger);
        await third.StartAsync();
        await third.Service().WaitForReadyAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(1, source.Calls);
        Assert.Contains(logger.Messages, m => m.Level == LogLevel.Warning && m.Message.Contains(path, StringComparison.Ordinal));
        await third.CaughtUpAsync(store, Store.Sales.Id);
        await third.StopAsync();
    }
}
