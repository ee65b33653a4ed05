using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Forecasting;

namespace FunnelMetrics.Tests.Forecasting;

/// <summary>
/// The pieces of the horizon computation against slow, obvious versions: the grid's arithmetic against big integers,
/// the renewal recursion against a forward pass over (stage, bins used) states, the sweep over clients against walking
/// each client's durations, and the count's percentiles against enumeration.
/// </summary>
public sealed class HorizonKernelProperties
{
    private static Gen<long> Ticks(long max) => Gen.Choose(0, int.MaxValue).Select(x => (long)((double)x / int.MaxValue * max));

    [Property(MaxTest = 500)]
    public Property Dot_IsItsFixedOrder_BitForBit_WhateverTheVectors() =>
        Prop.ForAll(
            Arb.From(from length in Gen.Frequency((3, Gen.Choose(0, 12)), (1, Gen.Choose(13, 1100)))
                     from offset in Gen.Choose(0, 7)
                     from seed in Gen.Choose(0, int.MaxValue - 1)
                     select (length, offset, seed)),
            t =>
            {
                // Values of very different magnitudes (and zeros), so that any other order of the sums shows in the last bits.
                var (length, offset, seed) = t;
                var random = new Random(seed);
                double Value() => random.Next(5) == 0 ? 0 : random.NextDouble() * Math.Pow(10, random.Next(-12, 4));
                var a = Enumerable.Range(0, length + offset).Select(_ => Value()).ToArray();
                var b = Enumerable.Range(0, length + 8).Select(_ => Value()).ToArray();
                var x = a.AsSpan(offset, length);
                var y = b.AsSpan(8 - offset, length);

                // The order Dot defines, in scalars: four running sums over the whole blocks of four, (0 + 2) + (1 + 3), then the rest.
                double l0 = 0, l1 = 0, l2 = 0, l3 = 0, expected = 0;
                var i = 0;
                for (; i <= length - 4; i += 4)
                {
                    l0 += x[i] * y[i];
                    l1 += x[i + 1] * y[i + 1];
                    l2 += x[i + 2] * y[i + 2];
                    l3 += x[i + 3] * y[i + 3];
                }

                expected = length >= 4 ? (l0 + l2) + (l1 + l3) : 0;
                for (; i < length; i++)
                {
                    expected += x[i] * y[i];
                }

                Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(TransientSolution.Dot(x, y)));
            });

    [Property(MaxTest = 500)]
    public Property BinOf_IsTheCeilingOfTheScaledTime_AtLeastOne_AndSplitRecomposes() =>
        Prop.ForAll(
            Arb.From(from span in Gen.OneOf(Gen.Choose(1, 1000).Select(x => (long)x), Ticks(3_000_000_000_000_000_000L).Select(x => x + 1))
                     from bins in Gen.Elements(1, 3, 32, 512, 1024)
                     from ticks in Gen.OneOf(Gen.Choose(0, 2000).Select(x => (long)x), Ticks(span), Ticks(3_100_000_000_000_000_000L))
                     select (span, bins, ticks)),
            t =>
            {
                var (span, bins, ticks) = t;
                var grid = new HorizonGrid(span, bins);
                var scaled = (BigInteger)ticks * bins;
                var ceiling = (int)BigInteger.Min((scaled + span - 1) / span, bins + 1);
                var expected = ticks > span ? bins + 1 : Math.Max(1, ceiling);
                Assert.Equal(expected, grid.BinOf(ticks));
                if (scaled / span <= long.MaxValue)
                {
                    // Split is used only where the quotient fits in 64 bits.
                    var (q, r) = grid.Split(ticks);
                    Assert.Equal(scaled, ((BigInteger)q * span) + r);
                    Assert.InRange(r, 0, span - 1);
                }

                for (var j = 1; j <= bins; j += Math.Max(1, bins / 7))
                {
                    // Upper(j) is the longest time within j bins.
                    Assert.True(grid.BinOf(grid.Upper(j)) <= j);
                    Assert.True(grid.Upper(j) == span || grid.BinOf(grid.Upper(j) + 1) > j);
                }
            });

    /// <summary>A small chain: per stage a won share, moves to other stages, and durations in ticks.</summary>
    private static Gen<(ChainModel Model, long Span, int Bins)> Chains() =>
        from stages in Gen.Choose(1, 4)
        from weights in Gen.ArrayOf(Gen.Choose(0, 5), stages * (stages + 2))
        from durations in Gen.ArrayOf(Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(0L)), (6, Gen.Choose(1, 200).Select(x => (long)x))), 1 + (stages * 3)), stages)
        from span in Gen.Choose(1, 300)
        from bins in Gen.Elements(1, 4, 16, 64)
        select (Chain(stages, weights, durations), (long)span, bins);

    private static ChainModel Chain(int stages, int[] weights, long[][] durations)
    {
        // Stages 0..stages-1 open, stage `stages` won; each row's weights over (open stages, won, lost).
        var pipeline = new PipelineDefinition(new PipelineId("k"), "K", [.. Enumerable.Range(0, stages + 1).Select(i => new StageDefinition(new StageId($"s{i}")))]);
        var subject = new DepartureStats[stages + 1];
        for (var s = 0; s <= stages; s++)
        {
            subject[s] = new DepartureStats(stages + 2);
        }

        for (var s = 0; s < stages; s++)
        {
            var row = weights.AsSpan(s * (stages + 2), stages + 2).ToArray();
            row[s] = 0; // no move to the same stage
            if (row.Sum() == 0)
            {
                row[stages + 1] = 1;
            }

            // Enough departures in those proportions, each with a duration from the stage's list.
            var k = 0;
            for (var to = 0; to < row.Length; to++)
            {
                for (var c = 0; c < row[to]; c++)
                {
                    subject[s].Add(to, durations[s][k++ % durations[s].Length]);
                }
            }
        }

        return ChainModel.Build(pipeline, subject, subject, false, 1, new Lazy<long[]>(() => []));
    }

    [Property(MaxTest = 300)]
    public Property Renewal_AgreesWithAForwardPassOverStagesAndBinsUsed() =>
        Prop.ForAll(Arb.From(Chains()), t =>
        {
            var (model, span, bins) = t;
            var grid = new HorizonGrid(span, bins);
            var solution = new TransientSolution(grid, model.StageCount);
            var open = Enumerable.Range(0, model.StageCount).Where(s => model.HasRow[s]).ToList();
            solution.Extend(model, open);
            foreach (var start in open)
            {
                // mass[k][u]: the chance of entering stage k afresh having used u bins; a win at u adds to won[u].
                var mass = open.ToDictionary(k => k, _ => new double[bins + 1]);
                var wonAt = new double[bins + 1];
                mass[start][0] = 1;
                for (var u = 0; u <= bins; u++)
                {
                    foreach (var k in open)
                    {
                        if (mass[k][u] == 0)
                        {
                            continue;
                        }

                        foreach (var d in model.Durations[k])
                        {
                            var after = u + grid.BinOf(d);
                            if (after > bins)
                            {
                                continue;
                            }

                            var share = mass[k][u] / model.Durations[k].Length;
                            wonAt[after] += share * model.WinOnLeaving[k];
                            foreach (var (next, p) in model.Successors[k])
                            {
                                mass[next][after] += share * p;
                            }
                        }
                    }
                }

                double cumulative = 0;
                for (var j = 0; j <= bins; j++)
                {
                    cumulative += wonAt[j];
                    Assert.Equal(cumulative, solution.Enter[start]![j], 1e-12);
                }

                // Leaving after b bins: an immediate win, or a fresh entry with G - b bins left.
                for (var b = 0; b <= bins; b++)
                {
                    var expected = model.WinOnLeaving[start] + model.Successors[start].Sum(x => x.Probability * solution.Enter[x.Stage]![bins - b]);
                    Assert.Equal(expected, solution.Leave[start]![b], 1e-12);
                }
            }
        });

    [Property(MaxTest = 300)]
    public Property Sweep_GivesWhatWalkingEachClientsDurationsGives() =>
        Prop.ForAll(
            Arb.From(from durations in Gen.NonEmptyListOf(Gen.Frequency((2, Gen.Choose(0, 40)), (1, Gen.Choose(0, 5000)))).Select(d => d.Select(x => (long)x).Order().ToArray())
                     from ages in Gen.NonEmptyListOf(Gen.Frequency((2, Gen.Choose(0, 40)), (1, Gen.Choose(0, 6000))))
                     from span in Gen.Frequency((3, Gen.Choose(1, 60)), (1, Gen.Choose(61, 8000)))
                     from bins in Gen.Elements(1, 2, 8, 64, 512)
                     from seed in Gen.Choose(0, 1000)
                     select (durations, ages, span, bins, seed)),
            t =>
            {
                var (durations, ages, span, bins, seed) = t;
                var grid = new HorizonGrid(span, bins);
                var random = new Random(seed);
                var leave = Enumerable.Range(0, bins + 1).Select(_ => random.NextDouble()).ToArray();
                var queries = ages.Select((a, i) => new RemainingVisits.Query(a, leave, 0.25, i)).ToList();
                var walked = new double[queries.Count];
                var swept = new double[queries.Count];
                RemainingVisits.Evaluate(grid, durations, queries, walked, sweep: false);
                RemainingVisits.Evaluate(grid, durations, queries, swept, sweep: true);
                for (var i = 0; i < queries.Count; i++)
                {
                    var age = (long)ages[i];
                    var kept = durations.Where(d => d >= age).ToArray();
                    var expected = kept.Length == 0 ? 0.25 : kept.Average(d => grid.BinOf(d - age) <= bins ? leave[grid.BinOf(d - age)] : 0);
                    Assert.Equal(expected, walked[i], 1e-12);
                    Assert.Equal(expected, swept[i], 1e-12);
                }
            });

    [Theory]
    [InlineData(1, 1000, 512)]
    [InlineData(2, 400_000, 512)]
    [InlineData(3, 77, 64)]
    public void Sweep_OverManyClients_GivesWhatWalkingGives(int seed, int span, int bins)
    {
        // Thousands of clients on tens of thousands of durations, with repeated values: the sweep's table of σ and its ties.
        var random = new Random(seed);
        var durations = Enumerable.Range(0, 20_000).Select(_ => (long)(random.Next(4) == 0 ? random.Next(0, 50) * 1000 : random.Next(0, 1_000_000))).Order().ToArray();
        var leave = Enumerable.Range(0, bins + 1).Select(_ => random.NextDouble()).ToArray();
        var queries = Enumerable.Range(0, 3000).Select(i => new RemainingVisits.Query(random.Next(3) == 0 ? random.Next(0, 50) * 1000 : random.Next(0, 1_100_000), leave, 0.5, i)).ToList();
        var walked = new double[queries.Count];
        var swept = new double[queries.Count];

        RemainingVisits.Evaluate(new HorizonGrid(span, bins), durations, queries, walked, sweep: false);
        RemainingVisits.Evaluate(new HorizonGrid(span, bins), durations, queries, swept, sweep: true);

        Assert.Contains(walked, p => p > 0 && p != 0.5);
        for (var i = 0; i < queries.Count; i++)
        {
            Assert.Equal(walked[i], swept[i], 1e-12);
        }
    }

    [Property(MaxTest = 300)]
    public Property Percentiles_AreTheSmallestCountsWhoseCdfReachesTheLevel_ByEnumeration() =>
        Prop.ForAll(
            Arb.From(from chances in Gen.ListOf(Gen.Frequency((1, Gen.Elements(0.0, 1.0)), (4, Gen.Choose(0, 1000).Select(x => x / 1000.0))))
                     from lambda in Gen.Frequency((2, Gen.Constant(0.0)), (1, Gen.Choose(1, 4000).Select(x => x / 100.0)))
                     select (chances.Take(12).ToArray(), lambda)),
            t =>
            {
                var (chances, lambda) = t;
                // The clients' count by enumerating who wins, then the Poisson added term by term.
                var clients = new double[chances.Length + 1];
                for (var mask = 0; mask < 1 << chances.Length; mask++)
                {
                    var p = 1.0;
                    for (var i = 0; i < chances.Length; i++)
                    {
                        p *= (mask >> i & 1) == 1 ? chances[i] : 1 - chances[i];
                    }

                    clients[BitOperations.PopCount((uint)mask)] += p;
                }

                var poisson = new double[400];
                poisson[0] = Math.Exp(-lambda);
                for (var k = 1; k < poisson.Length; k++)
                {
                    poisson[k] = poisson[k - 1] * lambda / k;
                }

                int Quantile(double q)
                {
                    double cdf = 0;
                    for (var k = 0; ; k++)
                    {
                        for (var c = 0; c <= Math.Min(k, chances.Length); c++)
                        {
                            cdf += clients[c] * poisson[k - c];
                        }

                        if (cdf >= q - 1e-12)
                        {
                            return k;
                        }
                    }
                }

                var (p10, p50, p90) = WinCountDistribution.Percentiles(chances, lambda, exact: true);
                Assert.Equal((Quantile(0.1), Quantile(0.5), Quantile(0.9)), (p10, p50, p90));
                Assert.Equal((p10, p50, p90), WinCountDistribution.Percentiles(chances, lambda));
            });

    [Property(MaxTest = 30)]
    public Property RefinedNormal_IsWithinOneOfTheExactPercentiles_ForLargeCounts() =>
        Prop.ForAll(
            Arb.From(from n in Gen.Choose(400, 3000)
                     from seed in Gen.Choose(0, 10_000)
                     from lambda in Gen.Elements(0.0, 3.5, 250.0)
                     select (n, seed, lambda)),
            t =>
            {
                var random = new Random(t.seed);
                var chances = Enumerable.Range(0, t.n).Select(_ => random.NextDouble() * random.NextDouble()).ToArray();
                var exact = WinCountDistribution.Percentiles(chances, t.lambda, exact: true);
                var approximate = WinCountDistribution.Percentiles(chances, t.lambda, exact: false);
                Assert.InRange(approximate.P10, exact.P10 - 1, exact.P10 + 1);
                Assert.InRange(approximate.P50, exact.P50 - 1, exact.P50 + 1);
                Assert.InRange(approximate.P90, exact.P90 - 1, exact.P90 + 1);
            });

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.5, 0.4795001221869535)]
    [InlineData(1.0, 0.15729920705028513)]
    [InlineData(2.4, 6.885138966450789e-4)]
    [InlineData(2.6, 2.3603441652934908e-4)]
    [InlineData(3.0, 2.2090496998585438e-5)]
    [InlineData(6.0, 2.1519736712498916e-17)]
    public void Erfc_MatchesTabulatedValues(double x, double erfc) =>
        Assert.Equal(erfc, WinCountDistribution.Erfc(x), erfc * 1e-12);
}
