// Process A of the two-process feed test: records moves through FunnelRecorder into a SQLite file or a PostgreSQL
// schema, with several concurrent writers, new clients added all through the run and clients whose events are
// backdated before other clients' recorded events. The test (process B) follows the store's feed meanwhile.
//
//   dotnet FunnelMetrics.FeedProcess.dll record <sqlite|postgres> <connection string> <schema|-> <moves> <writers> [<update every>]
//   dotnet FunnelMetrics.FeedProcess.dll create <sqlite|postgres> <connection string> <schema|->
//
// (create makes the tables, for a run by hand; the test makes them itself before it starts this process.)
// With <update every> = n > 0 (the hosted read model's two-process test), every n-th move of a writer is followed by an
// update of the client's value (a ClientUpdate event), and the line says how many. Prints one line, "recorded <moves>
// moves of <clients> clients in <seconds> s" (or "... clients and <updates> client updates in ..."), and exits 0; on a
// failure prints it to stderr and exits 1. With the environment variable FUNNELMETRICS_FEED_TIMINGS naming a file, it
// writes there, at the end, one line per move: the event id and the instant (UTC ticks) its MoveAsync returned, stored.
using System.Diagnostics;
using System.Globalization;
using FunnelMetrics;
using FunnelMetrics.EntityFrameworkCore;
using FunnelMetrics.Recording;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

if (args is not (["record", _, _, _, _, _] or ["record", _, _, _, _, _, _] or ["create", _, _, _]))
{
    await Console.Error.WriteLineAsync("usage: record <sqlite|postgres> <connection string> <schema|-> <moves> <writers> [<update every>] | create <sqlite|postgres> <connection string> <schema|->");
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
var updateEvery = args.Length > 6 ? int.Parse(args[6], CultureInfo.InvariantCulture) : 0;
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
    var written = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() => Plan.WriteAsync(recorder, w, moves / writers + (w < moves % writers ? 1 : 0), updateEvery))));
    if (Environment.GetEnvironmentVariable("FUNNELMETRICS_FEED_TIMINGS") is { Length: > 0 } timings)
    {
        await File.WriteAllLinesAsync(timings, Plan.Stored.Select(t => $"{t.Id}\t{t.Ticks.ToString(CultureInfo.InvariantCulture)}"));
    }

    var updates = updateEvery > 0 ? $" and {written.Sum(x => x.Updates)} client updates" : "";
    Console.WriteLine($"recorded {moves} moves of {written.Sum(x => x.Clients)} clients{updates} in {watch.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
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

    /// <summary>Each move's event id and the instant its recording returned.</summary>
    public static System.Collections.Concurrent.ConcurrentQueue<(string Id, long Ticks)> Stored { get; } = new();

    public static PipelineDefinition Pipeline { get; } = new(new PipelineId("sales"), "Sales", [.. Stages.Select(s => new StageDefinition(s))]);

    /// <summary>
    /// Records <paramref name="moves"/> moves: groups of new clients, each moved through the stages in turns, every
    /// <paramref name="updateEvery"/>-th move followed by an update of the client's value (none for 0); returns the
    /// clients added and the updates recorded.
    /// </summary>
    public static async Task<(int Clients, int Updates)> WriteAsync(FunnelRecorder recorder, int writer, int moves, int updateEvery)
    {
        // Instants well in the past, so that no move is in the future: regular groups step forward from 30 days ago,
        // backdated groups from 60 days ago, both a minute per group and an hour per stage.
        var regular = TimeProvider.System.GetUtcNow().AddDays(-30);
        var backdated = regular.AddDays(-30);
        var clients = 0;
        var updates = 0;
        var done = 0;
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
                    var move = await recorder.MoveAsync(ids[k], Stages[stage], start.AddHours(stage + 1).AddSeconds(k));
                    Stored.Enqueue((move.Id.Value, TimeProvider.System.GetUtcNow().UtcTicks));
                    if (updateEvery > 0 && ++done % updateEvery == 0)
                    {
                        await recorder.UpdateClientAsync(ids[k], ClientChanges.None.WithValue(2000m + done), start.AddHours(stage + 1).AddSeconds(k + 1));
                        updates++;
                    }
                }
            }
        }

        return (clients, updates);
    }
}

/// <summary>Contexts over the options, in the schema given (PostgreSQL) or the default one.</summary>
internal sealed class Factory(DbContextOptions<FunnelMetricsDbContext> options, string? schema) : IDbContextFactory<FunnelMetricsDbContext>
{
    public FunnelMetricsDbContext CreateDbContext() => new(options, schema);
}
