namespace FunnelMetrics.Forecasting;

/// <summary>
/// The time grid of a horizon forecast: the span H from the forecast's instant to the horizon cut into
/// <see cref="Bins"/> equal bins of width H / G. Each visit's remaining time x is counted as a whole number of bins,
/// rounded up and at least one: <c>max(1, ceil(x G / H))</c>. A path is won by the horizon when its visits' bins add
/// up to at most G. Rounding up never shortens a path, so the counted wins never exceed the model's. The bins of a
/// fixed x never grow as H grows, and on twice the bins a path takes at most twice as many, so a later horizon never
/// counts fewer wins as long as G, a power of two, never shrinks as H grows: <see cref="Wanted"/> and
/// <see cref="ForBudget"/> see to that. All arithmetic on ticks is exact.
/// </summary>
internal sealed class HorizonGrid
{
    /// <summary>The fewest bins wanted (see <see cref="Wanted"/>).</summary>
    public const int DefaultBins = 512;

    /// <summary>The most bins wanted.</summary>
    public const int MaxBins = 4096;

    /// <summary>The fewest bins a forecast uses, however large its chain.</summary>
    public const int MinimumBins = 32;

    /// <summary>The work (about one multiply-add each) that picks the bins: the most bins whose estimated work fits.</summary>
    public const long WorkBudget = 1L << 24;

    private readonly long[] _upper;

    /// <summary>A grid of <paramref name="bins"/> bins over <paramref name="span"/> ticks.</summary>
    public HorizonGrid(long span, int bins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(span, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        Span = span;
        Bins = bins;
        _upper = new long[bins + 1];
        for (var j = 0; j <= bins; j++)
        {
            _upper[j] = (long)((Int128)j * span / bins);
        }
    }

    /// <summary>H, in ticks: at least 1.</summary>
    public long Span { get; }

    /// <summary>G.</summary>
    public int Bins { get; }

    /// <summary>The longest remaining time, in ticks, that ends within <paramref name="j"/> bins (j ≥ 1): floor(j H / G).</summary>
    public long Upper(int j) => _upper[j];

    /// <summary>The bins a remaining time of <paramref name="ticks"/> (0 or more) counts as; G + 1 for anything past the horizon.</summary>
    public int BinOf(long ticks)
    {
        if (ticks > Span)
        {
            return Bins + 1;
        }

        if (ticks == 0)
        {
            return 1;
        }

        // ceil(x G / H) = (x G - 1) / H + 1 for x > 0; x G fits in 128 bits always and in 64 when H G does.
        return Span <= long.MaxValue / Bins
            ? (int)(((ticks * Bins) - 1) / Span) + 1
            : (int)((((Int128)ticks * Bins) - 1) / Span) + 1;
    }

    /// <summary>Splits x G into q H + r with 0 ≤ r &lt; H: which bin edge x lies past (q) and by how much (r, in units of 1/G ticks).</summary>
    public (long Quotient, long Remainder) Split(long ticks)
    {
        if (ticks <= long.MaxValue / Bins)
        {
            var scaled = ticks * Bins;
            var q = scaled / Span;
            return (q, scaled - (q * Span));
        }

        var wide = (Int128)ticks * Bins;
        var wq = wide / Span;
        return ((long)wq, (long)(wide - (wq * Span)));
    }

    /// <summary>
    /// The bins wanted for a span: the fewest powers of two from <see cref="DefaultBins"/> up to <see cref="MaxBins"/>
    /// whose bins are at most a quarter of <paramref name="typicalVisit"/> (the shortest median visit of the chain's
    /// stages, 0 when unknown), so that short visits are not all rounded up to a whole bin. Never fewer for a longer span.
    /// </summary>
    public static int Wanted(long span, long typicalVisit)
    {
        var bins = DefaultBins;
        while (bins < MaxBins && typicalVisit > 0 && span / bins > typicalVisit / 4)
        {
            bins *= 2;
        }

        return bins;
    }

    /// <summary>
    /// The most bins, from <paramref name="wanted"/> down to <see cref="MinimumBins"/> by halves, whose work
    /// <paramref name="work"/> estimates within <see cref="WorkBudget"/>; the minimum when none does. The estimate
    /// depends on the chain only, never on the horizon, so a longer span never gets fewer bins.
    /// </summary>
    public static int ForBudget(Func<int, long> work, int wanted)
    {
        var bins = wanted;
        while (bins > MinimumBins && work(bins) > WorkBudget)
        {
            bins /= 2;
        }

        return bins;
    }
}
