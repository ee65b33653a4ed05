using System.ComponentModel.DataAnnotations;

namespace FunnelMetrics.Metrics;

/// <summary>
/// How many threads a calculator may fold a log's clients on: the <c>Parallelism</c> section of the options graph
/// (<c>FunnelMetrics:Parallelism</c> in configuration), taken as is by <see cref="StageCountsCalculator"/>,
/// <see cref="FlowLedgerCalculator"/>, <see cref="TimeInStageCalculator"/>, <see cref="ConversionCalculator"/> and
/// <see cref="StallCalculator"/>. The clients are split into contiguous ranges, each folded on its own thread, and the
/// partial results merged in range order: the results are identical to the sequential fold's whatever the degree. A log
/// of fewer than <c>2 x 4,096</c> clients is folded on the calling thread. Validated when the host starts and by each
/// calculator it is given to; an invalid value throws naming the setting, <c>Parallelism.MaxDegreeOfParallelism</c>.
/// </summary>
public sealed class ParallelismOptions
{
    /// <summary>The most <see cref="MaxDegreeOfParallelism"/> may be: 1,024.</summary>
    public const int MaxDegree = 1024;

    /// <summary>The fewest clients a partition is given: a log of fewer than twice this is folded in one piece.</summary>
    internal const int DefaultMinimumClientsPerPartition = 4096;

    /// <summary>The default of <see cref="MaxDegreeOfParallelism"/>: the number of processors (<see cref="Environment.ProcessorCount"/>).</summary>
    public static int DefaultMaxDegreeOfParallelism => Environment.ProcessorCount;

    /// <summary>
    /// The most partitions (and so threads) one calculation folds the clients in, from 1 (sequential, on the calling
    /// thread) to <see cref="MaxDegree"/>, both inclusive. Fewer are used when the log is small: each partition holds at
    /// least 4,096 clients.
    /// </summary>
    /// <value>Default: <see cref="DefaultMaxDegreeOfParallelism"/> (the number of processors).</value>
    [Range(1, MaxDegree)]
    public int MaxDegreeOfParallelism { get; set; } = DefaultMaxDegreeOfParallelism;

    /// <summary>The fewest clients a partition is given (tests lower it to split small logs).</summary>
    internal int MinimumClientsPerPartition { get; init; } = DefaultMinimumClientsPerPartition;

    /// <summary>The options with every default, used when a calculator is given none; never changed.</summary>
    internal static ParallelismOptions Defaults { get; } = new();

    /// <summary>One partition: the sequential fold, for internal callers that do not split.</summary>
    internal static ParallelismOptions Sequential { get; } = new() { MaxDegreeOfParallelism = 1 };

    /// <summary>The options to compute with: the defaults for <see langword="null"/>, else <paramref name="options"/> once validated.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the setting.</exception>
    internal static ParallelismOptions Check(ParallelismOptions? options, string paramName)
    {
        if (options is null)
        {
            return Defaults;
        }

        OptionsCheck.ThrowIfInvalidArgument(ParallelismOptionsValidator.Instance, "Parallelism", options, paramName);
        return options;
    }
}
