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

    public static DurationStats Durations(List<long> ticks)
    {
        if (ticks.Count == 0)
        {
            return DurationStats.Empty;
        }

        ticks.Sort();
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ticks);

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
    /// Kaplan–Meier quantiles of durations where some observations are censored (still running): the smallest observed
    /// duration t at which the estimated share still running, S(t), is at most 1 - p. When S never falls that low, the
    /// quantile is only known to exceed the longest observation.
    /// </summary>
    public static DurationEstimate[] KaplanMeier(List<(long Ticks, bool Completed)> observations, params ReadOnlySpan<double> quantiles)
    {
        var results = new DurationEstimate[quantiles.Length];
        if (observations.Count == 0)
        {
            Array.Fill(results, DurationEstimate.None);
            return results;
        }

        // At equal durations, completions come before censorings: a visit censored at t was still running at t.
        observations.Sort(static (a, b) => a.Ticks != b.Ticks ? a.Ticks.CompareTo(b.Ticks) : b.Completed.CompareTo(a.Completed));
        var atRisk = observations.Count;
        var survival = 1.0;
        var found = new bool[quantiles.Length];
        var i = 0;
        while (i < observations.Count)
        {
            var t = observations[i].Ticks;
            int completed = 0, leaving = 0;
            while (i < observations.Count && observations[i].Ticks == t)
            {
                completed += observations[i].Completed ? 1 : 0;
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

        var longest = TimeSpan.FromTicks(observations[^1].Ticks);
        for (var q = 0; q < quantiles.Length; q++)
        {
            if (!found[q])
            {
                results[q] = new DurationEstimate(null, longest);
            }
        }

        return results;
    }
}
