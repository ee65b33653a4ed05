namespace FunnelMetrics.Recording;

/// <summary>
/// The recording rules as a pure function: given the pipeline, the client, its state and a request, the event to
/// append, or the exception naming the rule broken. Shared by the recorder and by the importer. What may follow what is
/// the model's one rule table (<see cref="TransitionRules"/>, asked through <see cref="ClientState"/>); this class maps
/// its answer to the recorder's exceptions and checks the instant.
/// </summary>
internal static class FunnelRules
{
    public static ClientEvent Decide(PipelineDefinition pipeline, Client client, ClientState state, in RecordRequest request, DateTimeOffset occurredAt, DateTimeOffset now, TimeSpan futureTolerance, ClientEventId eventId)
    {
        var clientId = client.Id;
        var next = state.Version + 1;
        ClientEvent result;
        switch (request.Kind)
        {
            case RequestKind.Move:
            {
                var to = request.Stage!.Value;
                if (!state.CanMove(pipeline, to, out var kind, out var broken))
                {
                    throw Refusal(broken, request.Kind, pipeline, state, to, occurredAt);
                }

                result = new StageTransition(eventId, clientId, pipeline.Id, next, kind, state.Stage, to, occurredAt, now, state.Owner, note: request.Note);
                break;
            }

            case RequestKind.Lose:
                if (!state.CanLose(out var notLost))
                {
                    throw Refusal(notLost, request.Kind, pipeline, state, null, occurredAt);
                }

                result = new StageTransition(eventId, clientId, pipeline.Id, next, TransitionKind.Lost, state.Stage, null, occurredAt, now, state.Owner, request.LostReason, request.Note);
                break;

            case RequestKind.Reopen:
            {
                var to = request.Stage!.Value;
                if (!state.CanReopen(pipeline, to, out var broken))
                {
                    throw Refusal(broken, request.Kind, pipeline, state, to, occurredAt);
                }

                result = new StageTransition(eventId, clientId, pipeline.Id, next, TransitionKind.Reopened, state.Stage, to, occurredAt, now, state.Owner, note: request.Note);
                break;
            }

            case RequestKind.Activity:
                result = new ClientActivity(eventId, clientId, pipeline.Id, next, occurredAt, now, state.Owner, request.Note);
                break;

            case RequestKind.Update:
            {
                // Allowed in every status; an update sets what it says, without comparing with the client's current details.
                var changes = request.Changes!;
                result = new ClientUpdate(eventId, clientId, pipeline.Id, next, occurredAt, now, state.Owner, changes.SetsValue, changes.Value, changes.SetsExpectedCloseDate, changes.ExpectedCloseDate, changes.Attributes, request.Note);
                break;
            }

            default:
            {
                var owner = request.NewOwner!.Value;
                if (!state.CanReassign(owner, out var broken))
                {
                    throw Refusal(broken, request.Kind, pipeline, state, null, occurredAt, owner);
                }

                result = new OwnerReassignment(eventId, clientId, pipeline.Id, next, occurredAt, now, owner, state.Owner, request.Note);
                break;
            }
        }

        CheckTime(client, state, occurredAt, now, futureTolerance);
        return result;
    }

    /// <summary>The recorder's exception for a rule the table says a request breaks: the specific type where there is one, with a message saying what to do.</summary>
    private static FunnelMetricsException Refusal(FunnelRule rule, RequestKind request, PipelineDefinition pipeline, ClientState state, StageId? to, DateTimeOffset occurredAt, OwnerId? owner = null)
    {
        var clientId = state.ClientId;
        return rule switch
        {
            FunnelRule.UnknownStage => new UnknownStageException(pipeline.Id, to!.Value, clientId),
            FunnelRule.SameStage => new SameStageException(clientId, to!.Value, occurredAt),
            FunnelRule.ClientClosed => new ClosedClientException(clientId, state.Status, state.Stage, to, occurredAt),
            FunnelRule.EntryIntoWonStage => new FunnelRuleException(rule, clientId, occurredAt, $"Client '{clientId}' cannot enter pipeline '{pipeline.Id}' directly at the won stage '{to}' (at {occurredAt:O}). Enter it at an open stage, then record the win."),
            FunnelRule.ClientNotEntered when request == RequestKind.Lose => new FunnelRuleException(rule, clientId, occurredAt, $"Client '{clientId}' has not entered pipeline '{pipeline.Id}' yet, so it cannot be lost (at {occurredAt:O}). Enter it at a stage first."),
            FunnelRule.ClientNotEntered => new FunnelRuleException(rule, clientId, occurredAt, $"Client '{clientId}' has not entered pipeline '{pipeline.Id}' yet, so it cannot be reopened (at {occurredAt:O}). Move it to a stage instead."),
            FunnelRule.ReopenOfOpenClient => new FunnelRuleException(rule, clientId, occurredAt, $"Client '{clientId}' is open at stage '{state.Stage}', so it cannot be reopened into '{to}' (at {occurredAt:O}). Only won or lost clients are reopened; move open clients instead."),
            FunnelRule.ReopenIntoWonStage => new FunnelRuleException(rule, clientId, occurredAt, $"Client '{clientId}' cannot be reopened into the won stage '{to}' (at {occurredAt:O}). Reopen it into an open stage."),
            FunnelRule.SameOwner => new FunnelRuleException(rule, clientId, occurredAt, $"Client '{clientId}' already belongs to '{owner}'; the reassignment at {occurredAt:O} changes nothing."),
            _ => throw new System.Diagnostics.UnreachableException($"A {request} request of client '{clientId}' broke {rule}, which only a stored history can break."),
        };
    }

    /// <summary>Whether a stored event is what <paramref name="request"/> would have recorded, so a retry may return it.</summary>
    public static bool Matches(ClientEvent existing, in RecordRequest request)
    {
        if (existing.ClientId != request.ClientId
            || (request.OccurredAt is { } at && existing.OccurredAt != at)
            || !string.Equals(existing.Note, request.Note, StringComparison.Ordinal))
        {
            return false;
        }

        return request.Kind switch
        {
            RequestKind.Move => existing is StageTransition { Kind: not (TransitionKind.Lost or TransitionKind.Reopened) } t && t.ToStage == request.Stage,
            RequestKind.Lose => existing is StageTransition { Kind: TransitionKind.Lost } t && string.Equals(t.LostReason, request.LostReason, StringComparison.Ordinal),
            RequestKind.Reopen => existing is StageTransition { Kind: TransitionKind.Reopened } t && t.ToStage == request.Stage,
            RequestKind.Activity => existing is ClientActivity,
            RequestKind.Update => existing is ClientUpdate u && request.Changes is { } c
                && u.SetsValue == c.SetsValue && u.Value == c.Value
                && u.SetsExpectedCloseDate == c.SetsExpectedCloseDate && u.ExpectedCloseDate == c.ExpectedCloseDate
                && ClientChanges.SameAttributes(u.Attributes, c.Attributes),
            _ => existing is OwnerReassignment r && r.Owner == request.NewOwner,
        };
    }

    public static void CheckFuture(ClientId clientId, DateTimeOffset occurredAt, DateTimeOffset now, TimeSpan futureTolerance)
    {
        if (occurredAt > now + futureTolerance)
        {
            throw new FutureEventException(clientId, occurredAt, now, futureTolerance);
        }
    }

    private static void CheckTime(Client client, ClientState state, DateTimeOffset occurredAt, DateTimeOffset now, TimeSpan futureTolerance)
    {
        CheckFuture(client.Id, occurredAt, now, futureTolerance);
        if (occurredAt < client.CreatedAt)
        {
            throw new EventOrderException(FunnelRule.EventBeforeClientCreated, client.Id, occurredAt, client.CreatedAt);
        }

        if (state.LastEventAt is { } last && occurredAt < last)
        {
            throw new EventOrderException(FunnelRule.EventBeforePreviousEvent, client.Id, occurredAt, last);
        }
    }
}

/// <summary>What a caller asked the recorder to record.</summary>
internal enum RequestKind
{
    Move,
    Lose,
    Reopen,
    Activity,
    Reassign,
    Update,
}

/// <summary>A recording request as the caller gave it; <see cref="OccurredAt"/> is null when the caller let it default to now.</summary>
internal readonly record struct RecordRequest(
    RequestKind Kind,
    ClientId ClientId,
    DateTimeOffset? OccurredAt,
    string? Note,
    ClientEventId? EventId,
    StageId? Stage = null,
    string? LostReason = null,
    OwnerId? NewOwner = null,
    ClientChanges? Changes = null);
