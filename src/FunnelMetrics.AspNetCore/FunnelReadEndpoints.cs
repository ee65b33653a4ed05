using System.ComponentModel;
using FunnelMetrics.Analytics;
using FunnelMetrics.Forecasting;
using FunnelMetrics.Metrics;
using FunnelMetrics.Recording;
using FunnelMetrics.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FunnelMetrics.AspNetCore;

/// <summary>The read endpoints: the pipeline, a client's state and events, and every metric through <see cref="FunnelAnalytics"/>, within the caller's scope.</summary>
internal static class FunnelReadEndpoints
{
    public const string AsOf = "The instant, ISO 8601 with Z or an offset (a '+' written %2B); omitted for now.";
    public const string From = "The window's start, inclusive, ISO 8601 with an offset; omitted: the window's default length (30 days) before 'to'.";
    public const string To = "The window's end, exclusive, ISO 8601 with an offset; omitted for now. Must be after 'from'.";
    public const string Owner = "Only what is attributed to this owner; repeat for several. Omitted: every owner of the caller's scope; an owner outside it is 403.";
    public const string Attribute = "Only clients with this attribute as of the metric's instant, as key=value (such as region=north); repeat for several.";
    public const string EnteredFrom = "Entry cohort: only clients that first entered at or after this instant, ISO 8601 with an offset.";
    public const string EnteredTo = "Entry cohort: only clients that first entered before this instant, ISO 8601 with an offset.";

    /// <summary>The most months one forecast-accuracy request computes: each is a whole forecast.</summary>
    public const int MaxAccuracyMonths = 36;

    private static readonly string[] Lists = ["owner", "attribute"];

    public static async Task<Ok<PipelineDefinition>> GetPipelineAsync([Description("The pipeline.")] string pipelineId, HttpContext http)
    {
        FunnelQuery.Check(http.Request, []);
        return TypedResults.Ok(await FunnelHttp.PipelineAsync(http, FunnelQuery.Pipeline(pipelineId)).ConfigureAwait(false));
    }

    public static async Task<Ok<ClientView>> GetClientAsync([Description("The pipeline.")] string pipelineId, [Description("The client.")] string clientId, HttpContext http, FunnelRecorder recorder)
    {
        FunnelQuery.Check(http.Request, []);
        var target = await FunnelHttp.ClientAsync(http, pipelineId, clientId, recorder, write: false).ConfigureAwait(false);
        var client = await recorder.GetClientAsync(target.ClientId, cancellationToken: http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new ClientView(client, target.State));
    }

    public static async Task<Ok<IReadOnlyList<ClientEvent>>> GetClientEventsAsync([Description("The pipeline.")] string pipelineId, [Description("The client.")] string clientId, HttpContext http, FunnelRecorder recorder, IFunnelEventStore events)
    {
        FunnelQuery.Check(http.Request, []);
        var target = await FunnelHttp.ClientAsync(http, pipelineId, clientId, recorder, write: false).ConfigureAwait(false);
        var list = new List<ClientEvent>();
        await foreach (var e in events.ReadClientAsync(target.ClientId, http.RequestAborted).ConfigureAwait(false))
        {
            list.Add(e);
        }

        return TypedResults.Ok<IReadOnlyList<ClientEvent>>(list);
    }

    public static async Task<Ok<ClientEvent>> GetClientEventAsync(
        [Description("The pipeline.")] string pipelineId, [Description("The client.")] string clientId, [Description("The event's id, its idempotency key.")] string eventId,
        HttpContext http, FunnelRecorder recorder, IFunnelEventStore events)
    {
        FunnelQuery.Check(http.Request, []);
        var id = FunnelQuery.EventId(eventId, "eventId");
        var target = await FunnelHttp.ClientAsync(http, pipelineId, clientId, recorder, write: false).ConfigureAwait(false);
        var found = await events.FindAsync(id, http.RequestAborted).ConfigureAwait(false);
        return found is not null && found.ClientId == target.ClientId
            ? TypedResults.Ok(found)
            : throw new FunnelRequestException(404, "unknown-event", "The client has no such event.", $"Client '{target.ClientId}' has no event '{id}'.", "eventId");
    }

    public static async Task<Ok<StageCounts>> GetStageCountsAsync(
        [Description("The pipeline.")] string pipelineId, [Description(AsOf)] string? asOf,
        [Description(Owner)] string[]? owner, [Description(Attribute)] string[]? attribute, [Description(EnteredFrom)] string? enteredFrom, [Description(EnteredTo)] string? enteredTo,
        HttpContext http, FunnelAnalytics analytics)
    {
        var (pipeline, filter) = await PrepareAsync(http, pipelineId, ["asOf"], owner, attribute, enteredFrom, enteredTo).ConfigureAwait(false);
        var at = FunnelQuery.Instant(asOf, "asOf");
        return TypedResults.Ok(await analytics.GetStageCountsAsync(pipeline, at, filter, http.RequestAborted).ConfigureAwait(false));
    }

    public static async Task<Ok<PipelineValue>> GetPipelineValueAsync(
        [Description("The pipeline.")] string pipelineId, [Description(AsOf)] string? asOf,
        [Description(Owner)] string[]? owner, [Description(Attribute)] string[]? attribute, [Description(EnteredFrom)] string? enteredFrom, [Description(EnteredTo)] string? enteredTo,
        HttpContext http, FunnelAnalytics analytics)
    {
        var (pipeline, filter) = await PrepareAsync(http, pipelineId, ["asOf"], owner, attribute, enteredFrom, enteredTo).ConfigureAwait(false);
        var at = FunnelQuery.Instant(asOf, "asOf");
        return TypedResults.Ok(await analytics.GetPipelineValueAsync(pipeline, at, filter, http.RequestAborted).ConfigureAwait(false));
    }

    public static async Task<Ok<FlowLedger>> GetFlowAsync(
        [Description("The pipeline.")] string pipelineId,
        [Description("The first local day (the configured time zone), yyyy-MM-dd; required.")] string? firstDay,
        [Description("The last local day, inclusive, yyyy-MM-dd; omitted for today.")] string? lastDay,
        [Description(Owner)] string[]? owner, [Description(Attribute)] string[]? attribute, [Description(EnteredFrom)] string? enteredFrom, [Description(EnteredTo)] string? enteredTo,
        HttpContext http, FunnelAnalytics analytics)
    {
        var (pipeline, filter) = await PrepareAsync(http, pipelineId, ["firstDay", "lastDay"], owner, attribute, enteredFrom, enteredTo).ConfigureAwait(false);
        var first = FunnelQuery.Date(firstDay, "firstDay") ?? throw FunnelRequestException.BadParameter("firstDay", "The first day is required, yyyy-MM-dd.");
        var last = FunnelQuery.Date(lastDay, "lastDay");
        if (last is { } l && l < first)
        {
            throw FunnelRequestException.BadParameter("firstDay", $"The days are reversed: firstDay {first:yyyy-MM-dd} is after lastDay {l:yyyy-MM-dd}.");
        }

        return TypedResults.Ok(await analytics.GetFlowLedgerAsync(pipeline, first, last, filter, http.RequestAborted).ConfigureAwait(false));
    }

    public static async Task<Ok<TimeInStage>> GetTimeInStageAsync(
        [Description("The pipeline.")] string pipelineId, [Description(From)] string? from, [Description(To)] string? to,
        [Description(Owner)] string[]? owner, [Description(Attribute)] string[]? attribute, [Description(EnteredFrom)] string? enteredFrom, [Description(EnteredTo)] string? enteredTo,
        HttpContext http, FunnelAnalytics analytics, IOptions<FunnelEndpointsOptions> options)
    {
        var (pipeline, filter) = await PrepareAsync(http, pipelineId, ["from", "to"], owner, attribute, enteredFrom, enteredTo).ConfigureAwait(false);
        var window = FunnelQuery.Window(from, to, analytics.Now, options.Value.DefaultWindow);
        return TypedResults.Ok(await analytics.GetTimeInStageAsync(pipeline, window, filter, http.RequestAborted).ConfigureAwait(false));
    }

    public static async Task<Ok<Conversion>> GetConversionAsync(
        [Description("The pipeline.")] string pipelineId, [Description("The cohort window's start: clients reaching a stage from then on. " + From)] string? from, [Description(To)] string? to,
        [Description("When set, advancing counts only within this many seconds of first reaching a stage.")] string? conversionWindow,
        [Description(Owner)] string[]? owner, [Description(Attribute)] string[]? attribute, [Description(EnteredFrom)] string? enteredFrom, [Description(EnteredTo)] string? enteredTo,
        HttpContext http, FunnelAnalytics analytics, IOptions<FunnelEndpointsOptions> options)
    {
        var (pipeline, filter) = await PrepareAsync(http, pipelineId, ["from", "to", "conversionWindow"], owner, attribute, enteredFrom, enteredTo).ConfigureAwait(false);
        var window = FunnelQuery.Window(from, to, analytics.Now, options.Value.DefaultWindow);
        var within = FunnelQuery.Seconds(conversionWindow, "conversionWindow");
        return TypedResults.Ok(await analytics.GetConversionAsync(pipeline, window, within, filter, http.RequestAborted).ConfigureAwait(false));
    }

    public static async Task<Ok<Velocity>> GetVelocityAsync(
        [Description("The pipeline.")] string pipelineId, [Description(From)] string? from, [Description(To)] string? to,
        [Description(Owner)] string[]? owner, [Description(Attribute)] string[]? attribute, [Description(EnteredFrom)] string? enteredFrom, [Description(EnteredTo)] string? enteredTo,
        HttpContext http, FunnelAnalytics analytics, IOptions<FunnelEndpointsOptions> options)
    {
        var (pipeline, filter) = await PrepareAsync(http, pipelineId, ["from", "to"], owner, attribute, enteredFrom, enteredTo).ConfigureAwait(false);
        var window = FunnelQuery.Window(from, to, analytics.Now, options.Value.DefaultWindow);
        return TypedResults.Ok(await analytics.GetVelocityAsync(pipeline, window, filter, http.RequestAborted).ConfigureAwait(false));
    }

    public static async Task<Ok<StalledClients>> GetStalledAsync(
        [Description("The pipeline.")] string pipelineId, [Description(AsOf)] string? asOf,
        [Description(Owner)] string[]? owner, [Description(Attribute)] string[]? attribute, [Description(EnteredFrom)] string? enteredFrom, [Description(EnteredTo)] string? enteredTo,
        HttpContext http, FunnelAnalytics analytics)
    {
        var (pipeline, filter) = await PrepareAsync(http, pipelineId, ["asOf"], owner, attribute, enteredFrom, enteredTo).ConfigureAwait(false);
        var at = FunnelQuery.Instant(asOf, "asOf");
        return TypedResults.Ok(await analytics.GetStalledClientsAsync(pipeline, at, filter, http.RequestAborted).ConfigureAwait(false));
    }

    public static async Task<Ok<SlippedClients>> GetSlippedAsync(
        [Description("The pipeline.")] string pipelineId, [Description(AsOf)] string? asOf,
        [Description("The most clients listed, 0 to 1000; default 100. The counts count them all.")] string? limit,
        [Description(Owner)] string[]? owner, [Description(Attribute)] string[]? attribute, [Description(EnteredFrom)] string? enteredFrom, [Description(EnteredTo)] string? enteredTo,
        HttpContext http, FunnelAnalytics analytics)
    {
        var (pipeline, filter) = await PrepareAsync(http, pipelineId, ["asOf", "limit"], owner, attribute, enteredFrom, enteredTo).ConfigureAwait(false);
        var at = FunnelQuery.Instant(asOf, "asOf");
        var most = FunnelQuery.Integer(limit, "limit", 0, ClientListQuery.MaxLimit) ?? SlippedClientsCalculator.DefaultLimit;
        return TypedResults.Ok(await analytics.GetSlippedClientsAsync(pipeline, at, filter, most, http.RequestAborted).ConfigureAwait(false));
    }

    public static async Task<Ok<PipelineWaterfall>> GetWaterfallAsync(
        [Description("The pipeline.")] string pipelineId,
        [Description("The start: states as of this instant (events at or before it) open the waterfall, ISO 8601 with an offset; omitted: the window's default length (30 days) before 'to'.")] string? from,
        [Description("The end: states as of this instant close the waterfall, ISO 8601 with an offset; omitted for now. Must be after 'from'.")] string? to,
        [Description(Owner)] string[]? owner, [Description(Attribute)] string[]? attribute, [Description(EnteredFrom)] string? enteredFrom, [Description(EnteredTo)] string? enteredTo,
        HttpContext http, FunnelAnalytics analytics, IOptions<FunnelEndpointsOptions> options)
    {
        var (pipeline, filter) = await PrepareAsync(http, pipelineId, ["from", "to"], owner, attribute, enteredFrom, enteredTo).ConfigureAwait(false);
        var window = FunnelQuery.Window(from, to, analytics.Now, options.Value.DefaultWindow);
        return TypedResults.Ok(await analytics.GetWaterfallAsync(pipeline, window.Start, window.End, filter, http.RequestAborted).ConfigureAwait(false));
    }

    public static async Task<Ok<StuckStages>> GetStuckStagesAsync(
        [Description("The pipeline.")] string pipelineId, [Description("The current window's start, compared with the window of the same length before it. " + From)] string? from, [Description(To)] string? to,
        [Description(Owner)] string[]? owner, [Description(Attribute)] string[]? attribute, [Description(EnteredFrom)] string? enteredFrom, [Description(EnteredTo)] string? enteredTo,
        HttpContext http, FunnelAnalytics analytics, IOptions<FunnelEndpointsOptions> options)
    {
        var (pipeline, filter) = await PrepareAsync(http, pipelineId, ["from", "to"], owner, attribute, enteredFrom, enteredTo).ConfigureAwait(false);
        var window = FunnelQuery.Window(from, to, analytics.Now, options.Value.DefaultWindow);
        return TypedResults.Ok(await analytics.GetStuckStagesAsync(pipeline, window, filter, http.RequestAborted).ConfigureAwait(false));
    }

    public static async Task<Ok<Forecast>> GetForecastAsync(
        [Description("The pipeline.")] string pipelineId, [Description(AsOf)] string? asOf,
        [Description("When set, also the wins by this instant (such as the end of the month), ISO 8601 with an offset; after asOf.")] string? horizonEnd,
        [Description("When set (with horizonEnd), also the daily intake that reaches this many wins.")] string? targetWins,
        [Description(Owner)] string[]? owner, [Description(Attribute)] string[]? attribute, [Description(EnteredFrom)] string? enteredFrom, [Description(EnteredTo)] string? enteredTo,
        HttpContext http, FunnelAnalytics analytics)
    {
        var (pipeline, filter) = await PrepareAsync(http, pipelineId, ["asOf", "horizonEnd", "targetWins"], owner, attribute, enteredFrom, enteredTo).ConfigureAwait(false);
        var at = FunnelQuery.Instant(asOf, "asOf");
        var horizon = FunnelQuery.Instant(horizonEnd, "horizonEnd");
        var target = FunnelQuery.Integer(targetWins, "targetWins", 1, 1_000_000);
        if (horizon is { } h && h <= (at ?? analytics.Now))
        {
            throw FunnelRequestException.BadParameter("horizonEnd", $"The horizon {h:O} is not after the forecast's instant {at ?? analytics.Now:O}.");
        }

        if (target is not null && horizon is null)
        {
            throw FunnelRequestException.BadParameter("targetWins", "A target of wins needs a horizon: set horizonEnd too.");
        }

        return TypedResults.Ok(await analytics.GetForecastAsync(pipeline, horizon, target, at, filter, http.RequestAborted).ConfigureAwait(false));
    }

    public static async Task<Ok<Backtest>> GetBacktestAsync(
        [Description("The pipeline.")] string pipelineId,
        [Description("The first instant a past forecast is made at, inclusive. " + From)] string? from, [Description("No forecast at or after this instant. " + To)] string? to,
        [Description("The spacing of the past forecasts, in seconds; required.")] string? step,
        [Description("Each forecast's span, in seconds; required.")] string? horizon,
        [Description(Owner)] string[]? owner, [Description(Attribute)] string[]? attribute, [Description(EnteredFrom)] string? enteredFrom, [Description(EnteredTo)] string? enteredTo,
        HttpContext http, FunnelAnalytics analytics, IOptions<FunnelEndpointsOptions> options)
    {
        var (pipeline, filter) = await PrepareAsync(http, pipelineId, ["from", "to", "step", "horizon"], owner, attribute, enteredFrom, enteredTo).ConfigureAwait(false);
        var window = FunnelQuery.Window(from, to, analytics.Now, options.Value.DefaultWindow);
        var every = FunnelQuery.Seconds(step, "step") ?? throw FunnelRequestException.BadParameter("step", "step is required: the spacing of the past forecasts in seconds, such as 604800 for a week.");
        var span = FunnelQuery.Seconds(horizon, "horizon") ?? throw FunnelRequestException.BadParameter("horizon", "horizon is required: each forecast's span in seconds, such as 2592000 for 30 days.");
        if (window.Duration / every > ForecastCalculator.MaxBacktestPoints)
        {
            throw FunnelRequestException.BadParameter("step", $"A step of {every.TotalSeconds} s over {window} makes more than {ForecastCalculator.MaxBacktestPoints} forecasts; use a longer step.");
        }

        return TypedResults.Ok(await analytics.GetBacktestAsync(pipeline, window, every, span, filter, http.RequestAborted).ConfigureAwait(false));
    }

    public static async Task<Ok<FunnelTrends>> GetTrendsAsync(
        [Description("The pipeline.")] string pipelineId,
        [Description("The periods: day, week (ISO, Monday to Sunday) or month, in the configured time zone; default week.")] string? period,
        [Description("The window's start, inclusive, ISO 8601 with an offset; omitted: 30 days, 13 weeks (91 days) or 12 months (365 days) before 'to', by the period. The first period is cut to it.")] string? from,
        [Description(To)] string? to,
        [Description("true to add one series per owner; default false.")] string? byOwner,
        [Description(Owner)] string[]? owner, [Description(Attribute)] string[]? attribute, [Description(EnteredFrom)] string? enteredFrom, [Description(EnteredTo)] string? enteredTo,
        HttpContext http, FunnelAnalytics analytics)
    {
        var (pipeline, filter) = await PrepareAsync(http, pipelineId, ["period", "from", "to", "byOwner"], owner, attribute, enteredFrom, enteredTo).ConfigureAwait(false);
        var (kind, length) = period switch
        {
            null or "week" => (CohortPeriod.Week, TimeSpan.FromDays(91)),
            "day" => (CohortPeriod.Day, TimeSpan.FromDays(30)),
            "month" => (CohortPeriod.Month, TimeSpan.FromDays(365)),
            _ => throw FunnelRequestException.BadParameter("period", $"'{period}' is not a period; one of day, week, month."),
        };
        var perOwner = byOwner switch
        {
            null or "false" => false,
            "true" => true,
            _ => throw FunnelRequestException.BadParameter("byOwner", $"'{byOwner}' is not true or false."),
        };
        var window = FunnelQuery.Window(from, to, analytics.Now, length);
        var longest = kind switch { CohortPeriod.Day => TimeSpan.FromDays(FunnelTrendsCalculator.MaxPeriods - 1), CohortPeriod.Week => TimeSpan.FromDays(7 * (FunnelTrendsCalculator.MaxPeriods - 1)), _ => TimeSpan.FromDays(28 * (FunnelTrendsCalculator.MaxPeriods - 1)) };
        if (window.Duration > longest)
        {
            throw FunnelRequestException.BadParameter("from", $"The window {window} holds more than {FunnelTrendsCalculator.MaxPeriods} periods of a {period ?? "week"}; use a shorter window or a longer period.");
        }

        return TypedResults.Ok(await analytics.GetTrendsAsync(pipeline, window, kind, filter, perOwner, http.RequestAborted).ConfigureAwait(false));
    }

    public static async Task<Ok<Backtest>> GetForecastAccuracyAsync(
        [Description("The pipeline.")] string pipelineId,
        [Description("The first month, yyyy-MM; omitted: five months before the last (six points).")] string? firstMonth,
        [Description("The last month, inclusive, yyyy-MM; omitted: the last month over in the configured time zone. A month not over counts the wins so far.")] string? lastMonth,
        [Description(Owner)] string[]? owner, [Description(Attribute)] string[]? attribute, [Description(EnteredFrom)] string? enteredFrom, [Description(EnteredTo)] string? enteredTo,
        HttpContext http, FunnelAnalytics analytics, IOptions<FunnelMetricsOptions> metrics)
    {
        var (pipeline, filter) = await PrepareAsync(http, pipelineId, ["firstMonth", "lastMonth"], owner, attribute, enteredFrom, enteredTo).ConfigureAwait(false);

        // The defaults FunnelAnalytics would take, made here so that every pair is checked: the last month over, six months.
        var today = TimeZoneDays.DateOf(analytics.Now, TimeZoneInfo.FindSystemTimeZoneById(metrics.Value.TimeZone));
        var last = FunnelQuery.Month(lastMonth, "lastMonth") ?? new DateOnly(today.Year, today.Month, 1).AddMonths(-1);
        var first = FunnelQuery.Month(firstMonth, "firstMonth") ?? last.AddMonths(-5);
        if (last < first || ((last.Year - first.Year) * 12) + last.Month - first.Month >= MaxAccuracyMonths)
        {
            throw FunnelRequestException.BadParameter(firstMonth is null ? "lastMonth" : "firstMonth", $"The months {first:yyyy-MM} to {last:yyyy-MM} are reversed or more than {MaxAccuracyMonths}: each month is a whole forecast.");
        }

        return TypedResults.Ok(await analytics.GetForecastAccuracyAsync(pipeline, first, last, filter, http.RequestAborted).ConfigureAwait(false));
    }

    public static async Task<Ok<FunnelDashboard>> GetDashboardAsync(
        [Description("The pipeline.")] string pipelineId, [Description(AsOf)] string? asOf,
        [Description("The wins the month should bring; omitted for the recent pace.")] string? targetWins,
        [Description(Owner)] string[]? owner, [Description(Attribute)] string[]? attribute, [Description(EnteredFrom)] string? enteredFrom, [Description(EnteredTo)] string? enteredTo,
        HttpContext http, FunnelAnalytics analytics)
    {
        var (pipeline, filter) = await PrepareAsync(http, pipelineId, ["asOf", "targetWins"], owner, attribute, enteredFrom, enteredTo).ConfigureAwait(false);
        var request = new DashboardRequest
        {
            AsOf = FunnelQuery.Instant(asOf, "asOf"),
            TargetWins = FunnelQuery.Integer(targetWins, "targetWins", 0, 1_000_000),
            Filter = filter == FunnelFilter.All ? null : filter,
        };
        return TypedResults.Ok(await analytics.GetDashboardAsync(pipeline, request, http.RequestAborted).ConfigureAwait(false));
    }

    public static async Task<Ok<ClientList>> ListClientsAsync(
        [Description("The pipeline.")] string pipelineId,
        [Description("The count whose clients are listed: InStage (needs stage), InWork, ClosedLost, Stalled, Slipped (states as of asOf; Slipped in the configured time zone's days); New, Entered, MovedForward, Regressed, Won, Lost, Reopened (events in the window from-to).")] string? measure,
        [Description("The stage: required for InStage, an optional condition for the others, none for Won.")] string? stage,
        [Description("The instant of a state measure. " + AsOf)] string? asOf,
        [Description("The window's start of an event measure. " + From)] string? from, [Description("The window's end of an event measure. " + To)] string? to,
        [Description("How many rows to skip; default 0.")] string? offset, [Description("The most rows to return, 1 to 1000; default 50.")] string? limit,
        [Description(Owner)] string[]? owner, [Description(Attribute)] string[]? attribute, [Description(EnteredFrom)] string? enteredFrom, [Description(EnteredTo)] string? enteredTo,
        HttpContext http, FunnelAnalytics analytics, IOptions<FunnelEndpointsOptions> options)
    {
        var (pipeline, filter) = await PrepareAsync(http, pipelineId, ["measure", "stage", "asOf", "from", "to", "offset", "limit"], owner, attribute, enteredFrom, enteredTo).ConfigureAwait(false);
        if (measure is null || !Enum.GetNames<ClientListMeasure>().Contains(measure, StringComparer.Ordinal) || !Enum.TryParse<ClientListMeasure>(measure, out var kind))
        {
            throw FunnelRequestException.BadParameter("measure", $"{(measure is null ? "The measure is required" : $"'{measure}' is not a measure")}; one of {string.Join(", ", Enum.GetNames<ClientListMeasure>())}.");
        }

        var definition = await FunnelHttp.PipelineAsync(http, pipeline).ConfigureAwait(false);
        StageId? key = null;
        if (stage is not null)
        {
            key = FunnelQuery.Stage(stage, "stage");
            if (!definition.Contains(key.Value))
            {
                throw FunnelRequestException.BadParameter("stage", $"Stage '{key}' is not a stage of pipeline '{pipeline}'; its stages are {string.Join(", ", definition.Stages.Select(s => s.Key))}.");
            }
        }

        var query = new ClientListQuery
        {
            Measure = kind,
            Stage = key,
            Filter = filter == FunnelFilter.All ? null : filter,
            Offset = FunnelQuery.Integer(offset, "offset", 0, int.MaxValue) ?? 0,
            Limit = FunnelQuery.Integer(limit, "limit", 1, ClientListQuery.MaxLimit) ?? 50,
        };
        if (kind == ClientListMeasure.InStage && key is null)
        {
            throw FunnelRequestException.BadParameter("stage", "The measure InStage lists the clients in one stage: name it with stage.");
        }

        if (kind == ClientListMeasure.Won && key is not null)
        {
            throw FunnelRequestException.BadParameter("stage", $"The measure Won lists the moves into the won stage '{definition.WonStage}'; it takes no stage.");
        }

        if (query.IsState)
        {
            if ((from ?? to) is not null)
            {
                throw FunnelRequestException.BadParameter(from is not null ? "from" : "to", $"The measure {kind} is a state as of an instant: give asOf, not a window.");
            }

            query = query with { AsOf = FunnelQuery.Instant(asOf, "asOf") };
        }
        else
        {
            if (asOf is not null)
            {
                throw FunnelRequestException.BadParameter("asOf", $"The measure {kind} counts events in a window: give from and to, not asOf.");
            }

            query = query with { Window = FunnelQuery.Window(from, to, analytics.Now, options.Value.DefaultWindow) };
        }

        return TypedResults.Ok(await analytics.ListClientsAsync(pipeline, query, http.RequestAborted).ConfigureAwait(false));
    }

    /// <summary>The pipeline of the route, the query checked, and the filter within the caller's scope.</summary>
    private static async Task<(PipelineId Pipeline, FunnelFilter Filter)> PrepareAsync(HttpContext http, string pipelineId, string[] own, string[]? owner, string[]? attribute, string? enteredFrom, string? enteredTo)
    {
        FunnelQuery.Check(http.Request, [.. own, "owner", "attribute", "enteredFrom", "enteredTo"], Lists);
        var pipeline = FunnelQuery.Pipeline(pipelineId);
        var scope = await FunnelHttp.ScopeAsync(http, pipeline).ConfigureAwait(false);
        return (pipeline, FunnelQuery.Filter(owner, attribute, enteredFrom, enteredTo, scope));
    }
}
