using FunnelMetrics.Analytics;
using FunnelMetrics.AspNetCore;
using FunnelMetrics.Recording;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

// Extension methods live in the namespace of what they extend, by convention, so they need no extra using.
#pragma warning disable IDE0130 // Namespace does not match folder structure
namespace Microsoft.AspNetCore.Builder;
#pragma warning restore IDE0130

/// <summary>Maps the FunnelMetrics HTTP endpoints (<see cref="MapFunnelMetrics"/>).</summary>
public static class FunnelEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps FunnelMetrics over HTTP on a route group, as <c>MapIdentityApi</c> does, and returns the group so the host
    /// adds its prefix (map on <c>app.MapGroup("/funnel")</c>), authorization (<c>RequireAuthorization</c>) and rate
    /// limiting: the writes (<c>POST /pipelines/{pipelineId}/clients</c> and <c>.../clients/{clientId}/moves</c>,
    /// <c>losses</c>, <c>reopenings</c>, <c>activities</c>, <c>reassignments</c>, <c>updates</c>, idempotent by the
    /// <c>Idempotency-Key</c> header), the reads (the pipeline, the dashboard, the clients behind a count, a client's state
    /// and events, each metric), and the Server-Sent Events stream of the dashboard from the warm model. Every error is an RFC 9457 problem
    /// (<c>application/problem+json</c>); see docs/integration.md for the routes and the problems. Register the services
    /// first with <c>services.AddFunnelMetricsEndpoints()</c>, beside <c>AddFunnelMetrics()</c>. Map it once per application.
    /// </summary>
    /// <param name="endpoints">The application or a route group.</param>
    /// <returns>The route group of the endpoints.</returns>
    /// <exception cref="InvalidOperationException"><c>AddFunnelMetricsEndpoints</c> or <c>AddFunnelMetrics</c> was not called.</exception>
    public static RouteGroupBuilder MapFunnelMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<FunnelEndpointsMarker>() is null)
        {
            throw new InvalidOperationException("MapFunnelMetrics needs its services: call services.AddFunnelMetricsEndpoints() (beside services.AddFunnelMetrics()) before building the application.");
        }

        if (endpoints.ServiceProvider.GetService<IServiceProviderIsService>() is { } services && !services.IsService(typeof(FunnelRecorder)))
        {
            throw new InvalidOperationException("MapFunnelMetrics needs the library: call services.AddFunnelMetrics() (and choose its storage) before building the application.");
        }

        var group = endpoints.MapGroup("");
        group.AddEndpointFilter(FunnelProblems.FilterAsync);
        group.WithTags("FunnelMetrics");

        var pipeline = group.MapGroup("/pipelines/{pipelineId}");
        var client = pipeline.MapGroup("/clients/{clientId}");

        // Writes.
        Write(pipeline.MapPost("/clients", FunnelWriteEndpoints.AddClientAsync), "AddClient", "Adds a client to the pipeline", "201 with the client the first time, 200 when an equal client exists (a retry); 409 for a different client with the same id.")
            .Accepts<AddClientRequest>("application/json");
        Write(client.MapPost("/moves", FunnelWriteEndpoints.MoveAsync), "MoveClient", "Moves a client to a stage", "The first move enters the client into the pipeline; later ones are advanced, skipped, regressed or won by the stage order.")
            .Accepts<MoveRequest>("application/json");
        Write(client.MapPost("/losses", FunnelWriteEndpoints.LoseAsync), "LoseClient", "Marks a client as lost", "At the stage it is in.")
            .Accepts<LoseRequest>("application/json");
        Write(client.MapPost("/reopenings", FunnelWriteEndpoints.ReopenAsync), "ReopenClient", "Reopens a won or lost client", "Into an open stage.")
            .Accepts<ReopenRequest>("application/json");
        Write(client.MapPost("/activities", FunnelWriteEndpoints.RecordActivityAsync), "RecordActivity", "Records an action with a client", "An action that changes no stage, such as a follow-up call.")
            .Accepts<ActivityRequest>("application/json");
        Write(client.MapPost("/reassignments", FunnelWriteEndpoints.ReassignAsync), "ReassignClient", "Hands a client to another owner", "From the event's instant on, the client counts for the new owner.")
            .Accepts<ReassignRequest>("application/json");
        Write(client.MapPost("/updates", FunnelWriteEndpoints.UpdateClientAsync), "UpdateClient", "Records that a client's details changed", "Its deal value, expected close date or attributes; it moves no stage.")
            .Accepts<UpdateClientRequest>("application/json");

        // Reads.
        Read(pipeline.MapGet("/dashboard", FunnelReadEndpoints.GetDashboardAsync), "GetDashboard", "The head of sales' dashboard", "The funnel per manager, today against the average of the previous working days, speed and conversion, the stuck stages and the most overdue clients, the month's forecast: one answer from the warm model.");
        Read(pipeline.MapGet("/clients", FunnelReadEndpoints.ListClientsAsync), "ListClients", "The clients behind a count (drill-down)", "One page (offset, limit) of the rows behind a dashboard count: the clients in a stage, stalled, new, won, lost... with the total.");
        Read(pipeline.MapGet("", FunnelReadEndpoints.GetPipelineAsync), "GetPipeline", "The pipeline's definition", "Its stages in order, the won stage, the currency.");
        Read(client.MapGet("", FunnelReadEndpoints.GetClientAsync), "GetClient", "A client's current details and state", "A client outside the caller's scope is 404.");
        Read(client.MapGet("/events", FunnelReadEndpoints.GetClientEventsAsync), "GetClientEvents", "A client's events", "In stream order.");
        Read(client.MapGet("/events/{eventId}", FunnelReadEndpoints.GetClientEventAsync), "GetClientEvent", "One event of a client", "By its id, the Idempotency-Key it was recorded with.");
        Read(pipeline.MapGet("/stage-counts", FunnelReadEndpoints.GetStageCountsAsync), "GetStageCounts", "The clients at each stage", "As of an instant, per stage and per owner.");
        Read(pipeline.MapGet("/pipeline-value", FunnelReadEndpoints.GetPipelineValueAsync), "GetPipelineValue", "Money per stage", "As of an instant, per open stage and per owner: the clients, how many have a deal value and how many have none, the sum of the known values, and that sum weighted by each stage's configured win probability and by the forecast chain's.");
        Read(pipeline.MapGet("/flow", FunnelReadEndpoints.GetFlowAsync), "GetFlow", "The daily flow ledger", "Entries, moves, wins and losses per local day in the configured time zone.");
        Read(pipeline.MapGet("/time-in-stage", FunnelReadEndpoints.GetTimeInStageAsync), "GetTimeInStage", "Time in stage", "Median and percentiles of the visits begun in the window, with the censoring of visits still open.");
        Read(pipeline.MapGet("/conversion", FunnelReadEndpoints.GetConversionAsync), "GetConversion", "Stage-to-stage conversion", "Of the clients reaching each stage in the cohort window.");
        Read(pipeline.MapGet("/velocity", FunnelReadEndpoints.GetVelocityAsync), "GetVelocity", "Velocity", "Wins, losses and cycle times in the window.");
        Read(pipeline.MapGet("/stalled", FunnelReadEndpoints.GetStalledAsync), "GetStalledClients", "The stalled clients", "Clients past their stage's stall threshold as of an instant.");
        Read(pipeline.MapGet("/slipped", FunnelReadEndpoints.GetSlippedAsync), "GetSlippedClients", "The slipped expected close dates", "Open clients whose expected close date is before the instant's local day (the configured time zone), per stage and owner, the most overdue first.");
        Read(pipeline.MapGet("/waterfall", FunnelReadEndpoints.GetWaterfallAsync), "GetWaterfall", "The pipeline waterfall", "The pipeline open at 'from', then new, moved in and out per stage, won, lost, reopened, handed over, value changes, and the pipeline open at 'to', by count and value, per stage and owner, with the stage matrix.");
        Read(pipeline.MapGet("/stuck-stages", FunnelReadEndpoints.GetStuckStagesAsync), "GetStuckStages", "Where clients get stuck", "Stages ranked by stalls and slowdown against the window before.");
        Read(pipeline.MapGet("/trends", FunnelReadEndpoints.GetTrendsAsync), "GetTrends", "Trends per day, week or month of entry", "Per period and stage: time in stage of the visits begun in it (median, p90, Kaplan-Meier) and conversion and drop-off of the clients who first reached the stage in it, outcomes as of now; optionally per owner.");
        Read(pipeline.MapGet("/forecast", FunnelReadEndpoints.GetForecastAsync), "GetForecast", "The forecast of the clients in work", "Expected wins, by a horizon when given, with the P10-P90 band.");
        Read(pipeline.MapGet("/backtest", FunnelReadEndpoints.GetBacktestAsync), "GetBacktest", "The forecast's backtest", "Past forecasts made every step in the window, each against what happened within its horizon.");
        Read(pipeline.MapGet("/forecast-accuracy", FunnelReadEndpoints.GetForecastAccuracyAsync), "GetForecastAccuracy", "The forecast against actuals, month by month", "A forecast made at each past month start (configured time zone) for the month's end, against the wins of the month, with its error; at most 36 months.");

        // The live stream.
        pipeline.MapGet("/dashboard/stream", FunnelStreamEndpoint.StreamAsync)
            .WithName("FunnelMetrics.StreamDashboard")
            .WithSummary("A Server-Sent Events stream of the dashboard, live")
            .WithDescription("text/event-stream: an event 'dashboard' (the dashboard for the request's owner, attribute and targetWins, as GET .../dashboard answers it, with the feed position as its id) when the stream opens and at most one per snapshot the warm model publishes (within a second of a write), keep-alive comments in between. 503 when no warm read model serves the pipeline.")
            .Produces<FunnelDashboard>(StatusCodes.Status200OK, FunnelStreamEndpoint.ContentType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return group;
    }

    private static RouteHandlerBuilder Write(RouteHandlerBuilder endpoint, string name, string summary, string description) =>
        endpoint.WithName("FunnelMetrics." + name)
            .WithSummary(summary)
            .WithDescription(description)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    private static RouteHandlerBuilder Read(RouteHandlerBuilder endpoint, string name, string summary, string description) =>
        endpoint.WithName("FunnelMetrics." + name)
            .WithSummary(summary)
            .WithDescription(description)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
}
