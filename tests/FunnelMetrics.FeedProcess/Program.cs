// Process A of the two-process feed test: records moves through FunnelRecorder into a SQLite file or a PostgreSQL
// schema, with several concurrent writers, new clients added all through the run and clients whose events are
// backdated before other clients' recorded events. The test (process B) follows the store's feed meanwhile.
//
//   dotnet FunnelMetrics.FeedProcess.dll record <sqlite|postgres> <connection string> <schema|-> <moves> <writers>
//   dotnet FunnelMetrics.FeedProcess.dll create <sqlite|postgres> <connection string> <schema|->
//
// (create makes the tables, for a run by hand; the test makes them itself before it starts this process.)
// Prints one line, "recorded <moves> moves of <clients> clients in <seconds> s", and exits 0; on a failure prints it
// to stderr and exits 1.
using System.Diagnostics;
using System.Globalization;
using FunnelMetrics;
using FunnelMetrics.EntityFrameworkCore;
using FunnelMetrics.Recording;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

if (args is not (["record", _, _, _, _, _] or ["create", _, _, _]))
{
    await Console.Error.WriteLineAsync("usage: record <sqlite|postgres> <connection string> <schema|-> <moves> <writers> | create <sqlite|postgres> <connection string> <schema|->");
    return 2;
}

var (provider, connectionString, schema) = (args[1], args[2], args[3] == "-" ? null : args[3]);
var builder = new DbContextOptionsBuilder<FunnelMetricsDbContext>();
_ = provider switch
{
    "sqlite" => builder.UseSqlite(connectionString),
    "postgres" => builder.UseNpgsql(connectionString),
    _ => throw new ArgumentException($"Unknown provider '{provider}'.", nameof(args)),
};
var factory = new Factory(builder.Options, schema);
if (args[0] == "create")
{
    await using var context = factory.CreateDbContext();
    await Microsoft.EntityFrameworkCore.Infrastructure.AccessorExtensions.GetService<Microsoft.EntityFrameworkCore.Storage.IRelationalDatabaseCreator>(context).CreateTablesAsync();
    if (provider == "sqlite")
    {
        await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
    }

    return 0;
}

var moves = int.Parse(args[4], CultureInfo.InvariantCulture);
var writers = int.Parse(args[5], CultureInfo.InvariantCulture);
var recorder = new FunnelRecorder(
    new EntityFrameworkPipelineRepository<FunnelMetricsDbContext>(factory),
    new EntityFrameworkClientRepository<FunnelMetricsDbContext>(factory),
    new EntityFrameworkFunnelEventStore<FunnelMetricsDbContext>(factory),
    TimeProvider.System,
    Options.Create(new RecordingOptions()));

try
{
    await new EntityFrameworkPipelineRepository<FunnelMetricsDbContext>(factory).AddAsync(Plan.Pipeline);
    var watch = Stopwatch.StartNew();
    var clients = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() => Plan.WriteAsync(recorder, w, moves / writers + (w < moves % writers ? 1 : 0)))));
    Console.WriteLine($"recorded {moves} moves of {clients.Sum()} clients in {watch.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
    return 0;
}
#pragma warning disable CA1031 // The process reports any failure to the test through its exit code and stderr.
catch (Exception e)
#pragma warning restore CA1031
{
    await Console.Error.WriteLineAsync(e.ToString());
    return 1;
}

internal static class Plan
{
    /// <summary>How many clients a writer moves in turns: their events interleave in the store.</summary>
    private const int ClientsAtOnce = 8;

    /// <summary>Every fifth group of clients is backdated: created and moved well before the other clients' events.</summary>
    private const int BackdatedEvery = 5;

    private static readonly StageId[] Stages = [.. Enumerable.Range(1, 7).Select(i => new StageId($"s{i}"))];

    public static PipelineDefinition Pipeline { get; } = new(new PipelineId("sales"), "Sales", [.. Stages.Select(s => new StageDefinition(s))]);

    /// <summary>Records <paramref name="moves"/> moves: groups of new clients, each moved through the stages in turns; returns the clients added.</summary>
    public static async Task<int> WriteAsync(FunnelRecorder recorder, int writer, int moves)
    {
        // Instants well in the past, so that no move is in the future: regular groups step forward from 30 days ago,
        // backdated groups from 60 days ago, both a minute per group and an hour per stage.
        var regular = TimeProvider.System.GetUtcNow().AddDays(-30);
        var backdated = regular.AddDays(-30);
        var clients = 0;
        for (var group = 0; moves > 0; group++)
        {
            var start = (group % BackdatedEvery == BackdatedEvery - 1 ? backdated : regular).AddMinutes(group);
            var ids = new ClientId[ClientsAtOnce];
            for (var k = 0; k < ClientsAtOnce; k++)
            {
                ids[k] = new ClientId($"w{writer}-g{group}-c{k}");
                await recorder.AddClientAsync(new Client(ids[k], Pipeline.Id, new OwnerId($"owner{writer}"), start, 1000m + k));
                clients++;
            }

            for (var stage = 0; stage < Stages.Length && moves > 0; stage++)
            {
                for (var k = 0; k < ClientsAtOnce && moves > 0; k++, moves--)
                {
                    await recorder.MoveAsync(ids[k], Stages[stage], start.AddHours(stage + 1).AddSeconds(k));
                }
            }
        }

        return clients;
    }
}

/// <summary>Contexts over the options, in the schema given (PostgreSQL) or the default one.</summary>
internal sealed class Factory(DbContextOptions<FunnelMetricsDbContext> options, string? schema) : IDbContextFactory<FunnelMetricsDbContext>
{
    public FunnelMetricsDbContext CreateDbContext() => new(options, schema);
}
