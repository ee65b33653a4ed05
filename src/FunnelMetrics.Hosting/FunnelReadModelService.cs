using System.Collections.Concurrent;
using FunnelMetrics.Analytics;
using FunnelMetrics.Diagnostics;
using FunnelMetrics.Metrics;
using FunnelMetrics.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FunnelMetrics.Hosting;

/// <summary>
/// The hosted read model: a background service that keeps a warm <see cref="FunnelReadModel"/> of each pipeline of the
/// store (or of those configured in <see cref="FunnelReadModelOptions.Pipelines"/>) in the
/// <see cref="FunnelReadModelRegistry"/>, where <see cref="FunnelAnalytics"/> answers from it without touching storage.
/// Registered by <c>AddHostedReadModel</c>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Loading.</b> Each pipeline starts from the fastest path offered: a saved snapshot (an
/// <see cref="IFunnelSnapshotStore"/>, when registered), else the store's fast load (<see cref="IFunnelLogSource"/>,
/// when the store offers it), else the pipeline's change feed read from position 0. Until a pipeline is loaded, its
/// requests wait for it (<see cref="WaitForReadyAsync"/> waits for all).
/// </para>
/// <para>
/// <b>Following.</b> Then one <see cref="FunnelFeedFollower"/> follows the store's change feed from the lowest position
/// loaded and applies each change to its pipeline's model, publishing a snapshot whenever the feed has nothing more at
/// once (at the head: within <see cref="FeedFollowerOptions.PollInterval"/> of a change) and at least every
/// <see cref="FunnelReadModelOptions.PublishEvery"/> changes. A pipeline added while the host runs is loaded when its
/// first change arrives.
/// </para>
/// <para>
/// <b>Failures.</b> A change a model cannot apply (a broken stream) stops that model only: it keeps serving its last good
/// snapshot, the failure (client, event, rule) is logged as an error and reported by <see cref="FunnelReadModel.Failure"/>
/// and the health check, and the other pipelines go on. A transient failure of the store is waited out by the follower;
/// any other failure is logged, the models loaded keep serving, and the service starts again after
/// <see cref="FunnelReadModelOptions.RestartDelay"/> from where the models are. The host is never stopped.
/// </para>
/// <para>
/// <b>Metrics.</b> On the <c>FunnelMetrics</c> meter (<see cref="FunnelMetricsInstrumentation"/>, registered by
/// <c>AddFunnelMetrics</c>): each pipeline's load time by load path (<c>funnelmetrics.read_model.load.duration</c>), and
/// the lag gauges (<c>funnelmetrics.read_model.events_behind</c>, <c>funnelmetrics.read_model.time_behind</c>), read
/// through <see cref="GetLagAsync"/> while the service runs.
/// </para>
/// </remarks>
public sealed partial class FunnelReadModelService : BackgroundService
{
    private readonly IServiceScopeFactory _scopes;
    private readonly FunnelReadModelRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FunnelReadModelOptions _options;
    private readonly PipelineId[] _configured;
    private readonly ConcurrentDictionary<PipelineId, Followed> _models = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ServiceFault? _fault;
    private FunnelMetricsInstrumentation? _instrumentation;

    /// <summary>Creates the service.</summary>
    /// <param name="scopes">Where the store's services (<see cref="IFunnelChangeFeed"/>, <see cref="IPipelineRepository"/>, and <see cref="IFunnelLogSource"/> and <see cref="IFunnelSnapshotStore"/> when registered) are resolved, in a scope of their own.</param>
    /// <param name="registry">The registry the models are served from.</param>
    /// <param name="timeProvider">The clock every wait and every lag measurement goes through.</param>
    /// <param name="options">The service's options.</param>
    /// <param name="logger">Where loads, failures and restarts are logged; <see langword="null"/> for none.</param>
    /// <exception cref="OptionsValidationException">The options are invalid; the message names the setting, such as <c>ReadModel.RestartDelay</c>.</exception>
    public FunnelReadModelService(IServiceScopeFactory scopes, FunnelReadModelRegistry registry, TimeProvider timeProvider, IOptions<FunnelReadModelOptions> options, ILogger<FunnelReadModelService>? logger = null)
    {
        _scopes = scopes ?? throw new ArgumentNullException(nameof(scopes));
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value ?? throw new ArgumentException("The options hold no value.", nameof(options));
        var result = FunnelReadModelOptionsValidator.Instance.Validate(Options.DefaultName, _options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(FunnelReadModelOptions), result.Failures);
        }

        _configured = [.. _options.Pipelines.Select(PipelineId.Parse)];
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The models kept, by pipeline id: loaded, ready or failed.</summary>
    public IReadOnlyList<FunnelReadModel> Models => [.. _models.Values.Select(f => f.Model).OrderBy(m => m.PipelineId)];

    /// <summary>Whether every pipeline followed is loaded (ready or failed).</summary>
    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    /// <summary>The failure the service is restarting after, with when it happened; <see langword="null"/> while it runs.</summary>
    public Exception? LastError => Volatile.Read(ref _fault)?.Exception;

    /// <summary>When <see cref="LastError"/> happened, by the service's clock.</summary>
    public DateTimeOffset? LastErrorAt => Volatile.Read(ref _fault)?.At;

    /// <summary>Waits until every pipeline followed is loaded and served (ready, or failed and serving its last good snapshot).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the models are loaded.</returns>
    /// <exception cref="OperationCanceledException">The wait was cancelled, or the service stopped before the models were loaded.</exception>
    public Task WaitForReadyAsync(CancellationToken cancellationToken = default) => _ready.Task.WaitAsync(cancellationToken);

    /// <summary>
    /// Reads each model's lag behind the store: the pipeline's head position (<see cref="IFunnelChangeFeed.ReadHeadAsync"/>),
    /// the position published, and how long the oldest change not published has been seen at the head.
    /// </summary>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The lag of each model, by pipeline id.</returns>
    public async Task<IReadOnlyList<FunnelReadModelLag>> GetLagAsync(CancellationToken cancellationToken = default)
    {
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var feed = Feed(scope.ServiceProvider);
            var lags = new List<FunnelReadModelLag>();
            foreach (var followed in _models.Values.OrderBy(f => f.Model.PipelineId))
            {
                var id = followed.Model.PipelineId;
                var head = await feed.ReadHeadAsync(id, cancellationToken).ConfigureAwait(false);
                var published = followed.Model.Snapshot.Position;
                lags.Add(new FunnelReadModelLag(id, head, published, followed.Lag.Observe(head, published, _time.GetUtcNow())));
            }

            return lags;
        }
    }

    /// <inheritdoc/>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Requests made before the pipelines are known wait for their models instead of each reading the store.
        if (_configured.Length == 0)
        {
            _registry.BeginDiscovery();
        }

        foreach (var id in _configured)
        {
            _registry.Expect(id);
        }

        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            if (scope.ServiceProvider.GetService<IFunnelSnapshotStore>() is { } snapshots)
            {
                await SaveSnapshotsAsync(snapshots, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await RunAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
#pragma warning disable CA1031 // Nothing stops the host: the failure is logged, reported by the health check, and the service starts again.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    Volatile.Write(ref _fault, new ServiceFault(e, _time.GetUtcNow()));
                    LogRunFailed(_logger, e, _options.RestartDelay.TotalSeconds, e.Message);
                    try
                    {
                        await Task.Delay(_options.RestartDelay, _time, stoppingToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            // Stopped: no lag to report, and requests for pipelines never loaded read the store again instead of waiting.
            Volatile.Read(ref _instrumentation)?.SetLagSource(null);
            _registry.EndDiscovery();
            foreach (var id in _registry.Loading)
            {
                _registry.Abandon(id);
            }

            _ready.TrySetCanceled(stoppingToken);
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var services = scope.ServiceProvider;
            if (Volatile.Read(ref _instrumentation) is null && services.GetService<FunnelMetricsInstrumentation>() is { } instrumentation)
            {
                // The lag gauges read the lag as the health check does.
                Volatile.Write(ref _instrumentation, instrumentation);
                instrumentation.SetLagSource(LagReadingsAsync);
            }

            var store = new Store(Feed(services), services.GetRequiredService<IPipelineRepository>(), services.GetService<IFunnelLogSource>(), services.GetService<IFunnelSnapshotStore>());
            foreach (var pipeline in await DiscoverAsync(store.Pipelines, cancellationToken).ConfigureAwait(false))
            {
                if (!_models.ContainsKey(pipeline.Id))
                {
                    await LoadAsync(pipeline, store, cancellationToken).ConfigureAwait(false);
                }
            }

            _ready.TrySetResult();
            Volatile.Write(ref _fault, null);
            await FollowAsync(store, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The pipelines to follow: those configured, or every pipeline of the store (then discovery ends).</summary>
    private async Task<List<PipelineDefinition>> DiscoverAsync(IPipelineRepository pipelines, CancellationToken cancellationToken)
    {
        var found = new List<PipelineDefinition>();
        if (_configured.Length > 0)
        {
            foreach (var id in _configured)
            {
                found.Add(await pipelines.GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new UnknownPipelineException(id));
            }

            return found;
        }

        await foreach (var pipeline in pipelines.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            found.Add(pipeline);
            _registry.Expect(pipeline.Id);
        }

        _registry.EndDiscovery();
        return found;
    }

    /// <summary>The saved snapshot, or null when there is none or the snapshot store refuses it (a corrupt or stale file: logged, and the pipeline is loaded from the store).</summary>
    private async Task<FunnelSnapshot?> LoadSnapshotAsync(IFunnelSnapshotStore snapshots, PipelineDefinition pipeline, CancellationToken cancellationToken)
    {
        try
        {
            return await snapshots.LoadAsync(pipeline, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSnapshotUnreadable(_logger, e, pipeline.Id, e.Message);
            return null;
        }
    }

    /// <summary>Loads a pipeline by the fastest path offered, publishes its model and serves it.</summary>
    private async Task LoadAsync(PipelineDefinition pipeline, Store store, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        _registry.Expect(pipeline.Id);
        FunnelReadModel? model = null;
        var how = "the change feed from position 0";
        var path = FunnelMetricsInstrumentation.LoadedFromFeed;
        if (store.Snapshots is { } snapshots && await LoadSnapshotAsync(snapshots, pipeline, cancellationToken).ConfigureAwait(false) is { } saved)
        {
            var head = await store.Feed.ReadHeadAsync(null, cancellationToken).ConfigureAwait(false);
            if (!saved.Log.Pipeline.Equals(pipeline))
            {
                LogSnapshotRefused(_logger, pipeline.Id, saved.Position, "its pipeline definition is not the one stored");
            }
            else if (saved.Position > head)
            {
                LogSnapshotRefused(_logger, pipeline.Id, saved.Position, $"its position is beyond the store's head ({head}): it is of another database");
            }
            else
            {
                (model, how, path) = (new FunnelReadModel(saved.Log, saved.Position), $"a snapshot at position {saved.Position}", FunnelMetricsInstrumentation.LoadedFromSnapshotFile);
            }
        }

        if (model is null && store.Source is { } source)
        {
            var builder = new FunnelLogBuilder(pipeline);
            try
            {
                var position = await source.LoadAsync(builder, cancellationToken).ConfigureAwait(false);
                (model, how, path) = (new FunnelReadModel(builder, position), "the store's fast load", FunnelMetricsInstrumentation.LoadedByFastLoad);
            }
            catch (FunnelHistoryException e)
            {
                // The feed gets as far as the broken change: the model then serves the history before it.
                LogFastLoadBroken(_logger, e, pipeline.Id, e.Message);
            }
        }

        if (model is null)
        {
            model = new FunnelReadModel(pipeline);
            await CatchUpAsync(model, store.Feed, cancellationToken).ConfigureAwait(false);
        }

        var snapshot = model.Publish();
        _models[pipeline.Id] = new Followed(model);
        _registry.Add(model);
        var elapsed = _time.GetElapsedTime(started);
        Volatile.Read(ref _instrumentation)?.ReadModelLoaded(pipeline.Id, path, elapsed);
        LogLoaded(_logger, pipeline.Id, how, snapshot.ClientCount, snapshot.EventCount, snapshot.Position, elapsed.TotalMilliseconds);
    }

    /// <summary>The lag of each model, for the lag gauges of <see cref="FunnelMetricsInstrumentation"/>.</summary>
    private async Task<IReadOnlyList<ReadModelLagReading>> LagReadingsAsync(CancellationToken cancellationToken)
    {
        var lags = await GetLagAsync(cancellationToken).ConfigureAwait(false);
        var readings = new ReadModelLagReading[lags.Count];
        for (var i = 0; i < readings.Length; i++)
        {
            readings[i] = new ReadModelLagReading(lags[i].PipelineId, lags[i].EventsBehind, lags[i].Behind);
        }

        return readings;
    }

    /// <summary>Applies a pipeline's changes after the model's position, page by page up to the head (or the change it cannot apply).</summary>
    private async Task CatchUpAsync(FunnelReadModel model, IFunnelChangeFeed feed, CancellationToken cancellationToken)
    {
        var pageSize = Math.Max(_options.Feed.PageSize, 10_000);
        var after = model.AppliedPosition;
        while (true)
        {
            var count = 0;
            var query = new ChangeFeedQuery { After = after, PipelineId = model.PipelineId, Limit = pageSize };
            await foreach (var change in feed.ReadChangesAsync(query, cancellationToken).ConfigureAwait(false))
            {
                count++;
                after = change.Position;
                if (!TryApply(model, change) && model.IsFailed)
                {
                    return;
                }
            }

            if (count < pageSize)
            {
                return;
            }
        }
    }

    /// <summary>Follows the store's feed (or the one pipeline configured) from the lowest position loaded, applying and publishing.</summary>
    private async Task FollowAsync(Store store, CancellationToken cancellationToken)
    {
        PipelineId? only = _configured.Length == 1 ? _configured[0] : null;
        var from = _models.IsEmpty ? 0 : _models.Values.Min(f => f.Model.AppliedPosition);
        var follower = new FunnelFeedFollower(store.Feed, _time, _options.Feed, onFailure: f => LogFeedReadFailed(_logger, f.Exception, f.Position, f.Attempt, f.WillRetry, f.Exception.Message));
        var position = from;
        var sincePublish = 0;
        var lastSave = _time.GetTimestamp();
        var changes = follower.FollowAsync(from, only, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (changes.ConfigureAwait(false))
        {
            while (true)
            {
                var next = changes.MoveNextAsync();
                if (!next.IsCompleted || sincePublish >= _options.PublishEvery)
                {
                    // The feed has nothing more at once (or a long catch-up): what was applied becomes visible.
                    PublishAll(position, only);
                    sincePublish = 0;
                    if (store.Snapshots is { } snapshots && _time.GetElapsedTime(lastSave) >= _options.SnapshotInterval)
                    {
                        await SaveSnapshotsAsync(snapshots, cancellationToken).ConfigureAwait(false);
                        lastSave = _time.GetTimestamp();
                    }
                }

                if (!await next.ConfigureAwait(false))
                {
                    return;
                }

                var change = changes.Current;
                position = change.Position;
                if (!_models.TryGetValue(change.PipelineId, out var followed))
                {
                    if (_configured.Length > 0 || await store.Pipelines.GetAsync(change.PipelineId, cancellationToken).ConfigureAwait(false) is not { } added)
                    {
                        continue;
                    }

                    // A pipeline added while the host runs: loaded now, as of a position at or after this change.
                    await LoadAsync(added, store, cancellationToken).ConfigureAwait(false);
                    followed = _models[added.Id];
                }

                var model = followed.Model;
                if (model.IsFailed || change.Position <= model.AppliedPosition)
                {
                    continue;
                }

                if (TryApply(model, change))
                {
                    sincePublish++;
                }
            }
        }
    }

    private void PublishAll(long position, PipelineId? only)
    {
        foreach (var followed in _models.Values)
        {
            var model = followed.Model;
            if (model.IsFailed)
            {
                continue;
            }

            if (only is null || only == model.PipelineId)
            {
                model.Advance(position);
            }

            model.Publish();
        }
    }

    private bool TryApply(FunnelReadModel model, FunnelChange change)
    {
        try
        {
            return model.Apply(change);
        }
        catch (ArgumentException e)
        {
            // FunnelHistoryException (a broken rule, a gap) or a change that contradicts the history applied.
            var failure = model.Fail(change, e);
            LogModelFailed(_logger, e, failure.PipelineId, failure.Position, failure.ClientId, failure.EventId?.ToString() ?? "(its client record)", failure.Rule?.ToString() ?? "none", failure.Message);
            return false;
        }
    }

    private async Task SaveSnapshotsAsync(IFunnelSnapshotStore snapshots, CancellationToken cancellationToken)
    {
        foreach (var followed in _models.Values)
        {
            var snapshot = followed.Model.Snapshot;
            if (snapshot.Position == followed.SavedPosition)
            {
                continue;
            }

            try
            {
                await snapshots.SaveAsync(snapshot, cancellationToken).ConfigureAwait(false);
                followed.SavedPosition = snapshot.Position;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A snapshot only shortens the next start: the model goes on without it.
                LogSnapshotSaveFailed(_logger, e, snapshot.Log.Pipeline.Id, snapshot.Position, e.Message);
            }
        }
    }

    private static IFunnelChangeFeed Feed(IServiceProvider services) => services.GetService<IFunnelChangeFeed>()
        ?? throw new InvalidOperationException("The store registered offers no change feed (IFunnelChangeFeed), which the hosted read model follows; use a store that does, such as the in-memory store or FunnelMetrics.EntityFrameworkCore.");

    [LoggerMessage(1, LogLevel.Information, "FunnelMetrics read model of pipeline '{PipelineId}' loaded from {How}: {Clients} clients, {Events} events, feed position {Position}, in {Milliseconds:0} ms.")]
    private static partial void LogLoaded(ILogger logger, PipelineId pipelineId, string how, int clients, int events, long position, double milliseconds);

    [LoggerMessage(2, LogLevel.Error, "FunnelMetrics read model of pipeline '{PipelineId}' stopped at feed position {Position}: client '{ClientId}', event {EventId}, rule {Rule}: {Message} It keeps serving its last good snapshot.")]
    private static partial void LogModelFailed(ILogger logger, Exception exception, PipelineId pipelineId, long position, ClientId clientId, string eventId, string rule, string message);

    [LoggerMessage(3, LogLevel.Error, "FunnelMetrics read model failed; the models loaded keep serving and it starts again in {Seconds} s: {Message}")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, double seconds, string message);

    [LoggerMessage(4, LogLevel.Warning, "FunnelMetrics read model: a feed read after position {Position} failed (attempt {Attempt}, retrying: {WillRetry}): {Message}")]
    private static partial void LogFeedReadFailed(ILogger logger, Exception exception, long position, int attempt, bool willRetry, string message);

    [LoggerMessage(5, LogLevel.Warning, "FunnelMetrics read model of pipeline '{PipelineId}': the saved snapshot at position {Position} is refused: {Reason}; loading from the store instead.")]
    private static partial void LogSnapshotRefused(ILogger logger, PipelineId pipelineId, long position, string reason);

    [LoggerMessage(6, LogLevel.Warning, "FunnelMetrics read model of pipeline '{PipelineId}': the store's fast load found a broken history ({Message}); reading the change feed instead, up to the broken change.")]
    private static partial void LogFastLoadBroken(ILogger logger, Exception exception, PipelineId pipelineId, string message);

    [LoggerMessage(8, LogLevel.Warning, "FunnelMetrics read model of pipeline '{PipelineId}': the saved snapshot cannot be used: {Message} Loading from the store instead.")]
    private static partial void LogSnapshotUnreadable(ILogger logger, Exception exception, PipelineId pipelineId, string message);

    [LoggerMessage(7, LogLevel.Warning, "FunnelMetrics read model of pipeline '{PipelineId}': saving the snapshot at position {Position} failed: {Message}")]
    private static partial void LogSnapshotSaveFailed(ILogger logger, Exception exception, PipelineId pipelineId, long position, string message);

    /// <summary>The store's services for one run.</summary>
    private sealed record Store(IFunnelChangeFeed Feed, IPipelineRepository Pipelines, IFunnelLogSource? Source, IFunnelSnapshotStore? Snapshots);

    /// <summary>A failure the service restarts after.</summary>
    private sealed record ServiceFault(Exception Exception, DateTimeOffset At);

    /// <summary>A model followed, with its lag clock and the position last saved.</summary>
    private sealed class Followed(FunnelReadModel model)
    {
        public FunnelReadModel Model { get; } = model;

        public LagClock Lag { get; } = new();

        public long SavedPosition { get; set; } = -1;
    }
}
