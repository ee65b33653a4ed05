using FunnelMetrics.Analytics;
using FunnelMetrics.Storage;

namespace FunnelMetrics.AspNetCore.Tests;

/// <summary>FunnelReadModel.NextSnapshotAsync: the change notification the stream waits on.</summary>
public sealed class ReadModelNotificationTests
{
    private static async Task<(FunnelReadModel Model, List<FunnelChange> Changes)> ModelAsync()
    {
        await using var app = await FunnelApp.StartAsync();
        var changes = await app.Store.Feed.ReadChangesAsync(new ChangeFeedQuery { PipelineId = FunnelApp.Sales.Id }).ToListAsync();
        return (new FunnelReadModel(FunnelApp.Sales), changes);
    }

    [Fact]
    public async Task ASnapshotOtherThanTheCallersOne_IsReturnedAtOnce()
    {
        var (model, changes) = await ModelAsync();
        var old = model.Snapshot;
        model.Apply(changes[0]);
        var published = model.Publish();
        Assert.Same(published, await model.NextSnapshotAsync(old));
    }

    [Fact]
    public async Task TheWait_EndsAtTheNextPublication_WithItsSnapshot_AndNotBefore()
    {
        var (model, changes) = await ModelAsync();
        var current = model.Snapshot;
        var wait = model.NextSnapshotAsync(current);
        Assert.False(wait.IsCompleted);

        // Applied but not published: nothing to see yet; a publish with nothing new publishes nothing.
        model.Apply(changes[0]);
        Assert.False(wait.IsCompleted);
        var published = model.Publish();
        Assert.Same(published, await wait);
        Assert.Equal(changes[0].Position, published.Position);

        var again = model.NextSnapshotAsync(published);
        Assert.Same(published, model.Publish());
        Assert.False(again.IsCompleted);
        model.Apply(changes[1]);
        model.Apply(changes[2]);
        Assert.Equal(changes[2].Position, (await WhenPublished(model, again)).Position);
    }

    [Fact]
    public async Task TheWait_IsCancelled()
    {
        var (model, _) = await ModelAsync();
        using var cancel = new CancellationTokenSource();
        var wait = model.NextSnapshotAsync(model.Snapshot, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }

    [Fact]
    public async Task AFailure_PublishesWhatWasApplied_AndWakesTheWaiters()
    {
        var (model, changes) = await ModelAsync();
        var wait = model.NextSnapshotAsync(model.Snapshot);
        model.Apply(changes[0]);
        model.Fail(changes[1], new InvalidOperationException("broken"));
        Assert.Equal(changes[0].Position, (await wait).Position);
    }

    private static Task<FunnelSnapshot> WhenPublished(FunnelReadModel model, Task<FunnelSnapshot> wait)
    {
        model.Publish();
        return wait;
    }
}
