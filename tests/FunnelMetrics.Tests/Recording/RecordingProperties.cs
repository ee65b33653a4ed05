using System.Collections.Concurrent;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Recording;
using FunnelMetrics.Serialization;
using FunnelMetrics.Tests.Support;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FunnelMetrics.Tests.Recording;

/// <summary>Laws of recording, checked over generated valid histories.</summary>
public sealed class RecordingProperties
{
    [Property(MaxTest = 150)]
    public Property ValidHistory_IsAccepted_AndReplayingItsEventsReproducesItExactly() =>
        Prop.ForAll(Histories.ValidArb(), history => Run(async () =>
        {
            var original = await history.RecordAsync();
            var recorded = await AllEventsAsync(original, history);
            Assert.Equal(history.Commands.Count, recorded.Count);

            var replica = new RecorderHarness();
            await replica.Store.Pipelines.AddAsync(history.Pipeline);
            foreach (var client in history.Clients)
            {
                await replica.Recorder.AddClientAsync(client);
            }

            foreach (var e in recorded.OrderBy(e => e.RecordedAt))
            {
                replica.Clock.SetUtcNow(e.RecordedAt);
                await HistoryCommand.FromEvent(e).RecordAsync(replica.Recorder);
            }

            Assert.Equal(recorded, await AllEventsAsync(replica, history));
        }));

    [Property(MaxTest = 150)]
    public Property DerivedKinds_MatchTheModel_AndTheStageOrder() =>
        Prop.ForAll(Histories.ValidArb(), history => Run(async () =>
        {
            var h = await history.RecordAsync();
            var byId = (await AllEventsAsync(h, history)).ToDictionary(e => e.Id);
            foreach (var command in history.Commands)
            {
                var e = byId[command.Id];
                if (e is not StageTransition t)
                {
                    Assert.Null(command.ExpectedKind);
                    continue;
                }

                if (command.ExpectedKind is { } expected)
                {
                    Assert.Equal(expected, t.Kind);
                }

                var from = t.FromStage is { } f ? history.Pipeline.IndexOf(f) : -1;
                var to = t.ToStage is { } s ? history.Pipeline.IndexOf(s) : -1;
                var won = history.Pipeline.WonStageIndex;
                switch (t.Kind)
                {
                    case TransitionKind.Entered: Assert.True(from == -1 && to >= 0 && to != won); break;
                    case TransitionKind.Advanced: Assert.True(to == from + 1 && to != won); break;
                    case TransitionKind.Skipped: Assert.True(to > from + 1 && to != won); break;
                    case TransitionKind.Regressed: Assert.True(to < from && to != won); break;
                    case TransitionKind.Won: Assert.True(to == won && from != won); break;
                    case TransitionKind.Lost: Assert.True(to == -1 && from >= 0 && from != won); break;
                    case TransitionKind.Reopened: Assert.True(to >= 0 && to != won); break;
                }
            }

            for (var i = 0; i < history.Clients.Count; i++)
            {
                var state = await h.Recorder.GetStateAsync(history.Clients[i].Id);
                var model = history.Final[i];
                Assert.Equal(model.Status, state.Status);
                Assert.Equal(model.Events, state.Version);
                Assert.Equal(History.Owners[model.OwnerIndex], state.Owner);
                if (model.StageIndex >= 0)
                {
                    Assert.Equal(history.Pipeline.Stages[model.StageIndex].Key, state.Stage);
                }
            }
        }));

    [Property(MaxTest = 100)]
    public Property Json_RoundTripsEveryModelType() =>
        Prop.ForAll(Histories.ValidArb(), history => Run(async () =>
        {
            var json = FunnelMetricsJsonContext.Default;
            var h = await history.RecordAsync();
            var events = await AllEventsAsync(h, history);

            Assert.Equal(history.Pipeline, RoundTrip(history.Pipeline, json.PipelineDefinition));
            Assert.All(history.Pipeline.Stages, s => Assert.Equal(s, RoundTrip(s, json.StageDefinition)));
            Assert.All(history.Clients, c => Assert.Equal(c, RoundTrip(c, json.Client)));
            Assert.All(events, e => Assert.Equal(e, RoundTrip(e, json.ClientEvent)));
            Assert.Equal(events, RoundTrip<IReadOnlyList<ClientEvent>>(events, json.IReadOnlyListClientEvent));
            foreach (var e in events)
            {
                switch (e)
                {
                    case StageTransition t: Assert.Equal(t, RoundTrip(t, json.StageTransition)); break;
                    case ClientActivity a: Assert.Equal(a, RoundTrip(a, json.ClientActivity)); break;
                    case OwnerReassignment r: Assert.Equal(r, RoundTrip(r, json.OwnerReassignment)); break;
                }

                var cursor = FunnelMetrics.Storage.EventCursor.Of(e);
                Assert.Equal(cursor, RoundTrip(cursor, json.EventCursor));
            }

            foreach (var client in history.Clients)
            {
                var state = await h.Recorder.GetStateAsync(client.Id);
                var text = JsonSerializer.Serialize(state, json.ClientState);
                Assert.Equal(text, JsonSerializer.Serialize(JsonSerializer.Deserialize(text, json.ClientState), json.ClientState));
            }
        }));

    [Property(MaxTest = 40)]
    public Property ConcurrentRecording_LosesNothing_AndVersionsStayContiguous() =>
        Prop.ForAll(
            Arb.From(
                from clients in Gen.Choose(1, 3)
                from writers in Gen.Choose(2, 8)
                from operations in Gen.Choose(1, 25)
                from retries in Gen.Choose(0, 3)
                select (clients, writers, operations, retries)),
            setup => Run(async () =>
            {
                var (clientCount, writers, operations, retries) = setup;
                var h = await RecorderHarness.WithSeedAsync(new RecordingOptions { ConcurrencyRetries = retries });
                var ids = Enumerable.Range(0, clientCount).Select(i => new ClientId($"c{i}")).ToArray();
                foreach (var id in ids)
                {
                    await h.Recorder.AddClientAsync(Seed.NewClient(id.Value));
                }

                var succeeded = new ConcurrentBag<ClientEvent>();
                var refused = 0;
                var stages = Seed.Pipeline.Stages.Select(s => s.Key).ToArray();
                await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
                {
                    for (var op = 0; op < operations; op++)
                    {
                        var client = ids[(w + op) % ids.Length];
                        try
                        {
                            ClientEvent e = (((w * 31) + op) % 3) switch
                            {
                                0 => (ClientEvent)await h.Recorder.RecordActivityAsync(client, $"w{w} op{op}", Seed.T0),
                                1 => await h.Recorder.MoveAsync(client, stages[(w + op) % (stages.Length - 1)], Seed.T0),
                                _ => await h.Recorder.ReassignAsync(client, new OwnerId($"o{(w + op) % 4}"), Seed.T0),
                            };
                            succeeded.Add(e);
                        }
                        catch (Exception ex) when (ex is ConcurrencyConflictException or SameStageException or ClosedClientException
                            or FunnelRuleException { Rule: FunnelRule.SameOwner or FunnelRule.EntryIntoWonStage })
                        {
                            // Refusals a race legitimately produces; anything else (an id conflict, an order error) fails the property.
                            Interlocked.Increment(ref refused);
                        }
                    }
                })));

                Assert.False(succeeded.IsEmpty, "the first write to each client cannot lose a race");
                foreach (var id in ids)
                {
                    var stored = await h.EventsOfAsync(id);
                    Assert.Equal(Enumerable.Range(1, stored.Count).Select(v => (long)v), stored.Select(e => e.Sequence));
                    Assert.Equal(succeeded.Where(e => e.ClientId == id).Select(e => e.Id).Order(), stored.Select(e => e.Id).Order());
                    Assert.Equal(stored.Count, ClientState.Replay(Seed.NewClient(id.Value), stored).Version);
                }
            }));

    [Fact]
    public async Task ConcurrentActivities_WithRetries_LoseNothing()
    {
        var h = await RecorderHarness.WithSeedAsync(new RecordingOptions { ConcurrencyRetries = 10 });
        var c = await h.AddClientAsync("c1");
        var clock = new FakeTimeProvider(Seed.T0.AddDays(30));
        var recorders = Enumerable.Range(0, 4).Select(_ => new FunnelRecorder(h.Store.Pipelines, h.Store.Clients, h.Store.Events, clock, Options.Create(new RecordingOptions { ConcurrencyRetries = 10 }))).ToArray();
        var failures = 0;

        await Task.WhenAll(recorders.Select((r, w) => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                try
                {
                    await r.RecordActivityAsync(c, $"w{w}-{i}", Seed.T0);
                }
                catch (ConcurrencyConflictException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })));

        var stored = await h.EventsOfAsync(c);
        Assert.Equal(200 - failures, stored.Count);
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(v => (long)v), stored.Select(e => e.Sequence));
        Assert.Equal(stored.Count, stored.Select(e => e.Id).Distinct().Count());
    }

    private static T? RoundTrip<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) =>
        JsonSerializer.Deserialize(JsonSerializer.Serialize(value, info), info);

    private static async Task<List<ClientEvent>> AllEventsAsync(RecorderHarness h, History history)
    {
        var all = new List<ClientEvent>();
        foreach (var client in history.Clients)
        {
            all.AddRange(await h.EventsOfAsync(client.Id));
        }

        return all;
    }

    /// <summary>Runs an async check synchronously: the in-memory store completes without blocking.</summary>
    private static bool Run(Func<Task> check)
    {
        check().GetAwaiter().GetResult();
        return true;
    }
}
