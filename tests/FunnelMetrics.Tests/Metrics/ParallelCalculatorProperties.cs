using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Analytics;
using FunnelMetrics.Metrics;
using FunnelMetrics.Serialization;
using FunnelMetrics.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FunnelMetrics.Tests.Metrics;

/// <summary>
/// The parallel calculators (<see cref="ParallelismOptions"/>): folding the clients in contiguous ranges on several
/// threads and merging the parts gives exactly the sequential fold's result, whatever the degree. The generated
/// histories are small, so the properties lower the partition size to one client: every degree from 1 to 5 really
/// splits them (the benchmark agreement tests check the same at 100k and 1M transitions with the real size).
/// </summary>
public sealed class ParallelCalculatorProperties
{
    private static readonly ParallelismOptions Sequential = Degree(1);

    /// <summary>Statistical thresholds reachable on small histories, so the stall calculator's visit sample is split too.</summary>
    private static readonly StallOptions LearnedStalls = new() { DefaultThreshold = TimeSpan.FromHours(20), MinimumVisits = 2, Percentile = 60 };

    private static readonly Gen<int> Degrees = Gen.Choose(1, 5);

    private static ParallelismOptions Degree(int degree) => new() { MaxDegreeOfParallelism = degree, MinimumClientsPerPartition = 1 };

    /// <summary>All clients, or only the first client's owner (owner masks apply inside each partition).</summary>
    private static FunnelFilter? FilterOf(RecordedHistory h, bool filtered) =>
        filtered && h.Clients.Count > 0 ? new FunnelFilter { Owners = [h.Clients[0].Owner] } : null;

    /// <summary>Equal as values and as JSON: the same figures, the same order, the same doubles to the bit.</summary>
    private static void AssertIdentical<T>(T expected, T actual, JsonTypeInfo<T> json)
    {
        Assert.Equal(expected, actual);
        Assert.Equal(JsonSerializer.Serialize(expected, json), JsonSerializer.Serialize(actual, json));
    }

    [Property(MaxTest = 150)]
    public Property StageCounts_OnAnyDegree_EqualTheSequentialFold() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Degrees), Arb.From(Gen.Elements(false, true)), (h, degree, filtered) =>
        {
            var log = h.Log();
            var filter = FilterOf(h, filtered);
            AssertIdentical(
                StageCountsCalculator.Compute(log, h.AsOf, filter, Sequential),
                StageCountsCalculator.Compute(log, h.AsOf, filter, Degree(degree)),
                FunnelMetricsJsonContext.Default.StageCounts);
        });

    [Property(MaxTest = 150)]
    public Property PipelineValue_OnAnyDegree_EqualsTheSequentialFold() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Degrees), Arb.From(Gen.Elements(false, true)), (h, degree, filtered) =>
        {
            var log = FunnelEventLog.Build(h.Pipeline, h.Clients, WithUpdates.Insert(h, ClientUpdateProperties.Changing));
            var filter = FilterOf(h, filtered);
            var chain = FunnelMetrics.Forecasting.ForecastCalculator.WinProbabilities(log, h.AsOf, filter: filter);
            AssertIdentical(
                PipelineValueCalculator.Compute(log, h.AsOf, filter, chain, Sequential),
                PipelineValueCalculator.Compute(log, h.AsOf, filter, chain, Degree(degree)),
                FunnelMetricsJsonContext.Default.PipelineValue);
        });

    [Property(MaxTest = 150)]
    public Property FlowLedger_OnAnyDegree_EqualsTheSequentialFold() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Degrees), Arb.From(Gen.Elements(false, true)), (h, degree, filtered) =>
        {
            var log = h.Log();
            var filter = FilterOf(h, filtered);
            var (first, last) = (DateOnly.FromDateTime(FunnelMetrics.Testing.Seed.T0.UtcDateTime).AddDays(1), DateOnly.FromDateTime(h.LastEventAt.UtcDateTime).AddDays(1));
            last = last < first ? first : last;
            AssertIdentical(
                FlowLedgerCalculator.Compute(log, first, last, "Europe/Sofia", filter, Sequential),
                FlowLedgerCalculator.Compute(log, first, last, "Europe/Sofia", filter, Degree(degree)),
                FunnelMetricsJsonContext.Default.FlowLedger);
        });

    [Property(MaxTest = 150)]
    public Property TimeInStage_OnAnyDegree_EqualsTheSequentialFold() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Degrees), Arb.From(Gen.Elements(false, true)), (h, degree, filtered) =>
        {
            var log = h.Log();
            var filter = FilterOf(h, filtered);
            foreach (var window in (TimeWindow[])[TimeWindow.Until(h.AsOf), new TimeWindow(h.AsOf.AddHours(-30), h.AsOf.AddHours(1))])
            {
                AssertIdentical(
                    TimeInStageCalculator.Compute(log, window, filter, Sequential),
                    TimeInStageCalculator.Compute(log, window, filter, Degree(degree)),
                    FunnelMetricsJsonContext.Default.TimeInStage);
            }
        });

    [Property(MaxTest = 150)]
    public Property Conversion_OnAnyDegree_EqualsTheSequentialFold() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Degrees), Arb.From(Gen.Elements(false, true)), (h, degree, filtered) =>
        {
            // Value updates inserted, so the value sums of the partitions differ from the clients' records.
            var log = FunnelEventLog.Build(h.Pipeline, h.Clients, WithUpdates.Insert(h, ClientUpdateProperties.Changing));
            var filter = FilterOf(h, filtered);
            var cohorts = new TimeWindow(FunnelMetrics.Testing.Seed.T0.AddHours(-1), h.AsOf.AddMinutes(1));
            foreach (var (window, options) in ((TimeSpan?, ConversionOptions?)[])[(null, null), (TimeSpan.FromHours(10), new ConversionOptions { SkippedStagesCountAsPassed = false })])
            {
                AssertIdentical(
                    ConversionCalculator.Compute(log, cohorts, h.LastEventAt.AddDays(1) > cohorts.End ? h.LastEventAt.AddDays(1) : cohorts.End, window, options, filter, Sequential),
                    ConversionCalculator.Compute(log, cohorts, h.LastEventAt.AddDays(1) > cohorts.End ? h.LastEventAt.AddDays(1) : cohorts.End, window, options, filter, Degree(degree)),
                    FunnelMetricsJsonContext.Default.Conversion);
            }
        });

    [Property(MaxTest = 150)]
    public Property StalledClients_OnAnyDegree_EqualTheSequentialFold() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Degrees), Arb.From(Gen.Elements(StallClock.TimeInStage, StallClock.LastTouch)), (h, degree, clock) =>
        {
            // Learned (statistical) thresholds: the visit sample behind them is folded in partitions too.
            var log = h.Log();
            var options = new StallOptions { Clock = clock, DefaultThreshold = LearnedStalls.DefaultThreshold, MinimumVisits = LearnedStalls.MinimumVisits, Percentile = LearnedStalls.Percentile };
            foreach (var filter in (FunnelFilter?[])[null, FilterOf(h, true)])
            {
                AssertIdentical(
                    StallCalculator.Compute(log, h.AsOf, options, filter, Sequential),
                    StallCalculator.Compute(log, h.AsOf, options, filter, Degree(degree)),
                    FunnelMetricsJsonContext.Default.StalledClients);
            }
        });

    [Property(MaxTest = 100)]
    public Property StuckStages_OnAnyDegree_EqualTheSequentialRanking() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Degrees), (h, degree) =>
        {
            // The current and the previous window are read at once.
            var log = h.Log();
            var window = TimeWindow.Ending(h.AsOf, TimeSpan.FromDays(2));
            foreach (var filter in (FunnelFilter?[])[null, FilterOf(h, true)])
            {
                AssertIdentical(
                    StuckStagesCalculator.Compute(log, window, LearnedStalls, null, filter, Sequential),
                    StuckStagesCalculator.Compute(log, window, LearnedStalls, null, filter, Degree(degree)),
                    FunnelMetricsJsonContext.Default.StuckStages);
            }
        });

    [Property(MaxTest = 60)]
    public Property TheDashboard_OnAnyDegree_EqualsTheSequentialOne() =>
        Prop.ForAll(RecordedHistory.Arb(), Arb.From(Gen.Choose(2, 5)), (h, degree) =>
        {
            // On more than one thread the month's group (flow, forecast, money per stage) runs beside the other parts.
            var log = h.Log();
            foreach (var filter in (FunnelFilter?[])[null, FilterOf(h, true)])
            {
                var request = new DashboardRequest { Filter = filter };
                Assert.Equal(
                    JsonSerializer.Serialize(FunnelDashboard.Compute(log, h.AsOf, request, new FunnelMetricsOptions { Stalls = LearnedStalls, Parallelism = Sequential }), FunnelMetricsJsonContext.Default.FunnelDashboard),
                    JsonSerializer.Serialize(FunnelDashboard.Compute(log, h.AsOf, request, new FunnelMetricsOptions { Stalls = LearnedStalls, Parallelism = Degree(degree) }), FunnelMetricsJsonContext.Default.FunnelDashboard));
            }
        });

    [Fact]
    public void Partitions_AreContiguousRangesOfAtLeastTheMinimum_AndASmallLogIsOne()
    {
        var defaults = new ParallelismOptions { MaxDegreeOfParallelism = 4 };

        Assert.Equal(1, ClientPartitions.CountFor(0, defaults));
        Assert.Equal(1, ClientPartitions.CountFor((2 * ParallelismOptions.DefaultMinimumClientsPerPartition) - 1, defaults));
        Assert.Equal(2, ClientPartitions.CountFor(2 * ParallelismOptions.DefaultMinimumClientsPerPartition, defaults));
        Assert.Equal(4, ClientPartitions.CountFor(1_000_000, defaults));
        Assert.Equal(3, ClientPartitions.CountFor(1_000_000, defaults, maxParts: 3));
        Assert.Equal(1, ClientPartitions.CountFor(1_000_000, new ParallelismOptions { MaxDegreeOfParallelism = 1 }));
        foreach (var (clients, parts) in ((int, int)[])[(10, 3), (1_000_003, 4), (7, 7)])
        {
            var ranges = Enumerable.Range(0, parts).Select(p => ClientPartitions.Range(clients, parts, p)).ToList();
            Assert.Equal(0, ranges[0].From);
            Assert.Equal(clients, ranges[^1].To);
            Assert.All(ranges.Zip(ranges.Skip(1)), pair => Assert.Equal(pair.First.To, pair.Second.From));
            Assert.True(ranges.Max(r => r.To - r.From) - ranges.Min(r => r.To - r.From) <= 1);
        }
    }

    [Fact]
    public void Fold_ReturnsThePartsInRangeOrder_AndRethrowsAFoldsExceptionAsIs()
    {
        var parts = ClientPartitions.Fold(100, Degree(5), (from, to) => (from, to));

        Assert.Equal([(0, 20), (20, 40), (40, 60), (60, 80), (80, 100)], parts);
        var thrown = Assert.Throws<InvalidOperationException>(() => ClientPartitions.Fold<int>(100, Degree(3), (from, _) => from == 0 ? 0 : throw new InvalidOperationException("part")));
        Assert.Equal("part", thrown.Message);
    }

    [Fact]
    public void TheDefaultDegree_IsTheProcessorCount_InTheOptionsGraphToo()
    {
        Assert.Equal(Environment.ProcessorCount, ParallelismOptions.DefaultMaxDegreeOfParallelism);
        Assert.Equal(Environment.ProcessorCount, new ParallelismOptions().MaxDegreeOfParallelism);
        Assert.Equal(Environment.ProcessorCount, new FunnelMetricsOptions().Parallelism.MaxDegreeOfParallelism);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(ParallelismOptions.MaxDegree + 1)]
    public void ADegreeOutOfRange_GivenToACalculator_ThrowsNamingTheSetting(int degree)
    {
        var log = FunnelEventLog.Build(FunnelMetrics.Testing.Seed.Pipeline, [], []);
        var bad = new ParallelismOptions { MaxDegreeOfParallelism = degree };

        foreach (var call in (Action[])[
            () => StageCountsCalculator.Compute(log, FunnelMetrics.Testing.Seed.T0, parallelism: bad),
            () => FlowLedgerCalculator.Compute(log, new DateOnly(2025, 1, 1), new DateOnly(2025, 1, 2), "UTC", parallelism: bad),
            () => TimeInStageCalculator.Compute(log, TimeWindow.Until(FunnelMetrics.Testing.Seed.T0), parallelism: bad),
            () => ConversionCalculator.Compute(log, TimeWindow.Ending(FunnelMetrics.Testing.Seed.T0, TimeSpan.FromDays(1)), parallelism: bad),
            () => StallCalculator.Compute(log, FunnelMetrics.Testing.Seed.T0, parallelism: bad),
            () => StuckStagesCalculator.Compute(log, TimeWindow.Ending(FunnelMetrics.Testing.Seed.T0, TimeSpan.FromDays(1)), parallelism: bad)])
        {
            var ex = Assert.Throws<ArgumentException>(call);
            Assert.Equal("parallelism", ex.ParamName);
            Assert.Contains("Parallelism.MaxDegreeOfParallelism", ex.Message, StringComparison.Ordinal);
        }

        Assert.NotNull(StageCountsCalculator.Compute(log, FunnelMetrics.Testing.Seed.T0, parallelism: new ParallelismOptions { MaxDegreeOfParallelism = ParallelismOptions.MaxDegree }));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1025")]
    public void ADegreeOutOfRange_InConfiguration_FailsValidationNamingTheSetting(string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["FunnelMetrics:Parallelism:MaxDegreeOfParallelism"] = value }).Build();
        using var provider = new ServiceCollection().AddFunnelMetrics(configuration.GetSection("FunnelMetrics")).Services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<FunnelMetricsOptions>>().Value);

        Assert.Contains("Parallelism.MaxDegreeOfParallelism", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADegreeInConfiguration_IsBound()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["FunnelMetrics:Parallelism:MaxDegreeOfParallelism"] = "3" }).Build();
        using var provider = new ServiceCollection().AddFunnelMetrics(configuration.GetSection("FunnelMetrics")).Services.BuildServiceProvider();

        Assert.Equal(3, provider.GetRequiredService<IOptions<FunnelMetricsOptions>>().Value.Parallelism.MaxDegreeOfParallelism);
    }
}
