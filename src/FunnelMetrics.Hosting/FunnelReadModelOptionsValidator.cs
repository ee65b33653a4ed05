using System.Globalization;
using FunnelMetrics.Storage;
using Microsoft.Extensions.Options;

namespace FunnelMetrics.Hosting;

/// <summary>Validates <see cref="FunnelReadModelOptions"/>, naming each setting by its path, such as <c>ReadModel.RestartDelay</c>.</summary>
internal sealed class FunnelReadModelOptionsValidator : IValidateOptions<FunnelReadModelOptions>
{
    public static readonly FunnelReadModelOptionsValidator Instance = new();

    public ValidateOptionsResult Validate(string? name, FunnelReadModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var seen = new HashSet<PipelineId>();
        foreach (var pipeline in options.Pipelines)
        {
            if (!PipelineId.TryParse(pipeline, out var id))
            {
                failures.Add($"ReadModel.Pipelines: '{pipeline}' is not a valid pipeline id.");
            }
            else if (!seen.Add(id))
            {
                failures.Add($"ReadModel.Pipelines: '{pipeline}' is listed twice.");
            }
        }

        Range(failures, nameof(options.RestartDelay), options.RestartDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1));
        Range(failures, nameof(options.DegradedLag), options.DegradedLag, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1));
        Range(failures, nameof(options.SnapshotInterval), options.SnapshotInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        if (options.PublishEvery is < 1 or > 10_000_000)
        {
            failures.Add($"ReadModel.{nameof(options.PublishEvery)} must be from 1 to 10,000,000 changes; got {options.PublishEvery.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (options.Feed is null)
        {
            failures.Add("ReadModel.Feed is required.");
        }
        else
        {
            try
            {
                // The follower validates its own options and names each setting.
                _ = new FunnelFeedFollower(NoFeed.Instance, TimeProvider.System, options.Feed);
            }
            catch (OptionsValidationException e)
            {
                failures.AddRange(e.Failures.Select(f => "ReadModel.Feed: " + f));
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Range(List<string> failures, string setting, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add($"ReadModel.{setting} must be from {min.ToString("c", CultureInfo.InvariantCulture)} to {max.ToString("c", CultureInfo.InvariantCulture)}; got {value.ToString("c", CultureInfo.InvariantCulture)}.");
        }
    }

    /// <summary>A feed never read: only there to let the follower check the options.</summary>
    private sealed class NoFeed : IFunnelChangeFeed
    {
        public static readonly NoFeed Instance = new();

        public ValueTask<long> ReadHeadAsync(PipelineId? pipelineId = null, CancellationToken cancellationToken = default) => ValueTask.FromResult(0L);

        public IAsyncEnumerable<FunnelChange> ReadChangesAsync(ChangeFeedQuery query, CancellationToken cancellationToken = default) => AsyncEnumerable.Empty<FunnelChange>();
    }
}
