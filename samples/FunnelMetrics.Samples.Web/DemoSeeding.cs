using FunnelMetrics.Analytics;
using FunnelMetrics.EntityFrameworkCore;
using FunnelMetrics.Import;
using FunnelMetrics.Samples.Dashboard;
using FunnelMetrics.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace FunnelMetrics.Samples.Web;

/// <summary>
/// Prepares the store before the host starts (so before the hosted read model loads it): creates the tables, stores the
/// demo pipeline, imports the generated team when the store holds no client yet, and starts the demo clock after the
/// last stored event. A database that cannot be used is a <see cref="SampleStartupException"/> naming the setting.
/// </summary>
internal sealed partial class DemoSeeding(IServiceScopeFactory scopes, SampleSettings settings, SampleClock clock, ILogger<DemoSeeding> logger)
{
    /// <summary>The time of day the demo clock starts at on the generated history's last day (every generated event is earlier).</summary>
    public static readonly TimeOnly DemoStartTime = new(18, 0);

    /// <summary>Prepares the store.</summary>
    /// <param name="cancellationToken">Cancels it.</param>
    /// <returns>When the store is ready.</returns>
    /// <exception cref="SampleStartupException">The database cannot be used.</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SeedAsync(cancellationToken);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex, out var reason))
        {
            var key = settings.Storage == SampleStorage.Postgres ? SampleSettings.PostgresKey : SampleSettings.DatabaseKey;
            throw new SampleStartupException($"{key}: the {settings.Describe()} cannot be used: {reason}", ex);
        }
    }

    private async Task SeedAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await using (var context = await services.GetRequiredService<IDbContextFactory<FunnelMetricsDbContext>>().CreateDbContextAsync(cancellationToken))
        {
            await context.Database.EnsureCreatedAsync(cancellationToken);
        }

        var pipelines = services.GetRequiredService<IPipelineRepository>();
        var pipeline = await pipelines.GetAsync(DemoTeam.Pipeline.Id, cancellationToken);
        if (pipeline is null)
        {
            await pipelines.AddAsync(DemoTeam.Pipeline, cancellationToken);
            pipeline = DemoTeam.Pipeline;
        }

        var store = settings.Describe();
        var clients = services.GetRequiredService<IClientRepository>();
        var holdsClients = await clients.ListAsync(pipeline.Id, limit: 1, cancellationToken: cancellationToken).AnyAsync(cancellationToken);
        if (!holdsClients)
        {
            var result = await services.GetRequiredService<FunnelImporter>().ImportAsync(pipeline.Id, DemoTeam.Generate(pipeline), cancellationToken: cancellationToken);
            if (!result.Succeeded)
            {
                throw new SampleStartupException($"The generated team could not be imported: {result.Problems[0].Message}", null);
            }

            LogImported(result.ClientsAdded, result.EventsAppended, store);
        }
        else
        {
            LogKept(store);
        }

        if (clock.Kind == SampleClockKind.Demo)
        {
            var log = await services.GetRequiredService<FunnelAnalytics>().LoadFromStorageAsync(pipeline.Id, cancellationToken);
            var start = new DateTimeOffset(DemoTeam.LastDay.ToDateTime(DemoStartTime), TimeSpan.Zero);
            if (log.LastEventAt is { } last && last >= start)
            {
                start = last.AddMinutes(1);
            }

            clock.StartAt(start);
            LogClock(start);
        }
    }

    private static bool IsDatabaseFailure(Exception exception, out string reason)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SqliteException or NpgsqlException or System.Net.Sockets.SocketException)
            {
                reason = e.Message;
                return true;
            }
        }

        reason = "";
        return false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Imported the generated team ({Clients} clients, {Events} events) into the {Store}.")]
    private partial void LogImported(int clients, long events, string store);

    [LoggerMessage(Level = LogLevel.Information, Message = "The {Store} holds clients already: showing them as stored.")]
    private partial void LogKept(string store);

    [LoggerMessage(Level = LogLevel.Information, Message = "The demo clock starts at {Start:u} and runs at real speed (Sample:Clock=system for the machine's clock).")]
    private partial void LogClock(DateTimeOffset start);
}

/// <summary>The sample cannot start (its database cannot be used): the message names the setting; printed as one line, exit code 3.</summary>
/// <param name="message">What failed.</param>
/// <param name="inner">The failure.</param>
internal sealed class SampleStartupException(string message, Exception? inner) : Exception(message, inner);
