using FunnelMetrics.Analytics;
using FunnelMetrics.Metrics;
using FunnelMetrics.Storage;
using Xunit;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.Testing;

/// <summary>The fast load's contract (<see cref="IFunnelLogSource"/>): the log it gives, its position, under concurrent writes.</summary>
public abstract partial class RepositoryContractTests
{
    /// <summary>The store's fast load, or a skip that says why there is none.</summary>
    private static IFunnelLogSource SourceOf(RepositorySet repos)
    {
        Skip.If(repos.LogSource is null, $"The store offers no fast load ({nameof(RepositorySet)}.{nameof(RepositorySet.LogSource)} is null, and {repos.Events.GetType().Name} does not implement {nameof(IFunnelLogSource)}): the fast load's contract does not apply.");
        return repos.LogSource!;
    }

    /// <summary>
    /// A history of every kind of event: per client, by its number, entries, moves of every kind (advance, skip, regress,
    /// win, loss, reopen), activities (one by another owner, which hands the client over), reassignments and client
    /// updates (value, close date, attributes); a client without events; a client of another pipeline.
    /// </summary>
    private static async Task SeedHistoryAsync(RepositorySet repos, int clients, string prefix = "k")
    {
        for (var n = 0; n < clients; n++)
        {
            var id = new ClientId($"{prefix}{n:D3}");
            var created = T0.AddDays(-40 + (n % 7));
            await repos.Clients.AddAsync(new Client(id, SalesId, n % 3 == 0 ? Boris : Anna, created, n % 2 == 0 ? 1000m + n : null, n % 4 == 0 ? new Dictionary<string, string> { ["source"] = "web", ["tier"] = $"t{n % 3}" } : null));
            if (n == clients - 1)
            {
                // One client without events.
                break;
            }

            var events = HistoryOf(id, n, created, n % 3 == 0 ? Boris : Anna);
            var done = 0;
            while (done < events.Count)
            {
                // In a few appends, so the events of several clients interleave in the feed.
                var batch = events.Skip(done).Take(1 + (n % 3)).ToArray();
                await repos.Events.AppendAsync(id, done, batch);
                done += batch.Length;
            }
        }

        var other = new ClientId($"{prefix}-other");
        await repos.Clients.AddAsync(new Client(other, OtherId, Boris, T0.AddDays(-9)));
        await repos.Events.AppendAsync(other, 0, [Activity(other.Value, 1, T0.AddDays(-1), pipeline: OtherId)]);
    }

    private static List<ClientEvent> HistoryOf(ClientId id, int n, DateTimeOffset created, OwnerId owner)
    {
        var events = new List<ClientEvent>();
        var at = created.AddHours(1 + n);
        var stage = -1;
        var stages = Pipeline.Stages;
        StageId? Key(int s) => s < 0 ? null : stages[s].Key;
        ClientEventId Next() => new($"{id}-{events.Count + 1}");
        void Move(TransitionKind kind, int to, string? reason = null)
        {
            at = at.AddDays(1 + (n % 5));
            events.Add(new StageTransition(Next(), id, SalesId, events.Count + 1, kind, kind == TransitionKind.Entered ? null : Key(stage), kind == TransitionKind.Lost ? null : Key(to), at, at, owner, reason));
            stage = kind == TransitionKind.Lost ? stage : to;
        }

        void Touch(OwnerId by)
        {
            at = at.AddHours(5);
            events.Add(new ClientActivity(Next(), id, SalesId, events.Count + 1, at, at, by, "call"));
            owner = by;
        }

        Move(TransitionKind.Entered, 0);
        Touch(owner);
        Move(TransitionKind.Advanced, 1);
        switch (n % 4)
        {
            case 0:
                Move(TransitionKind.Skipped, 3);
                at = at.AddHours(2);
                var to = owner == Anna ? Boris : Anna;
                events.Add(new OwnerReassignment(Next(), id, SalesId, events.Count + 1, at, at, to, owner));
                owner = to;
                at = at.AddHours(2);
                events.Add(new ClientUpdate(Next(), id, SalesId, events.Count + 1, at, at, owner, true, 2500m + n, false, null, new Dictionary<string, string?> { ["source"] = null, ["tier"] = "gold" }));
                Move(TransitionKind.Won, 6);
                break;
            case 1:
                Move(TransitionKind.Lost, -1, "budget");
                Move(TransitionKind.Reopened, 2);
                Move(TransitionKind.Regressed, 1);
                break;
            case 2:
                at = at.AddHours(2);
                events.Add(new ClientUpdate(Next(), id, SalesId, events.Count + 1, at, at, owner, false, null, true, new DateOnly(2026, 6, 30), null));
                Touch(owner == Anna ? Boris : Anna);
                Move(TransitionKind.Advanced, 2);
                break;
            default:
                break;
        }

        return events;
    }

    /// <summary>The log built from the pipeline's clients and events as the repositories read them.</summary>
    private static async Task<FunnelEventLog> BuiltLogAsync(RepositorySet repos) =>
        FunnelEventLog.Build(Pipeline, await ListAsync(repos.Clients.ListAsync(SalesId)), await ListAsync(repos.Events.ReadPipelineAsync(SalesId, PipelineEventQuery.All)));

    /// <summary>Asserts two logs hold the same clients and events: the clients, the counts, each client's details over time, and the calculators' answers.</summary>
    private static void AssertSameLog(FunnelEventLog expected, FunnelEventLog actual)
    {
        Assert.Equal(expected.Clients, actual.Clients);
        Assert.Equal(expected.EventCount, actual.EventCount);
        Assert.Equal(expected.UpdateCount, actual.UpdateCount);
        Assert.Equal(expected.FirstEventAt, actual.FirstEventAt);
        Assert.Equal(expected.LastEventAt, actual.LastEventAt);
        foreach (var client in expected.Clients)
        {
            foreach (var days in (int[])[-20, 0, 40])
            {
                Assert.Equal(expected.ClientAsOf(client.Id, T0.AddDays(days)), actual.ClientAsOf(client.Id, T0.AddDays(days)));
            }
        }

        var window = TimeWindow.Ending(T0.AddDays(40), TimeSpan.FromDays(90));
        foreach (var days in (int[])[-10, 5, 40])
        {
            Assert.Equal(StageCountsCalculator.Compute(expected, T0.AddDays(days)), StageCountsCalculator.Compute(actual, T0.AddDays(days)));
            Assert.Equal(StallCalculator.Compute(expected, T0.AddDays(days)), StallCalculator.Compute(actual, T0.AddDays(days)));
        }

        Assert.Equal(ConversionCalculator.Compute(expected, window), ConversionCalculator.Compute(actual, window));
        Assert.Equal(TimeInStageCalculator.Compute(expected, window), TimeInStageCalculator.Compute(actual, window));
        Assert.Equal(VelocityCalculator.Compute(expected, window), VelocityCalculator.Compute(actual, window));
        Assert.Equal(StuckStagesCalculator.Compute(expected, window), StuckStagesCalculator.Compute(actual, window));
        var first = DateOnly.FromDateTime(T0.AddDays(-40).UtcDateTime);
        var last = DateOnly.FromDateTime(T0.AddDays(40).UtcDateTime);
        Assert.Equal(FlowLedgerCalculator.Compute(expected, first, last, "UTC"), FlowLedgerCalculator.Compute(actual, first, last, "UTC"));
    }

    /// <summary>
    /// The fast load gives the log <see cref="FunnelEventLog.Build"/> gives over the clients and events the repositories
    /// read (every kind of event, client updates included, only the pipeline's), and returns the feed's head; an empty
    /// pipeline loads nothing; a builder with clients is refused.
    /// </summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Load_GivesTheLogBuildGives_AndTheFeedHead()
    {
        var repos = await CreateRepositoriesAsync();
        var source = SourceOf(repos);
        var empty = new FunnelLogBuilder(Pipeline);
        Assert.Equal(0, await source.LoadAsync(empty));
        Assert.Equal(0, empty.ClientCount);

        await SeedHistoryAsync(repos, 13);
        var builder = new FunnelLogBuilder(Pipeline);
        var position = await source.LoadAsync(builder);

        var expected = await BuiltLogAsync(repos);
        Assert.Equal(13, builder.ClientCount);
        Assert.Equal(expected.EventCount, builder.EventCount);
        Assert.True(expected.UpdateCount > 0, "The history has client updates.");
        AssertSameLog(expected, builder.ToLog());
        if (repos.Feed is { } feed)
        {
            Assert.Equal(await feed.ReadHeadAsync(), position);
        }

        var otherPipeline = new PipelineDefinition(OtherId, "Other", [new StageDefinition(Interest, "Interest"), new StageDefinition(Contract, "Contract")]);
        var other = new FunnelLogBuilder(otherPipeline);
        Assert.Equal(position, await source.LoadAsync(other));
        Assert.Equal(1, other.ClientCount);
        Assert.Equal(1, other.EventCount);
        await Assert.ThrowsAsync<ArgumentException>(() => source.LoadAsync(builder));
        await Assert.ThrowsAsync<ArgumentNullException>(() => source.LoadAsync(null!));
    }

    /// <summary>
    /// Loads taken while a writer adds clients and appends events are each consistent with the position they return:
    /// the feed after it gives exactly the rest (no client added twice, no event missing or seen twice, which the
    /// builder would refuse), and each load caught up so ends equal to a fresh build over the store.
    /// </summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Load_WhileAWriterAppends_IsConsistentWithItsPosition()
    {
        var repos = await CreateRepositoriesAsync();
        var source = SourceOf(repos);
        var feed = FeedOf(repos);
        await SeedHistoryAsync(repos, 9);

        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            // New clients with events, and more events for old ones, until the loads are done.
            for (var n = 0; n < 400 && !stop.IsCancellationRequested; n++)
            {
                var id = new ClientId($"w{n:D3}");
                await repos.Clients.AddAsync(new Client(id, SalesId, Anna, T0.AddDays(-30)));
                await repos.Events.AppendAsync(id, 0, [Activity(id.Value, 1, T0.AddDays(-29)), Activity(id.Value, 2, T0.AddDays(-28))]);
                var old = new ClientId($"k{8:D3}");
                await repos.Events.AppendAsync(old, 0 + n, [Activity(old.Value, n + 1, T0.AddDays(-20).AddMinutes(n))]);
                await repos.Events.AppendAsync(id, 2, [Activity(id.Value, 3, T0.AddDays(-27))]);
            }
        });

        var loads = new List<(FunnelLogBuilder Builder, long Position)>();
        while (loads.Count < 6 && !writer.IsCompleted)
        {
            var builder = new FunnelLogBuilder(Pipeline);
            loads.Add((builder, await source.LoadAsync(builder)));
        }

        await stop.CancelAsync();
        await writer;
        var expected = await BuiltLogAsync(repos);
        Assert.NotEmpty(loads);
        foreach (var (builder, position) in loads)
        {
            foreach (var change in await ReadFeedAsync(feed, position, SalesId))
            {
                if (change.Client is { } client)
                {
                    Assert.False(builder.Contains(client.Id), $"Client '{client.Id}' at position {change.Position} is in the load at position {position} already.");
                    builder.Add(client);
                }
                else
                {
                    builder.Append(change.Event!);
                }
            }

            Assert.Equal(expected.EventCount, builder.EventCount);
            AssertSameLog(expected, builder.ToLog());
        }
    }
}
