using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Forecasting;
using FunnelMetrics.Import;
using FunnelMetrics.Metrics;
using FunnelMetrics.Serialization;
using FunnelMetrics.Tests.Support;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Metrics;

/// <summary>
/// Results are read-only classes: only the library builds them, so no caller can make one that breaks a documented
/// invariant, and a figure added later breaks no caller. They compare by value, lists element by element, and their
/// JSON reads back into an equal result.
/// </summary>
public sealed class ResultShapeTests
{
    /// <summary>What callers build: inputs and options, services, calculators and the log.</summary>
    private static readonly HashSet<Type> NotResults =
    [
        typeof(FunnelFilter), typeof(StallOptions), typeof(ConversionOptions), typeof(ParallelismOptions), typeof(ForecastOptions), typeof(ImportRecord), typeof(ImportOptions), typeof(ClientListQuery),
        typeof(FunnelEventLog), typeof(FunnelLogBuilder), typeof(FunnelLiveView), typeof(FunnelImporter),
    ];

    public static TheoryData<Type> Results()
    {
        var data = new TheoryData<Type>();
        foreach (var type in ResultTypes())
        {
            data.Add(type);
        }

        return data;
    }

    private static IEnumerable<Type> ResultTypes() =>
        typeof(StageCounts).Assembly.GetExportedTypes()
            .Where(t => t.Namespace is "FunnelMetrics.Metrics" or "FunnelMetrics.Forecasting" or "FunnelMetrics.Import")
            .Where(t => t.IsClass && !(t.IsAbstract && t.IsSealed) && !NotResults.Contains(t))
            .OrderBy(t => t.Name, StringComparer.Ordinal);

    [Fact]
    public void Results_AreTheMetricsForecastAndImportResults()
    {
        var names = ResultTypes().Select(t => t.Name).ToHashSet();

        // A sample of each family, so a filter that finds nothing cannot pass the shape test below vacuously.
        Assert.Superset(new HashSet<string> { "StageCounts", "StageCount", "StageFlow", "StageTime", "StageConversion", "Forecast", "ForecastLimitation", "Backtest", "ImportResult", "ImportProblem", "Breakdown`1" }, names);
        Assert.True(names.Count >= 40, string.Join(", ", names));
    }

    [Theory]
    [MemberData(nameof(Results))]
    public void Result_IsASealedReadOnlyClass_WithValueEquality(Type type)
    {
        Assert.True(type.IsSealed, $"{type} is not sealed");
        Assert.Null(type.GetMethod("<Clone>$")); // not a record: no 'with'
        Assert.Empty(type.GetConstructors()); // built by the library only
        Assert.DoesNotContain(type.GetMethods(), m => m.Name == "Deconstruct");
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            Assert.True(property.SetMethod is null, $"{type.Name}.{property.Name} can be set");
            var shape = property.PropertyType;
            Assert.False(shape.IsArray || (shape.IsGenericType && shape.GetGenericTypeDefinition() == typeof(List<>)), $"{type.Name}.{property.Name} is a mutable collection");
        }

        var self = type.IsGenericTypeDefinition ? type.MakeGenericType(typeof(int)) : type;
        Assert.Contains(typeof(IEquatable<>).MakeGenericType(self), self.GetInterfaces());
        Assert.Equal(self, self.GetMethod(nameof(Equals), [typeof(object)])!.DeclaringType);
        Assert.Equal(self, self.GetMethod(nameof(GetHashCode), Type.EmptyTypes)!.DeclaringType);
    }

    [Fact]
    public void Equality_ComparesNestedListsElementByElement()
    {
        var a = new StageCounts(SalesId, T0, [new StageCount(Meeting, 2), new StageCount(Contract, 1)], 2, 1, 0, 3, [new OwnerStageCounts(Anna, [new StageCount(Meeting, 2)], 2, 0, 0)]);
        var same = new StageCounts(SalesId, T0, [new StageCount(Meeting, 2), new StageCount(Contract, 1)], 2, 1, 0, 3, [new OwnerStageCounts(Anna, [new StageCount(Meeting, 2)], 2, 0, 0)]);
        var otherOwnerRow = new StageCounts(SalesId, T0, [new StageCount(Meeting, 2), new StageCount(Contract, 1)], 2, 1, 0, 3, [new OwnerStageCounts(Anna, [new StageCount(Meeting, 1)], 2, 0, 0)]);
        var otherOrder = new StageCounts(SalesId, T0, [new StageCount(Contract, 1), new StageCount(Meeting, 2)], 2, 1, 0, 3, [new OwnerStageCounts(Anna, [new StageCount(Meeting, 2)], 2, 0, 0)]);

        Assert.Equal(a, same);
        Assert.Equal(a.GetHashCode(), same.GetHashCode());
        Assert.True(a.Equals((object)same));
        Assert.NotEqual(a, otherOwnerRow);
        Assert.NotEqual(a, otherOrder);
        Assert.False(a.Equals(null));
        Assert.NotEqual(new Breakdown<StageCounts>("anna", a), new Breakdown<StageCounts>("anna", otherOwnerRow));
        Assert.Equal(new Breakdown<StageCounts>("anna", a), new Breakdown<StageCounts>("anna", same));
    }

    [Property(MaxTest = 40)]
    public Property EveryResult_EqualsItsRecomputation_AndReadsBackFromItsJsonEqual() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            var log = h.Log();
            var from = h.AsOf.AddDays(-30);
            var json = FunnelMetricsJsonContext.Default;
            var day = DateOnly.FromDateTime(h.AsOf.UtcDateTime);
            var settings = new ForecastOptions { MinimumDepartures = 1 + (h.Seed % 4) };

            Check(() => StageCountsCalculator.Compute(log, h.AsOf), json.StageCounts);
            Check(() => PipelineValueCalculator.Compute(log, h.AsOf, chainWinProbabilities: ForecastCalculator.WinProbabilities(log, h.AsOf, settings)), json.PipelineValue);
            Check(() => FlowLedgerCalculator.Compute(log, day.AddDays(-3), day, "Europe/Sofia"), json.FlowLedger);
            Check(() => TimeInStageCalculator.Compute(log, TimeWindow.Until(h.AsOf)), json.TimeInStage);
            Check(() => ConversionCalculator.Compute(log, new TimeWindow(from, h.AsOf)), json.Conversion);
            Check(() => VelocityCalculator.Compute(log, new TimeWindow(from, h.AsOf.AddTicks(1))), json.Velocity);
            Check(() => StallCalculator.Compute(log, h.AsOf), json.StalledClients);
            Check(() => StuckStagesCalculator.Compute(log, TimeWindow.Ending(h.AsOf, TimeSpan.FromDays(7))), json.StuckStages);
            Check(() => ForecastCalculator.Compute(log, h.AsOf, settings, h.AsOf.AddDays(30), 3), json.Forecast);
            Check(() => ForecastCalculator.Backtest(log, new TimeWindow(from, h.AsOf.AddTicks(1)), TimeSpan.FromDays(10), TimeSpan.FromDays(7), settings), json.Backtest);
            Check(() => FunnelBreakdowns.ByOwner(log, f => StageCountsCalculator.Compute(log, h.AsOf, f)), json.IReadOnlyListBreakdownStageCounts);

            // A different instant is a different result.
            Assert.NotEqual(StageCountsCalculator.Compute(log, h.AsOf), StageCountsCalculator.Compute(log, h.AsOf.AddTicks(1)));
        });

    private static void Check<T>(Func<T> compute, JsonTypeInfo<T> info)
        where T : class
    {
        var (first, second) = (compute(), compute());
        Assert.NotSame(first, second);
        Assert.Equal(first, second);
        if (first is IEquatable<T>)
        {
            Assert.Equal(first.GetHashCode(), second.GetHashCode());
        }

        var text = JsonSerializer.Serialize(first, info);
        var back = JsonSerializer.Deserialize(text, info)!;
        Assert.Equal(first, back);
        Assert.Equal(text, JsonSerializer.Serialize(back, info));
    }
}
