namespace FunnelMetrics.Recording;

/// <summary>
/// The recording rules as a pure function: given the pipeline, the client, its state and a request, the event to
/// append, or the exception naming the rule broken. Shared by the recorder and by replays of history.
/// </summary>
internal static class FunnelRules
{
    /// <summary>The kind of a move between two open-or-won positions of a client that is open.</summary>
    public static TransitionKind ClassifyMove(PipelineDefinition pipeline, int fromIndex, int toIndex) =>
        toIndex == pipeline.WonStageIndex ? TransitionKind.Won
        : toIndex == fromIndex + 1 ? TransitionKind.Advanced
        : toIndex > fromIndex ? TransitionKind.Skipped
        : TransitionKind.Regressed;

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
                var toIndex = RequireStage(pipeline, to, clientId);
                switch (state.Status)
                {
                    case ClientStatus.NotEntered when toIndex == pipeline.WonStageIndex:
                        throw new FunnelRuleException(FunnelRule.EntryIntoWonStage, clientId, occurredAt, $"Client '{clientId}' cannot enter pipeline '{pipeline.Id}' directly at the won stage '{to}' (at {occurredAt:O}). Enter it at an open stage, then record the win.");
                    case ClientStatus.NotEntered:
                        CheckTime(client, state, occurredAt, now, futureTolerance);
                        return new StageTransition(eventId, clientId, pipeline.Id, next, TransitionKind.Entered, null, to, occurredAt, now, state.Owner, note: request.Note);
                    case ClientStatus.Won or ClientStatus.Lost:
                        throw new ClosedClientException(clientId, state.Status, state.Stage, to, occurredAt);
                }

                var from = state.Stage!.Value;
                if (from == to)
                {
                    throw new SameStageException(clientId, to, occurredAt);
                }

                var kind = ClassifyMove(pipeline, pipeline.IndexOf(from), toIndex);
                result = new StageTransition(eventId, clientId, pipeline.Id, next, kind, from, to, occurredAt, now, state.Owner, note: request.Note);
                break;
            }

            case RequestKind.Lose:
                switch (state.Status)
                {
                    case ClientStatus.NotEntered:
                        throw new FunnelRuleException(FunnelRule.ClientNotEntered, clientId, occurredAt, $"Client '{clientId}' has not entered pipeline '{pipeline.Id}' yet, so it cannot be lost (at {occurredAt:O}). Enter it at a stage first.");
                    case ClientStatus.Won or ClientStatus.Lost:
                        throw new ClosedClientException(clientId, state.Status, state.Stage, null, occurredAt);
                }

                result = new StageTransition(eventId, clientId, pipeline.Id, next, TransitionKind.Lost, state.Stage, null, occurredAt, now, state.Owner, request.LostReason, request.Note);
                break;

            case RequestKind.Reopen:
            {
                var to = request.Stage!.Value;
                var toIndex = RequireStage(pipeline, to, clientId);
                switch (state.Status)
                {
                    case ClientStatus.NotEntered:
                        throw new FunnelRuleException(FunnelRule.ClientNotEntered, clientId, occurredAt, $"Client '{clientId}' has not entered pipeline '{pipeline.Id}' yet, so it cannot be reopened (at {occurredAt:O}). Move it to a stage instead.");
                    case ClientStatus.Open:
                        throw new FunnelRuleException(FunnelRule.ReopenOfOpenClient, clientId, occurredAt, $"Client '{clientId}' is open at stage '{state.Stage}', so it cannot be reopened into '{to}' (at {occurredAt:O}). Only won or lost clients are reopened; move open clients instead.");
                }

                if (toIndex == pipeline.WonStageIndex)
                {
                    throw new FunnelRuleException(FunnelRule.ReopenIntoWonStage, clientId, occurredAt, $"Client '{clientId}' cannot be reopened into the won stage '{to}' (at {occurredAt:O}). Reopen it into an open stage.");
                }

                result = new StageTransition(eventId, clientId, pipeline.Id, next, TransitionKind.Reopened, state.Stage, to, occurredAt, now, state.Owner, note: request.Note);
                break;
            }

            case RequestKind.Activity:
                result = new ClientActivity(eventId, clientId, pipeline.Id, next, occurredAt, now, state.Owner, request.Note);
                break;

            default:
            {
                var owner = request.NewOwner!.Value;
                if (owner == state.Owner)
                {
                    throw new FunnelRuleException(FunnelRule.SameOwner, clientId, occurredAt, $"Client '{clientId}' already belongs to '{owner}'; the reassignment at {occurredAt:O} changes nothing.");
                }

                result = new OwnerReassignment(eventId, clientId, pipeline.Id, next, occurredAt, now, owner, state.Owner, request.Note);
                break;
            }
        }

        CheckTime(client, state, occurredAt, now, futureTolerance);
        return result;
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
            _ => existing is OwnerReassignment r && r.Owner == request.NewOwner,
        };
    }

    public static int RequireStage(PipelineDefinition pipeline, StageId stage, ClientId clientId)
    {
        var index = pipeline.IndexOf(stage);
        return index >= 0 ? index : throw new UnknownStageException(pipeline.Id, stage, clientId);
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
    OwnerId? NewOwner = null);
