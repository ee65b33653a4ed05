namespace FunnelMetrics.Metrics;

/// <summary>Order statistics shared by the calculators.</summary>
internal static class Statistics
{
    /// <summary><paramref name="part"/> / <paramref name="whole"/>, or <see langword="null"/> for an empty whole: never NaN.</summary>
    public static double? Share(int part, int whole) => whole == 0 ? null : (double)part / whole;

    /// <summary>The nearest-rank percentile of sorted values: the smallest value with at least <paramref name="p"/> of them at or below it.</summary>
    public static long NearestRank(ReadOnlySpan<long> sorted, double p)
    {
        var rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    public static DurationStats Durations(List<long> ticks) => Durations(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ticks));

    /// <summary>The same, over a span sorted in place.</summary>
    public static DurationStats Durations(Span<long> span)
    {
        if (span.Length == 0)
        {
            return DurationStats.Empty;
        }

        span.Sort();

        // Millions of visits of weeks each exceed TimeSpan's range (about 29,000 years): sum in 128 bits.
        Int128 total = 0;
        foreach (var t in span)
        {
            total += t;
        }

        return new DurationStats(
            span.Length,
            (double)total / TimeSpan.TicksPerDay,
            TimeSpan.FromTicks((long)(total / span.Length)),
            TimeSpan.FromTicks(NearestRank(span, 0.5)),
            TimeSpan.FromTicks(NearestRank(span, 0.75)),
            TimeSpan.FromTicks(NearestRank(span, 0.9)));
    }

    /// <summary>
    /// Encodes an observation as one sortable number: the duration in ticks shifted left, the low bit 1 for a visit still
    /// running. Sorting the keys orders by duration with completions before censorings at equal durations, as
    /// Kaplan–Meier needs, using the primitive sort and no tuples.
    /// </summary>
    public static long Key(long ticks, bool completed) => (ticks << 1) | (completed ? 0L : 1L);

    /// <summary>The summary of the completed observations among sorted keys (<see cref="Key"/>), in one pass.</summary>
    public static DurationStats Completed(ReadOnlySpan<long> sortedKeys, int completed)
    {
        if (completed == 0)
        {
            return DurationStats.Empty;
        }

        int rank50 = Rank(0.5, completed), rank75 = Rank(0.75, completed), rank90 = Rank(0.9, completed);
        long median = 0, p75 = 0, p90 = 0;
        Int128 total = 0;
        var seen = 0;
        foreach (var key in sortedKeys)
        {
            if ((key & 1) != 0)
            {
                continue;
            }

            var ticks = key >> 1;
            total += ticks;
            seen++;
            median = seen == rank50 ? ticks : median;
            p75 = seen == rank75 ? ticks : p75;
            p90 = seen == rank90 ? ticks : p90;
        }

        return new DurationStats(completed, (double)total / TimeSpan.TicksPerDay, TimeSpan.FromTicks((long)(total / completed)), TimeSpan.FromTicks(median), TimeSpan.FromTicks(p75), TimeSpan.FromTicks(p90));
    }

    /// <summary>
    /// Kaplan–Meier quantiles over sorted keys (<see cref="Key"/>): the smallest observed duration t at which the
    /// estimated share still running, S(t), is at most 1 - p. When S never falls that low, the quantile is only known to
    /// exceed the longest observation.
    /// </summary>
    public static DurationEstimate[] KaplanMeier(ReadOnlySpan<long> sortedKeys, params ReadOnlySpan<double> quantiles)
    {
        var results = new DurationEstimate[quantiles.Length];
        if (sortedKeys.IsEmpty)
        {
            Array.Fill(results, DurationEstimate.None);
            return results;
        }

        var atRisk = sortedKeys.Length;
        var survival = 1.0;
        var found = new bool[quantiles.Length];
        var i = 0;
        while (i < sortedKeys.Length)
        {
            var t = sortedKeys[i] >> 1;
            int completed = 0, leaving = 0;
            while (i < sortedKeys.Length && sortedKeys[i] >> 1 == t)
            {
                completed += (sortedKeys[i] & 1) == 0 ? 1 : 0;
                leaving++;
                i++;
            }

            if (completed > 0)
            {
                survival *= 1.0 - ((double)completed / atRisk);
                for (var q = 0; q < quantiles.Length; q++)
                {
                    // A small tolerance so that, without censoring, S lands exactly on the plain nearest-rank quantile.
                    if (!found[q] && survival <= 1.0 - quantiles[q] + 1e-12)
                    {
                        found[q] = true;
                        results[q] = new DurationEstimate(TimeSpan.FromTicks(t), null);
                    }
                }
            }

            atRisk -= leaving;
        }

        var longest = TimeSpan.FromTicks(sortedKeys[^1] >> 1);
        for (var q = 0; q < quantiles.Length; q++)
        {
            if (!found[q])
            {
                results[q] = new DurationEstimate(null, longest);
            }
        }

        return results;
    }

    private static int Rank(double p, int count) => Math.Clamp((int)Math.Ceiling(p * count), 1, count);
}
