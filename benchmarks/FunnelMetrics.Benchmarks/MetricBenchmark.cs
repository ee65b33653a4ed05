using BenchmarkDotNet.Attributes;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Benchmarks;

/// <summary>
/// The base of the benchmarks on the generated histories: the size as a parameter (<see cref="BenchmarkData.Sizes"/>),
/// and the history, its log and (for the classes with a DuckDB benchmark) its DuckDB database from
/// <see cref="BenchmarkData"/>, loaded in the set-up so only the computation is timed.
/// </summary>
[MemoryDiagnoser]
public abstract class MetricBenchmark
{
    [ParamsSource(nameof(Sizes))]
    public int Transitions { get; set; }

    public static IEnumerable<int> Sizes => BenchmarkData.Sizes;

    protected Client[] Clients { get; private set; } = [];

    protected ClientEvent[] Events { get; private set; } = [];

    private DuckDbBaseline? _duckDb;

    /// <summary>
    /// The history in DuckDB: loaded in the set-up for the classes that say <see cref="UsesDuckDb"/>, else on first use
    /// (in BenchmarkDotNet's jitting invocation, which the default throughput strategy does not measure; a cold-start job such as <c>Dry</c> times it), so a process that times only the library never
    /// loads it. Only the queries are timed.
    /// </summary>
    protected DuckDbBaseline DuckDb => _duckDb ??= BenchmarkData.DuckDb(Transitions);

    protected FunnelEventLog Log { get; private set; } = null!;

    protected static PipelineDefinition Pipeline => HistoryGenerator.Pipeline;

    protected static DateTimeOffset AsOf => BenchmarkData.AsOf;

    [GlobalSetup]
    public void Setup()
    {
        (Clients, Events, Log) = BenchmarkData.Get(Transitions);
        if (UsesDuckDb)
        {
            _duckDb = BenchmarkData.DuckDb(Transitions);
        }
    }

    /// <summary>Whether the class has a DuckDB benchmark, so the set-up loads the database.</summary>
    protected virtual bool UsesDuckDb => false;
}
