using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Forecasting;
using FunnelMetrics.Metrics;
using FunnelMetrics.Serialization;
using FunnelMetrics.Tests.Metrics;
using FunnelMetrics.Tests.Support;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Tests.Forecasting;

/// <summary>
/// The forecast's fitted part kept on the snapshot (<see cref="ForecastFit"/>) and served to later instants: every
/// forecast it serves is the one fitted afresh, to the last bit, at every instant of an advancing sequence, including
/// those at which a departure is the window's first and those just after it has left.
/// </summary>
public sealed class ForecastFitProperties
{
    private static string Json(Forecast forecast) => JsonSerializer.Serialize(forecast, FunnelMetricsJsonContext.Default.Forecast);

    [Property(MaxTest = 200)]
    public Property KeptFit_GivesTheFreshForecast_AtEveryAdvancingInstant() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            // Half the histories with value and attribute updates: the clients' values and the filter's attributes as of the instant.
            var events = h.Seed % 2 == 0 ? WithUpdates.Insert(h, ClientUpdateProperties.Changing) : [.. h.Events];
            var log = FunnelEventLog.Build(h.Pipeline, h.Clients, events);
            var random = new Random(h.Seed);
            var first = log.FirstEventAt ?? T0;
            var last = log.LastEventAt ?? T0;
            // A window from the shortest allowed, a day, to past the whole history, so that departures leave it as the instant advances.
            var window = TimeSpan.FromDays(1) + TimeSpan.FromMinutes(random.Next(0, (int)Math.Min(20_000, (last - first).TotalMinutes + 100)));
            var options = new ForecastOptions { HistoryWindow = window, MinimumDepartures = 1 + (h.Seed % 3), IncludeIntake = h.Seed % 5 == 0 };
            var filter = (h.Seed / 2 % 4) switch
            {
                0 => null,
                1 => new FunnelFilter { Owners = [History.Owners[h.Seed % 3]] },
                2 => new FunnelFilter { Attributes = new Dictionary<string, string> { ["source"] = $"src{h.Seed % 4}" } },
                _ => new FunnelFilter { Owners = [] },
            };

            // Every instant at which a departure is the window's earliest (d + window), and one tick later (it has left),
            // from the last event on (a third of the time from within the history, where nothing may be kept), with random
            // ones among them.
            var start = (h.Seed % 3) switch
            {
                0 => first + ((last - first) * random.NextDouble()),
                1 => last,
                _ => last.AddMinutes(random.Next(0, 600)),
            };
            var departures = events.OfType<StageTransition>().Where(t => t.Kind != TransitionKind.Entered).Select(t => t.OccurredAt + window);
            var instants = departures.SelectMany(d => new[] { d, d.AddTicks(1) })
                .Concat(Enumerable.Range(0, 6).Select(_ => start.AddSeconds(random.Next(0, (int)Math.Min(int.MaxValue, window.TotalSeconds * 2)))))
                .Append(start)
                .Where(t => t >= start)
                .Distinct()
                .Order()
                .Take(24)
                .ToList();
            // Now and then the same instant twice: a second request at the same "now".
            if (instants.Count > 1 && h.Seed % 7 == 0)
            {
                instants.Insert(1, instants[0]);
            }

            // The horizon: a fixed instant (the month's end) or a fixed span ahead; a target with it, sometimes.
            var fixedEnd = instants[^1].AddDays(1 + (h.Seed % 30));
            int? target = h.Seed % 4 == 0 ? 1 + (h.Seed % 5) : null;
            foreach (var at in instants)
            {
                var horizon = h.Seed % 2 == 0 ? fixedEnd : at.AddDays(1 + (h.Seed % 10));
                var kept = log.KeptFit as ForecastFit;
                var served = ForecastCalculator.Compute(log, at, options, horizon, target, filter);
                var fresh = ForecastCalculator.ComputeCore(log, at, ForecastOptions.Check(options, nameof(options)), horizon, target, filter, perOwner: true, degree: 1);

                Assert.Equal(Json(fresh), Json(served));
                Assert.Equal(fresh, served);

                // Nothing is kept before the last event; from it on, the kept fit served this instant only if no departure
                // it counted has left the window.
                var now = log.KeptFit as ForecastFit;
                Assert.True(at >= last ? now is not null : ReferenceEquals(kept, now), $"kept at {at:O}, the last event at {last:O}");
                if (now is not null && ReferenceEquals(kept, now))
                {
                    var (lo, hi) = ((at - window).UtcTicks, at.UtcTicks);
                    Assert.True(now!.FittedAt <= hi && now.Earliest >= lo, $"served at {at:O} from a fit at {now.FittedAt}, earliest {now.Earliest}");
                }
            }
        });

    [Fact]
    public void KeptFit_ServesLaterInstants_UntilADepartureLeaves_AndIsNeverKeptBeforeTheLastEvent()
    {
        var pipeline = new PipelineDefinition(new PipelineId("p"), "P", [new StageDefinition(new StageId("a")), new StageDefinition(new StageId("b")), new StageDefinition(new StageId("won"))]);
        var clients = new[] { new Client(new ClientId("c1"), pipeline.Id, Anna, T0), new Client(new ClientId("c2"), pipeline.Id, Anna, T0) };
        var events = new List<ClientEvent>
        {
            Transition("e1", "c1", 1, TransitionKind.Entered, null, "a", T0),
            Transition("e2", "c1", 2, TransitionKind.Advanced, "a", "b", T0.AddHours(1)),
            Transition("e3", "c1", 3, TransitionKind.Won, "b", "won", T0.AddHours(3)),
            Transition("e4", "c2", 1, TransitionKind.Entered, null, "a", T0.AddHours(4)),
        };
        var log = FunnelEventLog.Build(pipeline, clients, events);
        var options = new ForecastOptions { HistoryWindow = TimeSpan.FromDays(1), MinimumDepartures = 1 };
        var lastEvent = T0.AddHours(4);

        // Before the last event: fitted afresh, nothing kept.
        ForecastCalculator.Compute(log, T0.AddHours(3.5), options, T0.AddDays(2));
        Assert.Null(log.KeptFit);

        ForecastCalculator.Compute(log, lastEvent, options, T0.AddDays(2));
        var fit = log.KeptFit as ForecastFit;
        Assert.NotNull(fit);
        Assert.Equal(T0.AddHours(1).UtcTicks, fit.Earliest);

        // A second later, and up to the instant at which the first departure (at 1 h) is the window's start: the same fit.
        ForecastCalculator.Compute(log, lastEvent.AddSeconds(1), options, T0.AddDays(2));
        ForecastCalculator.Compute(log, T0.AddHours(25), options, T0.AddDays(2));
        Assert.Same(fit, log.KeptFit);

        // An earlier instant than the fit's, other settings or another filter: fitted afresh (and kept in its place).
        ForecastCalculator.Compute(log, lastEvent.AddMinutes(30), options, T0.AddDays(2), filter: new FunnelFilter { Owners = [Anna] });
        Assert.NotSame(fit, log.KeptFit);
        ForecastCalculator.Compute(log, lastEvent, options, T0.AddDays(2));
        fit = log.KeptFit as ForecastFit;

        // A tick later the departure has left the window: fitted afresh.
        ForecastCalculator.Compute(log, T0.AddHours(25).AddTicks(1), options, T0.AddDays(2));
        Assert.NotSame(fit, log.KeptFit);
        Assert.Equal(T0.AddHours(3).UtcTicks, ((ForecastFit)log.KeptFit!).Earliest);
    }

    private static StageTransition Transition(string id, string client, long sequence, TransitionKind kind, string? from, string to, DateTimeOffset at) =>
        new(new ClientEventId(id), new ClientId(client), new PipelineId("p"), sequence, kind, from is null ? null : new StageId(from), new StageId(to), at, at, Anna, null, null);
}
