using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FunnelMetrics.Metrics;
using FunnelMetrics.Tests.Support;

namespace FunnelMetrics.Tests.Metrics;

/// <summary>
/// Laws of the incremental log: after any split of a history into batches, each snapshot equals a fresh build over what
/// was appended so far, column by column and metric by metric; a snapshot shares the segments no batch touched; a builder
/// that goes on from a log ends where one fed from the start does.
/// </summary>
public sealed class LogBuilderProperties
{
    [Property(MaxTest = 150)]
    public Property Snapshots_AfterRandomBatches_EqualAFreshBuild() =>
        Prop.ForAll(RecordedHistory.Arb(), Gen.Choose(1, 4).ToArbitrary(), (h, segmentClients) =>
        {
            var events = WithUpdates.Insert(h, ClientUpdateProperties.Changing);
            var random = new Random(h.Seed);
            var builder = new FunnelLogBuilder(h.Pipeline, segmentClients);
            var (clients, appended) = (new List<Client>(), new List<ClientEvent>());
            foreach (var batch in Batches(h, events, random))
            {
                foreach (var change in batch)
                {
                    if (change.Client is { } c)
                    {
                        builder.Add(c);
                        clients.Add(c);
                    }
                    else
                    {
                        builder.Append(change.Event!);
                        appended.Add(change.Event!);
                    }
                }

                AssertSameLog(FunnelEventLog.Build(h.Pipeline, clients, appended), builder.ToLog());
            }

            var final = builder.ToLog();
            Assert.Equal(ClientUpdateProperties.EveryMetric(FunnelEventLog.Build(h.Pipeline, h.Clients, events), h), ClientUpdateProperties.EveryMetric(final, h));
        });

    [Property(MaxTest = 100)]
    public Property ABuilderGoingOnFromALog_EndsWhereOneFedFromTheStartEnds() =>
        Prop.ForAll(RecordedHistory.Arb(), Gen.Choose(1, 3).ToArbitrary(), (h, segmentClients) =>
        {
            var events = WithUpdates.Insert(h, ClientUpdateProperties.Changing);
            var changes = Batches(h, events, new Random(h.Seed)).SelectMany(b => b).ToList();
            var half = changes.Count / 2;
            var first = new FunnelLogBuilder(h.Pipeline, segmentClients);
            Feed(first, changes.Take(half));
            var resumed = new FunnelLogBuilder(first.ToLog(), segmentClients);
            Feed(resumed, changes.Skip(half));

            AssertSameLog(FunnelEventLog.Build(h.Pipeline, h.Clients, events), resumed.ToLog());
            Assert.Equal(events.Count, resumed.EventCount);
        });

    [Fact]
    public void ASnapshot_SharesTheSegmentsNoChangeTouched_AndNothingChangedGivesTheSameSnapshot()
    {
        var pipeline = FunnelMetrics.Testing.Seed.Pipeline;
        var builder = new FunnelLogBuilder(pipeline, 2);
        var clients = Enumerable.Range(0, 6).Select(i => new Client(new ClientId($"c{i}"), pipeline.Id, new OwnerId("o"), FunnelMetrics.Testing.Seed.T0)).ToList();
        clients.ForEach(c => builder.Add(c));
        var before = builder.ToLog();
        Assert.Same(before, builder.ToLog());
        Assert.Equal(3, before.Segments.Count);

        builder.Append(Entered(clients[3], pipeline));
        var after = builder.ToLog();

        Assert.Same(before.Segments[0], after.Segments[0]);
        Assert.NotSame(before.Segments[1], after.Segments[1]);
        Assert.Same(before.Segments[2], after.Segments[2]);
        Assert.Equal(0, before.EventCount);
        Assert.Equal(1, after.EventCount);
    }

    [Fact]
    public void ARefusedEvent_LeavesTheBuilderUnchanged()
    {
        var pipeline = FunnelMetrics.Testing.Seed.Pipeline;
        var builder = new FunnelLogBuilder(pipeline);
        var client = new Client(new ClientId("c1"), pipeline.Id, new OwnerId("o"), FunnelMetrics.Testing.Seed.T0);
        var h = builder.Add(client);
        builder.Append(Entered(client, pipeline));
        var before = builder.ToLog();

        // Entered again: the rule table refuses it, through the object path and through the column path alike.
        var again = Assert.Throws<FunnelHistoryException>(() => builder.Append(Entered(client, pipeline, sequence: 2)));
        var columns = Assert.Throws<FunnelHistoryException>(() => builder.AppendTransition(h, new ClientEventId("e2"), 2, FunnelMetrics.Testing.Seed.T0.AddHours(1), TransitionKind.Entered, -1, 0, new OwnerId("o")));

        Assert.Equal(again.Rule, columns.Rule);
        Assert.Equal(client.Id, columns.ClientId);
        Assert.Equal(new ClientEventId("e2"), columns.EventId);
        Assert.Equal(1, builder.EventCount);
        Assert.Same(before, builder.ToLog());
        Assert.True(builder.TryGetVersion(client.Id, out var version));
        Assert.Equal(1, version);
    }

    [Fact]
    public void ALogHoldsAtMost65535Owners_AndTheNextIsRefusedByName()
    {
        var pipeline = FunnelMetrics.Testing.Seed.Pipeline;
        var builder = new FunnelLogBuilder(pipeline);
        for (var i = 0; i < FunnelLogBuilder.MaxOwners; i++)
        {
            builder.Add(new Client(new ClientId($"c{i}"), pipeline.Id, new OwnerId($"o{i}"), FunnelMetrics.Testing.Seed.T0));
        }

        var refused = Assert.Throws<ArgumentException>(() => builder.Add(new Client(new ClientId("one-too-many"), pipeline.Id, new OwnerId("o-last"), FunnelMetrics.Testing.Seed.T0)));

        Assert.Contains("'o-last'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("65,535", refused.Message, StringComparison.Ordinal);
        Assert.False(builder.Contains(new ClientId("one-too-many")));
        Assert.Equal(FunnelLogBuilder.MaxOwners, builder.ToLog().OwnerCount);
    }

    [Fact]
    public void HandlesAreSpentBySnapshots_AndALookedUpClientAloneMakesNoNewSnapshot()
    {
        var pipeline = FunnelMetrics.Testing.Seed.Pipeline;
        var builder = new FunnelLogBuilder(pipeline);
        var client = new Client(new ClientId("c1"), pipeline.Id, new OwnerId("o"), FunnelMetrics.Testing.Seed.T0);
        var h = builder.Add(client);
        var log = builder.ToLog();

        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AppendActivity(h, new ClientEventId("a1"), 1, FunnelMetrics.Testing.Seed.T0, client.Owner));
        Assert.True(builder.TryGetHandle(client.Id, out var again));
        Assert.Equal(client, builder.FindClient(client.Id));
        Assert.Same(log, builder.ToLog());

        Assert.True(builder.TryGetHandle(client.Id, out again));
        builder.AppendActivity(again, new ClientEventId("a1"), 1, FunnelMetrics.Testing.Seed.T0, client.Owner);
        Assert.NotSame(log, builder.ToLog());
        Assert.Equal(1, builder.ToLog().EventCount);
    }

    [Property(MaxTest = 100)]
    public Property TheColumnPath_AcceptsAndRefusesExactlyAsTheObjectPath() =>
        Prop.ForAll(RecordedHistory.Arb(), h =>
        {
            // Every event of a valid history through the column path, then each client's next event forged at random:
            // the two paths agree on whether it is refused and on the rule.
            var objects = new FunnelLogBuilder(h.Pipeline);
            var columns = new FunnelLogBuilder(h.Pipeline);
            foreach (var client in h.Clients)
            {
                objects.Add(client);
                columns.Add(client);
            }

            foreach (var e in h.Events.OrderBy(e => e.ClientId).ThenBy(e => e.Sequence))
            {
                objects.Append(e);
                AppendColumns(columns, h.Pipeline, e);
            }

            AssertSameLog(objects.ToLog(), columns.ToLog());
            var random = new Random(h.Seed);
            foreach (var client in h.Clients)
            {
                columns.TryGetVersion(client.Id, out var version);
                var stage = h.Pipeline.Stages[random.Next(h.Pipeline.Stages.Count)].Key;
                var kind = (TransitionKind)random.Next(7);
                var from = random.Next(2) == 0 ? (StageId?)null : h.Pipeline.Stages[random.Next(h.Pipeline.Stages.Count)].Key;
                StageTransition forged;
                try
                {
                    forged = new StageTransition(new ClientEventId($"forged-{client.Id}"), client.Id, h.Pipeline.Id, version + 1 - random.Next(2), kind, kind == TransitionKind.Entered ? null : from ?? stage, kind == TransitionKind.Lost ? null : stage, h.LastEventAt.AddMinutes(random.Next(-5, 5)), h.LastEventAt, client.Owner);
                }
                catch (ArgumentException)
                {
                    continue;
                }

                var byObject = Record(() => objects.Append(forged));
                var byColumns = Record(() => AppendColumns(columns, h.Pipeline, forged));
                Assert.Equal(byObject?.Rule, byColumns?.Rule);
            }
        });

    private static FunnelHistoryException? Record(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (FunnelHistoryException e)
        {
            return e;
        }
    }

    private static void AppendColumns(FunnelLogBuilder builder, PipelineDefinition pipeline, ClientEvent e)
    {
        builder.TryGetHandle(e.ClientId, out var h);
        switch (e)
        {
            case StageTransition t:
                builder.AppendTransition(h, t.Id, t.Sequence, t.OccurredAt, t.Kind, t.FromStage is { } f ? pipeline.IndexOf(f) : -1, t.ToStage is { } s ? pipeline.IndexOf(s) : -1, t.Owner);
                break;
            case ClientActivity:
                builder.AppendActivity(h, e.Id, e.Sequence, e.OccurredAt, e.Owner);
                break;
            case OwnerReassignment r:
                builder.AppendReassignment(h, r.Id, r.Sequence, r.OccurredAt, r.Owner, r.PreviousOwner);
                break;
            default:
                builder.Append(e);
                break;
        }
    }

    private static StageTransition Entered(Client client, PipelineDefinition pipeline, long sequence = 1) =>
        new(new ClientEventId($"e{sequence}"), client.Id, pipeline.Id, sequence, TransitionKind.Entered, null, pipeline.Stages[0].Key, FunnelMetrics.Testing.Seed.T0.AddHours(sequence), FunnelMetrics.Testing.Seed.T0.AddHours(sequence), client.Owner);

    private static void Feed(FunnelLogBuilder builder, IEnumerable<Change> changes)
    {
        foreach (var change in changes)
        {
            if (change.Client is { } c)
            {
                builder.Add(c);
            }
            else
            {
                builder.Append(change.Event!);
            }
        }
    }

    /// <summary>The history as a feed would deliver it (each client before its events, each client's events in order, clients interleaved), cut into random batches.</summary>
    private static List<List<Change>> Batches(RecordedHistory h, List<ClientEvent> events, Random random)
    {
        var stream = new List<Change>();
        var added = new HashSet<ClientId>();
        var waiting = h.Clients.OrderBy(_ => random.Next()).ToList();
        foreach (var e in events.OrderBy(e => e.OccurredAt).ThenBy(e => e.ClientId).ThenBy(e => e.Sequence))
        {
            while (waiting.Count > 0 && random.Next(3) == 0)
            {
                Add(waiting[^1]);
            }

            if (!added.Contains(e.ClientId))
            {
                Add(waiting.Single(c => c.Id == e.ClientId));
            }

            stream.Add(new Change(null, e));
        }

        while (waiting.Count > 0)
        {
            Add(waiting[^1]);
        }

        var batches = new List<List<Change>> { new() };
        foreach (var change in stream)
        {
            if (random.Next(4) == 0)
            {
                batches.Add([]);
            }

            batches[^1].Add(change);
        }

        return batches;

        void Add(Client c)
        {
            waiting.Remove(c);
            added.Add(c.Id);
            stream.Add(new Change(c, null));
        }
    }

    /// <summary>Two logs hold the same clients, owners, events (every column) and updates.</summary>
    internal static void AssertSameLog(FunnelEventLog expected, FunnelEventLog actual)
    {
        Assert.Equal(expected.Clients, actual.Clients);
        Assert.Equal(expected.Owners, actual.Owners);
        Assert.Equal(expected.EventCount, actual.EventCount);
        Assert.Equal(expected.UpdateCount, actual.UpdateCount);
        Assert.Equal(expected.UpdatedClients, actual.UpdatedClients);
        Assert.Equal(expected.FirstEventAt, actual.FirstEventAt);
        Assert.Equal(expected.LastEventAt, actual.LastEventAt);
        for (var c = 0; c < expected.ClientCount; c++)
        {
            var x = expected.History(c);
            var y = actual.History(c);
            Assert.Equal(x.Count, y.Count);
            Assert.Equal(x.FirstEntryTicks, y.FirstEntryTicks);
            Assert.Equal(x.InitialOwner, y.InitialOwner);
            Assert.Equal(x.Client, y.Client);
            Assert.Equal(expected.IndexOfClient(x.Client.Id), actual.IndexOfClient(x.Client.Id));
            for (var i = 0; i < x.Count; i++)
            {
                Assert.Equal((x.Ticks(i), x.Kind(i), x.Stage(i), x.Status(i), x.Owner(i)), (y.Ticks(i), y.Kind(i), y.Stage(i), y.Status(i), y.Owner(i)));
            }

            Assert.Equal(x.ClientAsOf(long.MaxValue), y.ClientAsOf(long.MaxValue));
        }
    }

    private sealed record Change(Client? Client, ClientEvent? Event);
}
