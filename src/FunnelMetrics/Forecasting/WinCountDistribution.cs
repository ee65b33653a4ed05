namespace FunnelMetrics.Forecasting;

/// <summary>
/// The distribution of the number of wins by the horizon: a sum of independent Bernoulli(p_c), one per client in work
/// (a Poisson-binomial), plus an independent Poisson(λ) count of new clients' wins. Its percentiles are the smallest k
/// with P(wins ≤ k) ≥ p (within 10⁻¹², so that rounding cannot move a percentile off an exact tie). Computed exactly (up to 10⁻¹⁵ of mass a client dropped at each tail) by dynamic programming
/// over the clients, then, with intake, by summing against the Poisson's distribution; when that would exceed
/// <see cref="Budget"/>, by the refined normal approximation (the normal's CDF corrected for skewness), whose error
/// in the CDF is of the order of 1/σ² for a standard deviation σ of the count.
/// </summary>
internal static class WinCountDistribution
{
    /// <summary>The most work (about one multiply-add each) the exact computation may take.</summary>
    public const long Budget = 1L << 24;

    /// <summary>Mass below this at either end of a partial distribution is dropped.</summary>
    private const double Negligible = 1e-15;

    /// <summary>A CDF within this of a level reaches it, so that rounding cannot move a percentile off an exact tie.</summary>
    private const double Tie = 1e-12;

    /// <summary>The 10th, 50th and 90th percentiles of the wins, at most <see cref="int.MaxValue"/>.</summary>
    /// <param name="p">Each client's chance of a win, in [0, 1].</param>
    /// <param name="intakeMean">λ, 0 or more.</param>
    /// <param name="exact">Forces the exact computation (true) or the approximation (false); by the budget when null.</param>
    public static (int P10, int P50, int P90) Percentiles(ReadOnlySpan<double> p, double intakeMean, bool? exact = null)
    {
        long certain = 0;
        var uncertain = new List<double>(p.Length);
        double variance = 0, third = 0;
        foreach (var raw in p)
        {
            var x = Math.Clamp(raw, 0, 1);
            if (x >= 1)
            {
                certain++;
            }
            else if (x > 0)
            {
                uncertain.Add(x);
                variance += x * (1 - x);
                third += x * (1 - x) * (1 - (2 * x));
            }
        }

        var sd = Math.Sqrt(variance);
        var band = (long)(2 * ((9 * sd) + 16));
        var intakeBand = intakeMean > 0 ? (long)(2 * ((9 * Math.Sqrt(intakeMean)) + 16)) : 0;
        var work = (uncertain.Count * Math.Min(band, uncertain.Count + 1L)) + intakeBand + (Math.Min(band, uncertain.Count + 1L) * 3 * 64);
        if (exact ?? (work <= Budget && intakeBand <= Budget))
        {
            var (lo, pmf) = PoissonBinomial(uncertain);
            var (intakeLo, intakeCdf) = intakeMean > 0 ? PoissonCdf(intakeMean) : (0L, [1.0]);
            return (Exact(0.1), Exact(0.5), Exact(0.9));

            int Exact(double q) => Clamp(certain + Quantile(lo, pmf, intakeLo, intakeCdf, q));
        }

        var mean = uncertain.Sum() + intakeMean;
        var totalVariance = variance + intakeMean;
        var skew = totalVariance > 0 ? (third + intakeMean) / Math.Pow(totalVariance, 1.5) : 0;
        return (Approximate(0.1), Approximate(0.5), Approximate(0.9));

        int Approximate(double q) => Clamp(certain + RefinedNormalQuantile(mean, Math.Sqrt(totalVariance), skew, q));
    }

    private static int Clamp(long k) => (int)Math.Clamp(k, 0, int.MaxValue);

    /// <summary>The distribution of the sum, over the band [lo, lo + pmf.Length) where it is not negligible.</summary>
    internal static (long Lo, double[] Pmf) PoissonBinomial(List<double> p)
    {
        var pmf = new double[p.Count + 1];
        pmf[0] = 1;
        int start = 0, end = 0; // pmf[start..end] holds P(sum = k) for k = lo + (index - start)
        long lo = 0;
        foreach (var x in p)
        {
            end++;
            pmf[end] = 0;
            for (var i = end; i > start; i--)
            {
                pmf[i] = (pmf[i] * (1 - x)) + (pmf[i - 1] * x);
            }

            pmf[start] *= 1 - x;
            // The distribution is unimodal, so only its ends fall below the threshold.
            while (end > start && pmf[start] < Negligible)
            {
                start++;
                lo++;
            }

            while (end > start && pmf[end] < Negligible)
            {
                end--;
            }
        }

        return (lo, pmf[start..(end + 1)]);
    }

    /// <summary>The Poisson(λ) CDF over the band [lo, lo + cdf.Length) where its mass is not negligible; 1 above it.</summary>
    internal static (long Lo, double[] Cdf) PoissonCdf(double lambda)
    {
        // Relative to the mode, by the ratios P(k + 1) / P(k) = λ / (k + 1), then normalised: no factorials.
        var mode = Math.Floor(lambda);
        var up = new List<double> { 1 };
        for (var k = mode; up[^1] >= Negligible * 1e-3; k++)
        {
            up.Add(up[^1] * lambda / (k + 1));
        }

        var down = new List<double>();
        var value = 1.0;
        for (var k = mode; k > 0 && value >= Negligible * 1e-3; k--)
        {
            value *= k / lambda;
            down.Add(value);
        }

        var lo = (long)mode - down.Count;
        var pmf = new double[down.Count + up.Count];
        for (var i = 0; i < down.Count; i++)
        {
            pmf[down.Count - 1 - i] = down[i];
        }

        up.CopyTo(pmf, down.Count);
        var total = pmf.Sum();
        double running = 0;
        for (var i = 0; i < pmf.Length; i++)
        {
            running += pmf[i] / total;
            pmf[i] = running;
        }

        return (lo, pmf);
    }

    /// <summary>The smallest k with P(clients + intake ≤ k) ≥ q, by bisection: P is non-decreasing in k.</summary>
    private static long Quantile(long lo, double[] pmf, long intakeLo, double[] intakeCdf, double q)
    {
        double Cdf(long k)
        {
            double sum = 0;
            for (var i = 0; i < pmf.Length; i++)
            {
                var rest = k - (lo + i) - intakeLo;
                if (rest < 0)
                {
                    break;
                }

                sum += pmf[i] * (rest >= intakeCdf.Length ? 1 : intakeCdf[rest]);
            }

            return sum;
        }

        long a = lo + intakeLo, b = lo + pmf.Length - 1 + intakeLo + intakeCdf.Length - 1;
        while (a < b)
        {
            var mid = a + ((b - a) / 2);
            if (Cdf(mid) >= q - Tie)
            {
                b = mid;
            }
            else
            {
                a = mid + 1;
            }
        }

        return a;
    }

    /// <summary>
    /// The smallest k ≥ 0 with F(k) ≥ q under the refined normal approximation
    /// F(k) = Φ(x) + γ (1 - x²) φ(x) / 6, x = (k + 0.5 - μ) / σ, clamped to [0, 1].
    /// </summary>
    internal static long RefinedNormalQuantile(double mean, double sd, double skew, double q)
    {
        if (sd <= 0)
        {
            return (long)Math.Ceiling(mean - 1e-9);
        }

        double F(double k)
        {
            var x = (k + 0.5 - mean) / sd;
            var density = Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI);
            return Math.Clamp(NormalCdf(x) + (skew * (1 - (x * x)) * density / 6), 0, 1);
        }

        var a = Math.Max(0, Math.Floor(mean - (12 * sd) - 2));
        var b = Math.Floor(mean + (12 * sd) + 2);
        while (a < b)
        {
            var mid = Math.Floor(a + ((b - a) / 2));
            if (F(mid) >= q - Tie)
            {
                b = mid;
            }
            else
            {
                a = mid + 1;
            }
        }

        return a >= long.MaxValue ? long.MaxValue : (long)a;
    }

    /// <summary>The standard normal CDF, from the complementary error function.</summary>
    internal static double NormalCdf(double x) => x < 0 ? 0.5 * Erfc(-x / Math.Sqrt(2)) : 1 - (0.5 * Erfc(x / Math.Sqrt(2)));

    /// <summary>erfc(y) for y ≥ 0: a series of positive terms below 2.5, a continued fraction above (both to about 10⁻¹⁴).</summary>
    internal static double Erfc(double y)
    {
        if (y < 2.5)
        {
            // erf(y) = 2/√π e^{-y²} Σ (2y²)^n y / (1·3·…·(2n+1))
            double term = y, sum = y;
            for (var n = 1; n < 200 && term > 1e-17 * sum; n++)
            {
                term *= 2 * y * y / ((2 * n) + 1);
                sum += term;
            }

            return 1 - (2 / Math.Sqrt(Math.PI) * Math.Exp(-y * y) * sum);
        }

        // erfc(y) = e^{-y²}/√π · 1/(y + (1/2)/(y + 1/(y + (3/2)/(y + …)))), evaluated from the tail.
        var t = y;
        for (var n = 80; n >= 1; n--)
        {
            t = y + (n / 2.0 / t);
        }

        return Math.Exp(-y * y) / Math.Sqrt(Math.PI) / t;
    }
}
