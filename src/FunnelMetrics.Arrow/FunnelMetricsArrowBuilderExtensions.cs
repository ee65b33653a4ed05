using FunnelMetrics.Analytics;
using FunnelMetrics.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunnelMetrics.Arrow;

/// <summary>Registers snapshot files on the builder <c>AddFunnelMetrics</c> returns.</summary>
public static class FunnelMetricsArrowBuilderExtensions
{
    /// <summary>
    /// Keeps the hosted read model's snapshots as Arrow files in <paramref name="directory"/> (a
    /// <see cref="FunnelSnapshotDirectory"/> registered as the <see cref="IFunnelSnapshotStore"/>): with
    /// <c>AddHostedReadModel</c>, each pipeline then starts from its file and catches up from the feed, and is saved
    /// every <c>SnapshotInterval</c> and when the host stops.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="directory">The directory of the files, created when missing.</param>
    /// <returns>The builder.</returns>
    public static FunnelMetricsBuilder AddSnapshotFiles(this FunnelMetricsBuilder builder, string directory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var store = new FunnelSnapshotDirectory(directory);
        builder.Services.RemoveAll<IFunnelSnapshotStore>();
        builder.Services.AddSingleton<IFunnelSnapshotStore>(store);
        return builder;
    }
}
