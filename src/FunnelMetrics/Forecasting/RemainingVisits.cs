using System.Numerics;
using FunnelMetrics.Metrics;

namespace FunnelMetrics.Forecasting;

/// <summary>
/// The chance that a client in work is won by the horizon, from the stage it is in and its age a there: the visit lasts
/// one of the stage's durations d ≥ a, each as likely (if none is, the age plus any duration: a fresh visit, W_s(G));
/// it leaves after d - a, which counts as <see cref="HorizonGrid.BinOf"/> bins b, and then wins with V_s(G - b). So the
/// chance is the mean, over those durations, of <see cref="TransientSolution.Leave"/> at b (0 past the horizon).
/// Clients sharing a stage's durations are evaluated together: each either by walking its durations within the horizon,
/// or, when that is dearer, all of them in one sweep whose cost is the durations' count (times a logarithm) plus at most
/// G + 1 steps a client. The age is exact, never rounded to the grid, so a later horizon never gives a lower chance.
/// </summary>
internal sealed class RemainingVisits
{
    private readonly List<(HorizonGrid Grid, long[] Durations, List<Query> Queries)> _groups = [];

    /// <summary>A new group: the queries of clients in a stage with these sorted durations (not empty), on this grid; add one per client.</summary>
    public List<Query> NewGroup(HorizonGrid grid, long[] durations)
    {
        var queries = new List<Query>();
        _groups.Add((grid, durations, queries));
        return queries;
    }

    /// <summary>Answers every query into <paramref name="output"/>, the groups on up to <paramref name="degree"/> threads (each writes only its own queries' slots).</summary>
    public void Run(double[] output, int degree = 1)
    {
        long work = 0;
        foreach (var (grid, durations, queries) in _groups)
        {
            // About what a sweep costs: its durations, and up to G + 1 steps a client.
            work += durations.Length + ((long)queries.Count * (grid.Bins + 1));
        }

        if (Parallelism.For(work, degree) <= 1 || _groups.Count <= 1)
        {
            foreach (var (grid, durations, queries) in _groups)
            {
                Evaluate(grid, durations, queries, output);
            }

            return;
        }

        // The dearest groups first (the team's stages), so that no thread is left with a large one at the end.
        var order = new int[_groups.Count];
        var cost = new long[_groups.Count];
        for (var g = 0; g < order.Length; g++)
        {
            order[g] = g;
            cost[g] = -((long)_groups[g].Durations.Length + ((long)_groups[g].Queries.Count * _groups[g].Grid.Bins));
        }

        Array.Sort(cost, order);
        Parallelism.For(order.Length, degree, i =>
        {
            var (grid, durations, queries) = _groups[order[i]];
            Evaluate(grid, durations, queries, output);
        });
    }

    /// <summary>Answers the queries of one stage's durations, choosing per group the cheaper of walking and sweeping.</summary>
    internal static void Evaluate(HorizonGrid grid, long[] durations, List<Query> queries, double[] output, bool? sweep = null)
    {
        var n = durations.Length;
        var open = new List<(Query Query, int From, int To)>(queries.Count);
        long walk = 0;
        long lowest = long.MaxValue, highest = long.MinValue;
        foreach (var q in queries)
        {
            var from = SortedSearch.LowerBound(durations, q.Age);
            if (from == n)
            {
                output[q.Slot] = q.Fresh;
                continue;
            }

            // The durations that end by the horizon: d - a ≤ H. (a + H fits: both are within DateTimeOffset's range.)
            var to = SortedSearch.UpperBound(durations, q.Age + grid.Span);
            open.Add((q, from, to));
            walk += to - from;
            lowest = Math.Min(lowest, q.Age);
            highest = Math.Max(highest, q.Age);
        }

        if (open.Count == 0)
        {
            return;
        }

        var first = open.Min(o => o.From);
        var last = open.Max(o => o.To);
        if (last <= first)
        {
            foreach (var (q, _, _) in open)
            {
                output[q.Slot] = 0; // every duration at least the age ends past the horizon
            }

            return;
        }

        var sweepCost = ((long)(last - first) * (4 + (int)Math.Log2(open.Count + 1))) + ((long)open.Count * (grid.Bins + 1));
        // The sweep counts bins relative to the youngest client: the offsets must fit in 64 bits.
        var fits = (Int128)(highest - lowest + grid.Span) * grid.Bins / grid.Span < long.MaxValue / 4;
        if (fits && (sweep ?? sweepCost < walk))
        {
            Sweep(grid, durations, open, first, last, lowest, output);
            return;
        }

        foreach (var (q, from, to) in open)
        {
            // The durations are sorted, so their bins never decrease: step the bin up, dividing only after a jump.
            if (to == from)
            {
                output[q.Slot] = 0; // every duration at least the age ends past the horizon
                continue;
            }

            double sum = 0;
            var leave = q.Leave;
            var bin = grid.BinOf(durations[from] - q.Age);
            var limit = grid.Upper(bin);
            for (var i = from; i < to; i++)
            {
                var rest = durations[i] - q.Age;
                if (rest > limit)
                {
                    bin = rest > grid.Upper(Math.Min(grid.Bins, bin + 4)) ? grid.BinOf(rest) : bin + 1;
                    while (rest > grid.Upper(bin))
                    {
                        bin++;
                    }

                    limit = grid.Upper(bin);
                }

                sum += leave[bin];
            }

            output[q.Slot] = sum / (n - from);
        }
    }

    /// <summary>
    /// All the queries at once. With x G = q H + r (q the bin edge x lies past, 0 ≤ r &lt; H), a duration d = (q, ρ) and
    /// an age a = (k, σ): d - a counts as q - k + 1 bins when ρ &gt; σ and as q - k when ρ ≤ σ (at least 1); it is
    /// at least a when q &gt; k, or q = k and ρ ≥ σ. So a client needs, per q from k to k + G, how many of the
    /// durations there have ρ &gt; σ and ρ ≥ σ: the queries are taken by σ from the largest, each duration joining the
    /// counts of its q once σ falls below (or to) its ρ. Times are taken from <paramref name="origin"/>, the youngest age.
    /// </summary>
    private static void Sweep(HorizonGrid grid, long[] durations, List<(Query Query, int From, int To)> open, int first, int last, long origin, double[] output)
    {
        var bins = grid.Bins;
        var count = last - first;
        var (qOf, rhoOf) = Decompose(grid, durations.AsSpan(first, count), origin);

        // Counts per q: dense over [qOf[0], qOf[^1]] when that range is not much wider than the durations, else per distinct q.
        var qLow = qOf[0];
        var dense = qOf[^1] - qLow < (4L * count) + (2L * bins);
        var distinct = new List<long>();
        var place = new int[count];
        for (var i = 0; i < count; i++)
        {
            if (dense)
            {
                place[i] = (int)(qOf[i] - qLow);
            }
            else
            {
                if (distinct.Count == 0 || distinct[^1] != qOf[i])
                {
                    distinct.Add(qOf[i]);
                }

                place[i] = distinct.Count - 1;
            }
        }

        var width = dense ? (int)(qOf[^1] - qLow + 1) : distinct.Count;
        var greater = new double[width]; // ρ > σ
        var notGreater = new double[width]; // ρ ≤ σ
        var atLeast = new double[width]; // ρ ≥ σ
        foreach (var u in place)
        {
            notGreater[u]++;
        }

        var m = open.Count;
        var order = new int[m];
        var kOf = new long[m];
        var sigmaOf = new long[m];
        for (var j = 0; j < m; j++)
        {
            order[j] = j;
            (kOf[j], sigmaOf[j]) = grid.Split(open[j].Query.Age - origin);
        }

        Array.Sort(sigmaOf.ToArray(), order);
        Array.Reverse(order);
        var sigmas = new long[m];
        for (var j = 0; j < m; j++)
        {
            sigmas[j] = sigmaOf[order[j]];
        }

        // A duration counts as ρ ≥ σ for the queries from position #(σ > ρ) on, and as ρ > σ from #(σ ≥ ρ) on. The
        // positions come from a table over [0, H): a monotone bucket of each value, the σ counted per bucket, so only the
        // σ sharing ρ's bucket (about one) are compared.
        var buckets = (int)Math.Min(1 << 20, BitOperations.RoundUpToPowerOf2((uint)(4 * m)));
        var scale = buckets / (double)grid.Span;
        int BucketOf(long value) => Math.Min(buckets - 1, (int)(value * scale));
        var before = new int[buckets + 1]; // before[b]: how many σ lie in buckets above b
        foreach (var sigma in sigmas)
        {
            before[BucketOf(sigma)]++;
        }

        for (int b = buckets - 1, above = 0; b >= 0; b--)
        {
            (before[b], above) = (above, above + before[b]);
        }

        var fromAtLeast = new int[count];
        var fromGreater = new int[count];
        for (var i = 0; i < count; i++)
        {
            var rho = rhoOf[i];
            var bucket = BucketOf(rho);
            var at = before[bucket];
            var end = bucket == 0 ? m : before[bucket - 1];
            while (at < end && sigmas[at] > rho)
            {
                at++;
            }

            fromAtLeast[i] = at;
            while (at < end && sigmas[at] == rho)
            {
                at++;
            }

            fromGreater[i] = at;
        }

        var (atLeastStart, atLeastPlaces) = Buckets(fromAtLeast, place, m);
        var (greaterStart, greaterPlaces) = Buckets(fromGreater, place, m);
        for (var j = 0; j < m; j++)
        {
            for (var t = atLeastStart[j]; t < atLeastStart[j + 1]; t++)
            {
                atLeast[atLeastPlaces[t]]++;
            }

            for (var t = greaterStart[j]; t < greaterStart[j + 1]; t++)
            {
                var u = greaterPlaces[t];
                greater[u]++;
                notGreater[u]--;
            }

            var (query, from, _) = open[order[j]];
            var k = kOf[order[j]];
            var leave = query.Leave;
            double sum = 0;
            if (dense)
            {
                // q = k + δ sits at u = k - qLow + δ.
                var at = k - qLow;
                if (at >= 0 && at < width)
                {
                    sum += atLeast[at] * leave[1];
                }

                var lowest = (int)Math.Max(1, Math.Min(-at, bins + 1L));
                var highest = (int)Math.Min(bins, Math.Max(width - 1 - at, 0L));
                if (highest >= lowest)
                {
                    sum += TransientSolution.Dot(notGreater.AsSpan((int)(at + lowest), highest - lowest + 1), leave.AsSpan(lowest, highest - lowest + 1));
                    var highestGreater = Math.Min(highest, bins - 1);
                    if (highestGreater >= lowest)
                    {
                        sum += TransientSolution.Dot(greater.AsSpan((int)(at + lowest), highestGreater - lowest + 1), leave.AsSpan(lowest + 1, highestGreater - lowest + 1));
                    }
                }
            }
            else
            {
                for (var u = SortedSearch.LowerBound(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(distinct), k); u < distinct.Count && distinct[u] - k <= bins; u++)
                {
                    var delta = (int)(distinct[u] - k);
                    if (delta == 0)
                    {
                        sum += atLeast[u] * leave[1];
                        continue;
                    }

                    sum += notGreater[u] * leave[delta];
                    if (delta < bins)
                    {
                        sum += greater[u] * leave[delta + 1];
                    }
                }
            }

            output[query.Slot] = sum / (durations.Length - from);
        }
    }

    /// <summary>(x - origin) G = q H + ρ for each sorted x: by steps from the last q where it moves little, by division where it jumps.</summary>
    private static (long[] Q, long[] Rho) Decompose(HorizonGrid grid, ReadOnlySpan<long> sorted, long origin)
    {
        var q = new long[sorted.Length];
        var rho = new long[sorted.Length];
        var span = grid.Span;
        var stepping = sorted[^1] - origin <= long.MaxValue / grid.Bins;
        long current = 0, edge = 0; // edge = current x H
        for (var i = 0; i < sorted.Length; i++)
        {
            if (!stepping)
            {
                (q[i], rho[i]) = grid.Split(sorted[i] - origin);
                continue;
            }

            var scaled = (sorted[i] - origin) * grid.Bins;
            if (i == 0 || scaled - edge >= 4 * (Int128)span)
            {
                current = scaled / span;
                edge = current * span;
            }

            while (scaled - edge >= span)
            {
                current++;
                edge += span;
            }

            (q[i], rho[i]) = (current, scaled - edge);
        }

        return (q, rho);
    }

    /// <summary>The durations' places among the q, grouped by the query position from which they count, as offsets and items.</summary>
    private static (int[] Start, int[] Places) Buckets(int[] position, int[] place, int m)
    {
        var start = new int[m + 2];
        foreach (var p in position)
        {
            start[p + 1]++;
        }

        for (var j = 0; j <= m; j++)
        {
            start[j + 1] += start[j];
        }

        var items = new int[position.Length];
        var fill = (int[])start.Clone();
        for (var i = 0; i < position.Length; i++)
        {
            items[fill[position[i]]++] = place[i];
        }

        return (start, items);
    }

    /// <summary>
    /// One client's question: its age (ticks, 0 or more), its stage's <see cref="TransientSolution.Leave"/> and W_s(G)
    /// (for an age past every duration), and where the answer goes.
    /// </summary>
    internal readonly record struct Query(long Age, double[] Leave, double Fresh, int Slot);
}
