using System.Collections.Frozen;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace FunnelMetrics.AspNetCore;

/// <summary>
/// The one table from what went wrong to an RFC 9457 problem: each <see cref="FunnelRule"/> and each other refusal of
/// the library with its status and stable <c>type</c> URI, and the problem details written for it with the client,
/// stage, instant and rule in extensions.
/// </summary>
internal static class FunnelProblems
{
    /// <summary>The prefix of a broken rule's type: <c>urn:funnelmetrics:rule:same-stage</c> and so on.</summary>
    public const string RuleTypePrefix = "urn:funnelmetrics:rule:";

    /// <summary>The prefix of every other problem's type: <c>urn:funnelmetrics:problem:unknown-client</c> and so on.</summary>
    public const string ProblemTypePrefix = "urn:funnelmetrics:problem:";

    /// <summary>Each rule's status and title: 404 for a stage the pipeline does not have, 422 for every rule broken.</summary>
    public static readonly FrozenDictionary<FunnelRule, (int Status, string Title)> Rules = new Dictionary<FunnelRule, (int, string)>
    {
        [FunnelRule.SameStage] = (422, "The client is already in that stage."),
        [FunnelRule.ClientClosed] = (422, "The client is won or lost: reopen it first."),
        [FunnelRule.ReopenOfOpenClient] = (422, "Only a won or lost client can be reopened."),
        [FunnelRule.ClientNotEntered] = (422, "The client has not entered the pipeline yet: move it into a stage first."),
        [FunnelRule.EntryIntoWonStage] = (422, "A client cannot enter straight into the won stage: enter an open stage first."),
        [FunnelRule.ReopenIntoWonStage] = (422, "A client is reopened into an open stage, not the won stage."),
        [FunnelRule.EventBeforePreviousEvent] = (422, "The instant is before the client's previous event."),
        [FunnelRule.EventBeforeClientCreated] = (422, "The instant is before the client was created."),
        [FunnelRule.EventInFuture] = (422, "The instant is in the future."),
        [FunnelRule.SameOwner] = (422, "The client already has that owner."),
        [FunnelRule.AlreadyEntered] = (422, "The client has already entered the pipeline."),
        [FunnelRule.FromStageMismatch] = (422, "The transition does not start at the client's current stage."),
        [FunnelRule.KindContradictsStageOrder] = (422, "The transition's kind contradicts the stage order."),
        [FunnelRule.SequenceNotNext] = (422, "The event is not the next one of the client's stream."),
        [FunnelRule.UnknownStage] = (404, "The pipeline has no such stage."),
        [FunnelRule.ReassignmentFromOtherOwner] = (422, "The reassignment does not start at the client's current owner."),
    }.ToFrozenDictionary();

    /// <summary>The stable type URI of a rule, such as <c>urn:funnelmetrics:rule:same-stage</c>.</summary>
    public static string RuleType(FunnelRule rule) => RuleTypePrefix + Kebab(rule.ToString());

    /// <summary>The type URI of a problem that is not a rule, such as <c>urn:funnelmetrics:problem:unknown-client</c>.</summary>
    public static string ProblemType(string slug) => ProblemTypePrefix + slug;

    /// <summary>The problem for an exception the endpoints know, or <see langword="null"/> for any other (left to the host).</summary>
    public static ProblemDetails? For(Exception exception) => exception switch
    {
        FunnelRequestException e => e.ToProblem(),
        UnknownStageException e => Rule(FunnelRule.UnknownStage, e.Message, e.ClientId, e.Stage, null).With("pipelineId", e.PipelineId.Value),
        ClosedClientException e => Rule(e.Rule, e.Message, e.ClientId, e.RequestedStage ?? e.Stage, e.OccurredAt)
            .With("clientStatus", e.Status.ToString())
            .With("currentStage", e.Stage?.Value),
        SameStageException e => Rule(e.Rule, e.Message, e.ClientId, e.Stage, e.OccurredAt),
        EventOrderException e => Rule(e.Rule, e.Message, e.ClientId, null, e.OccurredAt).With("notBefore", e.NotBefore),
        FutureEventException e => Rule(e.Rule, e.Message, e.ClientId, null, e.OccurredAt).With("now", e.Now).With("toleranceSeconds", e.Tolerance.TotalSeconds),
        FunnelRuleException e => Rule(e.Rule, e.Message, e.ClientId, null, e.OccurredAt),
        UnknownClientException e => Problem(404, "unknown-client", "The pipeline has no such client.", e.Message).With("clientId", e.ClientId.Value),
        UnknownPipelineException e => Problem(404, "unknown-pipeline", "No such pipeline.", e.Message).With("pipelineId", e.PipelineId.Value),
        ConcurrencyConflictException e => Problem(409, "concurrency-conflict", "Another writer changed the client first: read it again and retry.", e.Message)
            .With("clientId", e.ClientId.Value).With("expectedVersion", e.ExpectedVersion).With("actualVersion", e.ActualVersion),
        EventIdConflictException e => Problem(409, "event-id-conflict", "The Idempotency-Key was used for another request.", e.Message)
            .With("eventId", e.EventId.Value).With("clientId", e.ClientId.Value),
        ClientConflictException e => Problem(409, "client-conflict", "A different client with that id exists.", e.Message).With("clientId", e.Existing.Id.Value),
        PipelineConflictException e => Problem(409, "pipeline-conflict", "A different pipeline with that id exists.", e.Message).With("pipelineId", e.Existing.Id.Value),
        FunnelHistoryException e => Problem(500, "broken-history", "A stored history breaks a rule of the funnel.", e.Message)
            .With("rule", e.Rule.ToString()).With("clientId", e.ClientId.Value).With("eventId", e.EventId.Value).With("occurredAt", e.OccurredAt),
        ArgumentException e => Problem(400, "invalid-request", "The request breaks a rule of a value.", e.Message).With("parameter", e.ParamName),
        _ => null,
    };

    /// <summary>A broken rule: its status and title from <see cref="Rules"/>, its type, and the client, stage, instant and rule.</summary>
    public static ProblemDetails Rule(FunnelRule rule, string detail, ClientId? clientId, StageId? stage, DateTimeOffset? occurredAt)
    {
        var (status, title) = Rules[rule];
        return new ProblemDetails { Status = status, Type = RuleType(rule), Title = title, Detail = detail }
            .With("rule", rule.ToString())
            .With("clientId", clientId?.Value)
            .With("stage", stage?.Value)
            .With("occurredAt", occurredAt);
    }

    /// <summary>A problem that is not a rule.</summary>
    public static ProblemDetails Problem(int status, string slug, string title, string detail) =>
        new() { Status = status, Type = ProblemType(slug), Title = title, Detail = detail };

    /// <summary>Adds an extension when it has a value.</summary>
    public static ProblemDetails With(this ProblemDetails problem, string name, object? value)
    {
        if (value is not null)
        {
            problem.Extensions[name] = value;
        }

        return problem;
    }

    /// <summary>An endpoint filter that answers every exception of the table with its problem (<c>application/problem+json</c>).</summary>
    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (Exception e) when (!context.HttpContext.Response.HasStarted && For(e) is { } problem)
        {
            return TypedResults.Problem(problem);
        }
    }

    private static string Kebab(string name)
    {
        var text = new StringBuilder(name.Length + 8);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append('-');
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }
}
