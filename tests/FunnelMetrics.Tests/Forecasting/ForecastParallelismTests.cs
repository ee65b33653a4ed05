using System.Text.Json;
using FunnelMetrics.Benchmarks;
using FunnelMetrics.Forecasting;
using FunnelMetrics.Metrics;
using FunnelMetrics.Serialization;

namespace FunnelMetrics.Tests.Forecasting;

/// <summary>
/// The forecast's parts run on several threads (ranges of clients, stages, owners' chains, groups of clients), and its
/// departures are sorted once per stage paired with their owner: the forecast is the same, to the last bit, whatever
/// the degree, and the departures are those of one plain pass.
/// </summary>
public sealed class ForecastParallelismTests
{
    /// <summary>About 43,000 clients: more than two ranges of the default size, so the ranges are read apart.</summary>
    private static readonly Lazy<FunnelEventLog> Generated = new(() =>
    {
        var (clients, events) = HistoryGenerator.Generate(200_000, seed: 3, owners: 40);
        return FunnelEventLog.Build(HistoryGenerator.Pipeline, clients, events);
    });

    private static DateTimeOffset AsOf => HistoryGenerator.Start.AddDays(300);

    private static string Json(Forecast forecast) => JsonSerializer.Serialize(forecast, FunnelMetricsJsonContext.Default.Forecast);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    public void Forecast_IsTheSame_WhateverTheDegreeOfParallelism(int degree)
    {
        var log = Generated.Value;
        Assert.True(log.ClientCount > 2 * 16384, $"{log.ClientCount} clients");
        var defaults = new ForecastOptions();
        var intake = new ForecastOptions { IncludeIntake = true, MinimumDepartures = 30 };
        var two = new FunnelFilter { Owners = [new OwnerId("owner-003"), new OwnerId("owner-017")] };

        foreach (var (options, filter, target) in new[] { (defaults, (FunnelFilter?)null, (int?)null), (intake, null, 400), (intake, two, 50) })
        {
            var one = ForecastCalculator.ComputeCore(log, AsOf, options, AsOf.AddDays(30), target, filter, perOwner: true, degree: 1);
            var many = ForecastCalculator.ComputeCore(log, AsOf, options, AsOf.AddDays(30), target, filter, perOwner: true, degree);

            Assert.NotNull(one.Horizon);
            Assert.Equal(Json(one), Json(many));
            Assert.Equal(one, many);
        }
    }

    [Theory]
    [InlineData("many-stages")]
    [InlineData("cycling")]
    public void Forecast_OnExpensiveShapes_IsTheSame_WhateverTheDegree(string shape)
    {
        var (pipeline, clients, events) = PathologicalHistories.Generate(shape);
        var log = FunnelEventLog.Build(pipeline, clients, events);
        var asOf = PathologicalHistories.AsOf;

        var one = ForecastCalculator.ComputeCore(log, asOf, new ForecastOptions(), asOf.AddDays(30), 500, null, perOwner: true, degree: 1);
        var four = ForecastCalculator.ComputeCore(log, asOf, new ForecastOptions(), asOf.AddDays(30), 500, null, perOwner: true, degree: 4);

        Assert.Equal(Json(one), Json(four));
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(4, true)]
    [InlineData(4, false)]
    public void Departures_InRanges_SortedPairedWithTheirOwner_AreThoseOfOnePlainPass(int degree, bool pack)
    {
        var (clients, events) = HistoryGenerator.Generate(30_000, seed: 5, owners: 13);
        var log = FunnelEventLog.Build(HistoryGenerator.Pipeline, clients, events);
        var (lo, hi) = (AsOf.AddDays(-120).UtcTicks, AsOf.UtcTicks);
        var clientMask = new bool[log.ClientCount];
        for (var c = 0; c < clientMask.Length; c++)
        {
            clientMask[c] = c % 7 != 3;
        }

        var ownerMask = new bool[log.OwnerCount];
        for (var o = 0; o < ownerMask.Length; o++)
        {
            ownerMask[o] = o % 3 == 1;
        }

        var (team, subject, owners) = ChainModel.Departures(log, lo, hi, clientMask, ownerMask, byOwner: true, degree, rangeSize: 500, pack);
        var (plainTeam, plainSubject, plainOwners) = PlainPass(log, lo, hi, clientMask, ownerMask);

        Assert.True(team.Sum(s => s.Count) > 1000, $"{team.Sum(s => s.Count)} departures");
        SameStages(plainTeam, team, "team");
        SameStages(plainSubject, subject, "subject");
        Assert.Equal(plainSubject.Select(s => s.Durations), subject.Select(s => s.Durations)); // in the order read
        for (var o = 0; o < log.OwnerCount; o++)
        {
            SameStages(plainOwners[o], owners![o], $"owner {o}");
        }

        Assert.Equal(DepartureStats.SortedUnion(plainTeam), DepartureStats.SortedUnion(team));
    }

    private static void SameStages(DepartureStats[] expected, DepartureStats[] actual, string who)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var s = 0; s < expected.Length; s++)
        {
            Assert.True(expected[s].Count == actual[s].Count, $"{who}, stage {s}: {actual[s].Count} departures, not {expected[s].Count}");
            Assert.Equal(expected[s].Outcomes(), actual[s].Outcomes());
            Assert.Equal(expected[s].Sorted, actual[s].Sorted);
        }
    }

    /// <summary>The departures as counted before the columns: one pass, each added with its duration, sorted on demand.</summary>
    private static (DepartureStats[] Team, DepartureStats[] Subject, DepartureStats[][] ByOwner) PlainPass(FunnelEventLog log, long lo, long hi, bool[] clientMask, bool[] ownerMask)
    {
        var n = log.Pipeline.Stages.Count;
        DepartureStats[] Group() => [.. Enumerable.Range(0, n).Select(_ => new DepartureStats(n + 1))];
        var (team, subject) = (Group(), Group());
        var owners = Enumerable.Range(0, log.OwnerCount).Select(_ => Group()).ToArray();
        for (var c = 0; c < clientMask.Length; c++)
        {
            if (!clientMask[c])
            {
                continue;
            }

            var history = log.History(c);
            foreach (var visit in history.Visits(history.LastAtOrBefore(hi)))
            {
                if (visit.IsOpen || visit.LeftAt < lo)
                {
                    continue;
                }

                var outcome = visit.Ended == EventKind.Lost ? n : history.Stage(visit.Left);
                var owner = history.Owner(visit.Left);
                var duration = visit.LeftAt - visit.EnteredAt;
                team[visit.Stage].Add(outcome, duration);
                owners[owner][visit.Stage].Add(outcome, duration);
                if (ownerMask[owner])
                {
                    subject[visit.Stage].Add(outcome, duration);
                }
            }
        }

        return (team, subject, owners);
    }
}
