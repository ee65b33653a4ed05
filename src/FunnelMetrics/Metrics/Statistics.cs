namespace FunnelMetrics.Metrics;

/// <summary>Order statistics shared by the calculators.</summary>
internal static class Statistics
{
    /// <summary><paramref name="part"/> / <paramref name="whole"/>, or <see langword="null"/> for an empty whole: never NaN.</summary>
    public static double? Share(int part, int whole) => whole == 0 ? null : (double)part / whole;

    /// <summary><c>part / whole</c> of two sums of values, or <see langword="null"/> when the whole is 0.</summary>
    public static double? Share(decimal part, decimal whole) => whole == 0m ? null : (double)(part / whole);

    /// <summary>The nearest-rank percentile of sorted values: the smallest value with at least <paramref name="p"/> of them at or below it.</summary>
    public static long NearestRank(ReadOnlySpan<long> sorted, double p)
    {
        var rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    public static DurationStats Durations(List<long> ticks) => Durations(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ticks));

    /// <summary>
    /// Count, total, mean and the nearest-rank median, p75 and p90 of durations in ticks. Reorders the span: the three
    /// order statistics are selected in place (linear time), not by a full sort.
    /// </summary>
    public static DurationStats Durations(Span<long> span)
    {
        if (span.Length == 0)
        {
            return DurationStats.Empty;
        }

        // Millions of visits of weeks each exceed TimeSpan's range (about 29,000 years): sum in 128 bits.
        Int128 total = 0;
        foreach (var t in span)
        {
            total += t;
        }

        // Ascending ranks: each selection leaves the larger values to its right, where the next one looks.
        int r50 = Rank(0.5, span.Length) - 1, r75 = Rank(0.75, span.Length) - 1, r90 = Rank(0.9, span.Length) - 1;
        var median = Select(span, r50);
        var p75 = r75 == r50 ? median : Select(span[(r50 + 1)..], r75 - r50 - 1);
        var p90 = r90 == r75 ? p75 : Select(span[(r75 + 1)..], r90 - r75 - 1);
        return new DurationStats(
            span.Length,
            (double)total / TimeSpan.TicksPerDay,
            TimeSpan.FromTicks((long)(total / span.Length)),
            TimeSpan.FromTicks(median),
            TimeSpan.FromTicks(p75),
            TimeSpan.FromTicks(p90));
    }

    /// <summary>
    /// Sorts non-negative values ascending: an LSD radix sort, 11 bits a pass, skipping the passes in which every value
    /// has the same digit (so durations of up to a year take at most five). Small spans use the comparison sort.
    /// </summary>
    public static void SortNonNegative(Span<long> values)
    {
        const int Bits = 11, Buckets = 1 << Bits, Mask = Buckets - 1;
        if (values.Length < 4096)
        {
            values.Sort();
            return;
        }

        long max = 0;
        foreach (var v in values)
        {
            max |= v;
        }

        if (max < 0)
        {
            values.Sort(); // A negative value: the unsigned digits would misplace it.
            return;
        }

        var scratch = System.Buffers.ArrayPool<long>.Shared.Rent(values.Length);
        var counts = new int[Buckets];
        try
        {
            Span<long> from = values, to = scratch.AsSpan(0, values.Length);
            for (var shift = 0; shift < 64 && (max >> shift) != 0; shift += Bits)
            {
                Array.Clear(counts);
                foreach (var v in from)
                {
                    counts[(int)(v >> shift) & Mask]++;
                }

                if (counts[(int)(from[0] >> shift) & Mask] == from.Length)
                {
                    continue; // Every value has this digit: the pass would change nothing.
                }

                var offset = 0;
                for (var b = 0; b < Buckets; b++)
                {
                    (counts[b], offset) = (offset, offset + counts[b]);
                }

                foreach (var v in from)
                {
                    to[counts[(int)(v >> shift) & Mask]++] = v;
                }

                var swap = from;
                from = to;
                to = swap;
            }

            if (from != values)
            {
                from.CopyTo(values);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<long>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// The value that would be at <paramref name="k"/> (0-based) were <paramref name="values"/> sorted ascending;
    /// reorders them so that everything left of k is at most it and everything right at least it (quickselect with a
    /// median-of-three pivot; linear on average).
    /// </summary>
    public static long Select(Span<long> values, int k)
    {
        int lo = 0, hi = values.Length - 1;
        while (hi > lo)
        {
            if (hi - lo < 16)
            {
                values[lo..(hi + 1)].Sort();
                return values[k];
            }

            var mid = lo + ((hi - lo) / 2);
            if (values[mid] < values[lo])
            {
                (values[mid], values[lo]) = (values[lo], values[mid]);
            }

            if (values[hi] < values[lo])
            {
                (values[hi], values[lo]) = (values[lo], values[hi]);
            }

            if (values[hi] < values[mid])
            {
                (values[hi], values[mid]) = (values[mid], values[hi]);
            }

            var pivot = values[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot)
                {
                    i++;
                }

                while (values[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }

            // Now [lo, j] <= pivot <= [i, hi], and anything strictly between j and i equals the pivot.
            if (k <= j)
            {
                hi = j;
            }
            else if (k >= i)
            {
                lo = i;
            }
            else
            {
                return values[k];
            }
        }

        return values[k];
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
