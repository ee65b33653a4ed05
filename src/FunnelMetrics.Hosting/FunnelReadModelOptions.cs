using FunnelMetrics.Storage;

namespace FunnelMetrics.Hosting;

/// <summary>
/// How the hosted read model (<see cref="FunnelReadModelService"/>) follows the store: which pipelines, how it reads the
/// feed, how it restarts after a failure of the store, and when its health check reports it behind. Bound from the
/// <c>FunnelMetrics:ReadModel</c> section or set in code with <c>AddHostedReadModel</c>, and validated when the host
/// starts; an invalid value throws naming the setting, such as <c>ReadModel.RestartDelay</c>.
/// </summary>
public sealed class FunnelReadModelOptions
{
    /// <summary>The configuration section the options are usually bound from: <c>FunnelMetrics:ReadModel</c>.</summary>
    public const string SectionName = "FunnelMetrics:ReadModel";

    /// <summary>The name the health check is registered under: <c>funnelmetrics-read-model</c>.</summary>
    public const string HealthCheckName = "funnelmetrics-read-model";

    /// <summary>The default of <see cref="RestartDelay"/>: 5 seconds.</summary>
    public static readonly TimeSpan DefaultRestartDelay = TimeSpan.FromSeconds(5);

    /// <summary>The default of <see cref="DegradedLag"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultDegradedLag = TimeSpan.FromSeconds(30);

    /// <summary>The default of <see cref="SnapshotInterval"/>: 10 minutes.</summary>
    public static readonly TimeSpan DefaultSnapshotInterval = TimeSpan.FromMinutes(10);

    /// <summary>The default of <see cref="PublishEvery"/>: 50,000 changes.</summary>
    public const int DefaultPublishEvery = 50_000;

    /// <summary>
    /// The ids of the pipelines to keep warm; empty (the default) for every pipeline of the store, including those added
    /// while the host runs. Each must be a valid pipeline id, once.
    /// </summary>
    /// <value>Default: empty (every pipeline).</value>
    public IList<string> Pipelines { get; } = [];

    /// <summary>
    /// How the change feed is read: the poll interval at the head (250 ms by default: a move appears in the answers
    /// within about that), the page size and the back-off when the store fails. Validated as the follower validates it.
    /// </summary>
    /// <value>Default: a new <see cref="FeedFollowerOptions"/>, every value at its default.</value>
    public FeedFollowerOptions Feed { get; set; } = new();

    /// <summary>
    /// How long the service waits before it starts again after a failure it does not ride out (the store refusing a
    /// read, a pipeline configured but not stored): the models loaded keep serving meanwhile. From 1 millisecond to 1
    /// hour, both inclusive.
    /// </summary>
    /// <value>Default: <see cref="DefaultRestartDelay"/> (5 seconds).</value>
    public TimeSpan RestartDelay { get; set; } = DefaultRestartDelay;

    /// <summary>
    /// How far behind the head a model may be before the health check reports <c>Degraded</c>: the time since a change
    /// it has not applied was first seen at the head. From 1 millisecond to 1 day, both inclusive.
    /// </summary>
    /// <value>Default: <see cref="DefaultDegradedLag"/> (30 seconds).</value>
    public TimeSpan DegradedLag { get; set; } = DefaultDegradedLag;

    /// <summary>
    /// While catching up, a model publishes a snapshot at least every this many changes applied (it always publishes
    /// when the feed has nothing more at once: at each page's end at the head). From 1 to 10,000,000, both inclusive.
    /// </summary>
    /// <value>Default: <see cref="DefaultPublishEvery"/> (50,000).</value>
    public int PublishEvery { get; set; } = DefaultPublishEvery;

    /// <summary>
    /// How often each model is saved to the <see cref="Analytics.IFunnelSnapshotStore"/>, when one is registered (it is also
    /// saved when the host stops). From 1 second to 1 day, both inclusive.
    /// </summary>
    /// <value>Default: <see cref="DefaultSnapshotInterval"/> (10 minutes).</value>
    public TimeSpan SnapshotInterval { get; set; } = DefaultSnapshotInterval;
}
