using FunnelMetrics.Analytics;
using FunnelMetrics.Metrics;
using FunnelMetrics.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static FunnelMetrics.Testing.Seed;

namespace FunnelMetrics.EntityFrameworkCore.Tests;

/// <summary>
/// The Entity Framework Core store's fast load beyond the conformance kit: stored rows edited by SQL to break a rule are
/// refused as the log's build refuses them (naming the client, the real event and the rule), a row that cannot be an
/// event of the pipeline is refused naming it, cancellation, and the registration.
/// </summary>
public abstract class FastLoadTests(ITestDatabase database)
{
    private static ClientId C(string id) => new(id);

    private async Task<(IClientRepository Clients, EntityFrameworkFunnelEventStore<FunnelMetricsDbContext> Events, IDbContextFactory<FunnelMetricsDbContext> Factory)> CreateAsync()
    {
        Skip.IfNot(database.Available, database.SkipReason);
        var factory = await database.CreateStoreAsync();
        return (new EntityFrameworkClientRepository<FunnelMetricsDbContext>(factory), new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(factory), factory);
    }

    /// <summary>Two clients with a good history each: c1 enters, advances, is handed over and skips on; c2 enters and is touched.</summary>
    private static async Task SeedAsync(IClientRepository clients, EntityFrameworkFunnelEventStore<FunnelMetricsDbContext> events)
    {
        await clients.AddAsync(new Client(C("c1"), SalesId, Anna, T0));
        await clients.AddAsync(new Client(C("c2"), SalesId, Boris, T0));
        await events.AppendAsync(C("c1"), 0,
        [
            new StageTransition(new ClientEventId("c1-1"), C("c1"), SalesId, 1, TransitionKind.Entered, null, DecisionMaker, T0.AddDays(1), T0.AddDays(1), Anna),
            new StageTransition(new ClientEventId("c1-2"), C("c1"), SalesId, 2, TransitionKind.Advanced, DecisionMaker, Interest, T0.AddDays(2), T0.AddDays(2), Anna),
            new OwnerReassignment(new ClientEventId("c1-3"), C("c1"), SalesId, 3, T0.AddDays(3), T0.AddDays(3), Boris, Anna),
            new StageTransition(new ClientEventId("c1-4"), C("c1"), SalesId, 4, TransitionKind.Skipped, Interest, Offer, T0.AddDays(4), T0.AddDays(4), Boris),
        ]);
        await events.AppendAsync(C("c2"), 0,
        [
            new StageTransition(new ClientEventId("c2-1"), C("c2"), SalesId, 1, TransitionKind.Entered, null, Interest, T0.AddDays(1), T0.AddDays(1), Boris),
            new ClientActivity(new ClientEventId("c2-2"), C("c2"), SalesId, 2, T0.AddDays(2), T0.AddDays(2), Boris, "call"),
        ]);
    }

    public static TheoryData<string, string, FunnelRule> Edits => new()
    {
        // An advance that now jumps two stages: the kind contradicts the stage order.
        { "c1-2", "to_stage", FunnelRule.KindContradictsStageOrder },

        // A stage the pipeline does not have.
        { "c1-4", "unknown_stage", FunnelRule.UnknownStage },

        // A gap in the sequence.
        { "c1-3", "sequence", FunnelRule.SequenceNotNext },

        // A hand-over from someone who is not the owner.
        { "c1-3", "previous_owner", FunnelRule.ReassignmentFromOtherOwner },

        // An activity before the event before it.
        { "c2-2", "occurred_at", FunnelRule.EventBeforePreviousEvent },
    };

    [SkippableTheory]
    [MemberData(nameof(Edits))]
    public async Task Load_OfARowEditedToBreakARule_IsRefusedLikeTheBuild_NamingClientEventAndRule(string eventId, string edit, FunnelRule rule)
    {
        var (clients, events, factory) = await CreateAsync();
        await SeedAsync(clients, events);
        await using (var context = await factory.CreateDbContextAsync())
        {
            var rows = context.Set<EventRecord>().Where(e => e.EventId == eventId);
            var changed = edit switch
            {
                "to_stage" => await rows.ExecuteUpdateAsync(u => u.SetProperty(e => e.ToStage, Meeting.Value)),
                "unknown_stage" => await rows.ExecuteUpdateAsync(u => u.SetProperty(e => e.ToStage, "nowhere")),
                "sequence" => await rows.ExecuteUpdateAsync(u => u.SetProperty(e => e.Sequence, 7L)),
                "previous_owner" => await rows.ExecuteUpdateAsync(u => u.SetProperty(e => e.PreviousOwner, "carla")),
                "occurred_at" => await rows.ExecuteUpdateAsync(u => u.SetProperty(e => e.OccurredAtUtcTicks, T0.UtcTicks)),
                _ => throw new ArgumentOutOfRangeException(nameof(edit)),
            };
            Assert.Equal(1, changed);
        }

        // What the log's build says over the same rows, read through the repositories.
        var built = Assert.Throws<FunnelHistoryException>(() => FunnelEventLog.Build(Pipeline, [new Client(C("c1"), SalesId, Anna, T0), new Client(C("c2"), SalesId, Boris, T0)], ReadAll(events)));

        var loaded = await Assert.ThrowsAsync<FunnelHistoryException>(() => events.LoadAsync(new FunnelLogBuilder(Pipeline)));
        Assert.Equal(rule, loaded.Rule);
        Assert.Equal(new ClientEventId(eventId), loaded.EventId);
        Assert.Equal(C(eventId[..2]), loaded.ClientId);
        Assert.Null(loaded.ParamName);
        if (rule != FunnelRule.SequenceNotNext)
        {
            Assert.Equal(built.Message, loaded.Message);
        }
        else
        {
            // The build sorts each client's events by sequence and finds the gap at the next one (c1-4); the load reads
            // in position order and finds it at the edited row itself (c1-3, stored as 7 where 3 was expected).
            Assert.Equal((rule, C("c1"), new ClientEventId("c1-4")), (built.Rule, built.ClientId, built.EventId));
            Assert.Contains("has sequence 7 where 3 was expected", loaded.Message, StringComparison.Ordinal);
        }
        Assert.Contains(eventId, loaded.Message, StringComparison.Ordinal);

        // The connections the failed load used are fine afterwards (on PostgreSQL its COPY was cancelled): the same
        // refusal again, and reads.
        var again = await Assert.ThrowsAsync<FunnelHistoryException>(() => events.LoadAsync(new FunnelLogBuilder(Pipeline)));
        Assert.Equal(loaded.Message, again.Message);
        Assert.Equal(2, (await events.ReadClientAsync(C("c2")).ToListAsync()).Count);
    }

    private static List<ClientEvent> ReadAll(EntityFrameworkFunnelEventStore<FunnelMetricsDbContext> events)
    {
        var list = new List<ClientEvent>();
        foreach (var client in (string[])["c1", "c2"])
        {
            list.AddRange(events.ReadClientAsync(C(client)).ToBlockingEnumerable());
        }

        return list;
    }

    [SkippableFact]
    public async Task Load_OfAnEventWithoutItsClient_IsRefusedNamingTheEvent()
    {
        var (clients, events, factory) = await CreateAsync();
        await SeedAsync(clients, events);
        await using (var context = await factory.CreateDbContextAsync())
        {
            Assert.Equal(1, await context.Set<EventRecord>().Where(e => e.EventId == "c2-2").ExecuteUpdateAsync(u => u.SetProperty(e => e.ClientId, "ghost").SetProperty(e => e.Sequence, 1L)));
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => events.LoadAsync(new FunnelLogBuilder(Pipeline)));
        Assert.Contains("'c2-2'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("'ghost'", refused.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Load_Cancelled_Throws_AndLoadsAfterwards()
    {
        var (clients, events, _) = await CreateAsync();
        await SeedAsync(clients, events);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => events.LoadAsync(new FunnelLogBuilder(Pipeline), cancelled.Token));

        var builder = new FunnelLogBuilder(Pipeline);
        Assert.Equal(await events.ReadHeadAsync(), await events.LoadAsync(builder));
        Assert.Equal(6, builder.EventCount);
    }

    [SkippableFact]
    public async Task Registration_ResolvesTheStoreAsTheFastLoad()
    {
        Skip.IfNot(database.Available, database.SkipReason);
        var factory = await database.CreateStoreAsync();
        var services = new ServiceCollection();
        services.AddSingleton(factory);
        services.AddFunnelMetrics().UseEntityFrameworkCore<FunnelMetricsDbContext>();
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var source = scope.ServiceProvider.GetRequiredService<IFunnelLogSource>();
        Assert.Same(scope.ServiceProvider.GetRequiredService<IFunnelEventStore>(), source);
        Assert.IsType<EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>>(source);
    }
}

public sealed class SqliteFastLoadTests(SqliteDatabase database) : FastLoadTests(database), IClassFixture<SqliteDatabase>;

public sealed class PostgresFastLoadTests(PostgresDatabase database) : FastLoadTests(database), IClassFixture<PostgresDatabase>;
