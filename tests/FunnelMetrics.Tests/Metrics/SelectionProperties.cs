using FsCheck;
using FsCheck.Fluent;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Tests.Metrics;

public sealed class SelectionProperties
{
    /// <summary>Law: selecting the k-th smallest value in place gives what a full sort puts at k, for any values and k, duplicates included.</summary>
    [FsCheck.Xunit.Property(MaxTest = 300)]
    public Property Select_IsTheSortedValueAtK(NonEmptyArray<short> raw, NonNegativeInt k)
    {
        // Shorts widened to longs: many duplicates, and negative values, which durations never have but selection must not care.
        var values = raw.Get.Select(v => (long)v).ToArray();
        var index = k.Get % values.Length;
        var sorted = values.Order().ToArray();

        var selected = Statistics.Select(values, index);

        return (selected == sorted[index]
                && values.Take(index).All(v => v <= selected)
                && values.Skip(index + 1).All(v => v >= selected)
                && values.Order().SequenceEqual(sorted))
            .Label($"k={index}: got {selected}, sorted has {sorted[index]}");
    }

    /// <summary>Law: the duration statistics by selection equal the nearest-rank percentiles of the sorted durations.</summary>
    [FsCheck.Xunit.Property(MaxTest = 300)]
    public Property Durations_EqualNearestRankOfTheSortedValues(NonEmptyArray<PositiveInt> raw)
    {
        var ticks = raw.Get.Select(v => (long)(v.Get % 5000)).ToArray();
        var sorted = ticks.Order().ToArray();

        var stats = Statistics.Durations(ticks.AsSpan());

        return (stats.Count == sorted.Length
                && stats.Median == TimeSpan.FromTicks(Statistics.NearestRank(sorted, 0.5))
                && stats.P75 == TimeSpan.FromTicks(Statistics.NearestRank(sorted, 0.75))
                && stats.P90 == TimeSpan.FromTicks(Statistics.NearestRank(sorted, 0.9))
                && stats.Mean == TimeSpan.FromTicks(sorted.Sum() / sorted.Length))
            .Label($"{stats} for {string.Join(",", sorted.Take(20))}");
    }

    /// <summary>Law: the radix sort sorts, whatever the spread of the values (a few bits, many, all digits equal in some passes).</summary>
    [FsCheck.Xunit.Property(MaxTest = 60)]
    public Property SortNonNegative_EqualsAComparisonSort(int seed, PositiveInt size, byte bits, bool withNegative)
    {
        var random = new Random(seed);
        var length = 4096 + (size.Get % 20_000);
        var width = 1 + (bits % 62);
        var values = Enumerable.Range(0, length).Select(_ => random.NextInt64(0, 1L << width) << (bits % 3)).ToArray();
        if (withNegative)
        {
            values[random.Next(length)] = -random.NextInt64(1, 1000);
        }

        var expected = values.Order().ToArray();

        Statistics.SortNonNegative(values);

        return values.SequenceEqual(expected).Label($"length {length}, width {width}");
    }
}
