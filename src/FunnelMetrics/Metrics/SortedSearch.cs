using System.Runtime.CompilerServices;

namespace FunnelMetrics.Metrics;

/// <summary>The binary searches over ascending instants and durations (duplicates allowed) that the log and the forecast share.</summary>
internal static class SortedSearch
{
    /// <summary>The first index whose value is at least <paramref name="value"/>: how many values are below it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LowerBound(ReadOnlySpan<long> sorted, long value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>The first index whose value is above <paramref name="value"/>: how many values are at or below it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int UpperBound(ReadOnlySpan<long> sorted, long value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
