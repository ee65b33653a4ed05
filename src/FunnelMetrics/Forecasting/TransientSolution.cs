using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Forecasting;

/// <summary>
/// The chances of a win by the horizon, on a <see cref="HorizonGrid"/>, for the stages of a <see cref="ChainModel"/>,
/// by the renewal recursion. With f_s(b) the share of stage s's durations that count as b bins and
/// V_s(j) = row_s[won] + Σ_k row_s[k] W_k(j) the chance of a win within j bins of leaving s,
/// <c>W_s(j) = Σ_{b=1..j} f_s(b) V_s(j - b)</c> is the chance of a win within j bins of entering s afresh. Every visit
/// takes at least one bin, so W(j) needs V only below j: the recursion is explicit, with no cap on the moves of a path
/// (a path of more than G visits simply never fits in G bins). A stage can be linked to another solution's arrays
/// (the team's, for an owner stage whose rates and every stage after it are the team's), and is then not recomputed.
/// </summary>
internal sealed class TransientSolution
{
    public TransientSolution(HorizonGrid grid, int stageCount)
    {
        Grid = grid;
        Enter = new double[stageCount][];
        Leave = new double[stageCount][];
    }

    public HorizonGrid Grid { get; }

    /// <summary><c>Enter[s][j]</c>, j = 0..G: W_s(j), the chance of a win within j bins of entering s afresh; null until computed.</summary>
    public double[]?[] Enter { get; }

    /// <summary>
    /// <c>Leave[s][b]</c>, b = 0..G: V_s(G - b), the chance of a win by the horizon for a client that leaves s after b
    /// bins; null until computed. Stored reversed so that the recursion reads it forwards.
    /// </summary>
    public double[]?[] Leave { get; }

    /// <summary>
    /// The estimated work for one stage (see <see cref="HorizonGrid.ForBudget"/>), in units of about a nanosecond: per
    /// bin, the convolution (dense, G/2 multiply-adds four at a time, or one step per duration bin), two per move of
    /// the row, and a few for the rest.
    /// </summary>
    public static long Work(int durations, int successors, int bins) =>
        (long)bins * (Math.Min(bins / 8, Math.Min(durations, bins)) + (2L * successors) + 5);

    /// <summary>Uses <paramref name="other"/>'s arrays for <paramref name="stage"/>: they must mean the same here.</summary>
    public void Link(TransientSolution other, int stage)
    {
        Enter[stage] = other.Enter[stage];
        Leave[stage] = other.Leave[stage];
    }

    /// <summary>Computes every stage reachable from <paramref name="from"/> in <paramref name="model"/> that is neither computed nor linked yet.</summary>
    public void Extend(ChainModel model, IEnumerable<int> from)
    {
        // A computed or linked stage's successors are computed or linked too, so the walk stops at them.
        var todo = model.Reachable(from.Where(s => Enter[s] is null)).Where(s => Enter[s] is null).ToList();
        if (todo.Count > 0)
        {
            Compute(model, todo);
        }
    }

    private void Compute(ChainModel model, List<int> stages)
    {
        var bins = Grid.Bins;
        var m = stages.Count;
        var enter = new double[m][];
        var leave = new double[m][];
        var won = new double[m];
        var kernels = new Kernel[m];
        var local = new Dictionary<int, int>(m);
        for (var i = 0; i < m; i++)
        {
            var s = stages[i];
            Enter[s] = enter[i] = new double[bins + 1];
            Leave[s] = leave[i] = new double[bins + 1];
            local[s] = i;
        }

        // The moves as (place, chance) pairs, a place being a slot of the row of W(j) rebuilt at every j: the stages being
        // computed first, then the stages already known (linked) that they move to. Reading W(j) from one short row
        // instead of from each successor's own array keeps the work in cache for chains of thousands of stages.
        var known = new List<double[]>();
        var start = new int[m + 1];
        var place = new List<int>();
        var chance = new List<double>();
        for (var i = 0; i < m; i++)
        {
            var s = stages[i];
            won[i] = model.WinOnLeaving[s];
            foreach (var (k, p) in model.Successors[s])
            {
                if (!local.TryGetValue(k, out var at))
                {
                    local[k] = at = m + known.Count;
                    known.Add(Enter[k]!);
                }

                place.Add(at);
                chance.Add(p);
            }

            start[i + 1] = place.Count;
            kernels[i] = Kernel.Of(Grid, model.Durations[s]);
        }

        var row = new double[m + known.Count];
        var (to, by, linked) = (place.ToArray(), chance.ToArray(), known.ToArray());
        for (var j = 0; j <= bins; j++)
        {
            // W(j) from V below j (every visit takes a bin), then V(j) from W(j).
            for (var i = 0; i < m; i++)
            {
                row[i] = enter[i][j] = j == 0 ? 0 : kernels[i].Convolve(leave[i], j, bins);
            }

            for (var k = 0; k < linked.Length; k++)
            {
                row[m + k] = linked[k][j];
            }

            for (var i = 0; i < m; i++)
            {
                var v = won[i];
                for (var e = start[i]; e < start[i + 1]; e++)
                {
                    v += by[e] * row[to[e]];
                }

                leave[i][bins - j] = v;
            }
        }
    }

    /// <summary>
    /// A dot product in a fixed order, so the figures are the same on every platform, with or without vectors of any
    /// width: four running sums, of the products at positions 0, 1, 2 and 3 modulo 4 of the whole blocks of four, each in
    /// order; then (sum 0 + sum 2) + (sum 1 + sum 3); then the rest in order. One 256-bit vector holds the four sums
    /// where the hardware has it, else two 128-bit vectors (sums 0 and 1, sums 2 and 3), else four scalars: the same
    /// operations on the same values each time (a product, then a sum, never fused).
    /// </summary>
    internal static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var n = Math.Min(a.Length, b.Length);
        var i = 0;
        double sum = 0;
        ref var x = ref MemoryMarshal.GetReference(a);
        ref var y = ref MemoryMarshal.GetReference(b);
        if (Vector256.IsHardwareAccelerated && n >= 4)
        {
            var s = Vector256<double>.Zero;
            for (; i <= n - 4; i += 4)
            {
                s += Vector256.LoadUnsafe(ref x, (nuint)i) * Vector256.LoadUnsafe(ref y, (nuint)i);
            }

            sum = (s.GetElement(0) + s.GetElement(2)) + (s.GetElement(1) + s.GetElement(3));
        }
        else if (Vector128.IsHardwareAccelerated && n >= 4)
        {
            var s0 = Vector128<double>.Zero;
            var s1 = Vector128<double>.Zero;
            for (; i <= n - 4; i += 4)
            {
                s0 += Vector128.LoadUnsafe(ref x, (nuint)i) * Vector128.LoadUnsafe(ref y, (nuint)i);
                s1 += Vector128.LoadUnsafe(ref x, (nuint)(i + 2)) * Vector128.LoadUnsafe(ref y, (nuint)(i + 2));
            }

            var lanes = s0 + s1;
            sum = lanes.GetElement(0) + lanes.GetElement(1);
        }
        else if (n >= 4)
        {
            double l0 = 0, l1 = 0, l2 = 0, l3 = 0;
            for (; i <= n - 4; i += 4)
            {
                l0 += a[i] * b[i];
                l1 += a[i + 1] * b[i + 1];
                l2 += a[i + 2] * b[i + 2];
                l3 += a[i + 3] * b[i + 3];
            }

            sum = (l0 + l2) + (l1 + l3);
        }

        for (; i < n; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    /// <summary>
    /// The durations of a stage binned: f(b) for b = 1..G, the share of the durations that count as b bins (those past
    /// the horizon count nowhere), kept dense or, when few bins are used, as a list.
    /// </summary>
    private sealed class Kernel
    {
        private readonly double[]? _dense; // f(b) at [b]
        private readonly int[] _bins = [];
        private readonly double[] _shares = [];
        private readonly int _first;
        private readonly int _last;

        private Kernel(double[]? dense, int[] bins, double[] shares, int first, int last)
        {
            (_dense, _bins, _shares, _first, _last) = (dense, bins, shares, first, last);
        }

        public static Kernel Of(HorizonGrid grid, long[] sorted)
        {
            var bins = grid.Bins;
            var counts = new int[bins + 1];
            if (sorted.Length < bins)
            {
                foreach (var d in sorted)
                {
                    var b = grid.BinOf(d);
                    if (b <= bins)
                    {
                        counts[b]++;
                    }
                }
            }
            else
            {
                // Bin b holds the durations in (Upper(b - 1), Upper(b)]; bin 1 also those of 0 ticks.
                var below = 0;
                for (var b = 1; b <= bins; b++)
                {
                    var upTo = SortedSearch.UpperBound(sorted, grid.Upper(b));
                    counts[b] = upTo - below;
                    below = upTo;
                }
            }

            int first = bins + 1, last = 0, used = 0;
            for (var b = 1; b <= bins; b++)
            {
                if (counts[b] > 0)
                {
                    first = Math.Min(first, b);
                    last = b;
                    used++;
                }
            }

            var n = (double)sorted.Length;
            if (used * 8 <= last - first + 1)
            {
                var at = new int[used];
                var shares = new double[used];
                for (int b = first, k = 0; b <= last; b++)
                {
                    if (counts[b] > 0)
                    {
                        (at[k], shares[k]) = (b, counts[b] / n);
                        k++;
                    }
                }

                return new Kernel(null, at, shares, first, last);
            }

            var dense = new double[bins + 1];
            for (var b = first; b <= last; b++)
            {
                dense[b] = counts[b] / n;
            }

            return new Kernel(dense, [], [], first, last);
        }

        /// <summary>Σ_{b=1..j} f(b) V(j - b), with V(j - b) at leave[G - j + b].</summary>
        public double Convolve(double[] leave, int j, int bins)
        {
            var hi = Math.Min(_last, j);
            if (hi < _first)
            {
                return 0;
            }

            if (_dense is { } f)
            {
                return Dot(f.AsSpan(_first, hi - _first + 1), leave.AsSpan(bins - j + _first, hi - _first + 1));
            }

            double sum = 0;
            for (var k = 0; k < _bins.Length && _bins[k] <= j; k++)
            {
                sum += _shares[k] * leave[bins - j + _bins[k]];
            }

            return sum;
        }
    }
}
