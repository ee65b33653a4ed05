namespace FunnelMetrics.Analytics;

/// <summary>
/// Why a <see cref="FunnelReadModel"/> stopped applying changes: the change of the feed it could not apply, the client,
/// the event and the rule it breaks. Immutable.
/// </summary>
public sealed class FunnelReadModelFailure
{
    /// <summary>Creates the report.</summary>
    /// <param name="pipelineId">The pipeline of the model.</param>
    /// <param name="position">The feed position of the change that could not be applied.</param>
    /// <param name="clientId">The client whose history is broken.</param>
    /// <param name="eventId">The event that cannot follow, or <see langword="null"/> when the change is a client record.</param>
    /// <param name="rule">The rule the event breaks, or <see langword="null"/> when no rule of the funnel names it (a client record that contradicts the one applied, an event of a client never added).</param>
    /// <param name="exception">What the model's builder threw.</param>
    /// <exception cref="ArgumentOutOfRangeException">The position is below 1.</exception>
    public FunnelReadModelFailure(PipelineId pipelineId, long position, ClientId clientId, ClientEventId? eventId, FunnelRule? rule, Exception exception)
    {
        PipelineId = pipelineId;
        Position = position >= 1 ? position : throw new ArgumentOutOfRangeException(nameof(position), position, "A stored change's position is 1 or more.");
        ClientId = clientId;
        EventId = eventId;
        Rule = rule;
        Exception = exception ?? throw new ArgumentNullException(nameof(exception));
    }

    /// <summary>The pipeline of the model.</summary>
    public PipelineId PipelineId { get; }

    /// <summary>The feed position of the change that could not be applied.</summary>
    public long Position { get; }

    /// <summary>The client whose history is broken.</summary>
    public ClientId ClientId { get; }

    /// <summary>The event that cannot follow, or <see langword="null"/> when the change is a client record.</summary>
    public ClientEventId? EventId { get; }

    /// <summary>The rule broken, or <see langword="null"/> when no rule of the funnel names the problem.</summary>
    public FunnelRule? Rule { get; }

    /// <summary>What the model's builder threw: a <see cref="FunnelHistoryException"/> for a broken rule, an <see cref="ArgumentException"/> otherwise.</summary>
    public Exception Exception { get; }

    /// <summary>The message of <see cref="Exception"/>, which names the client, the event and the rule.</summary>
    public string Message => Exception.Message;

    /// <summary>The pipeline, the position, the client, the event and the rule.</summary>
    /// <returns>A sentence for logs and health reports.</returns>
    public override string ToString() =>
        $"The read model of pipeline '{PipelineId}' stopped at feed position {Position}: client '{ClientId}'"
        + (EventId is { } e ? $", event '{e}'" : ", its client record")
        + $", rule {(Rule is { } r ? r.ToString() : "none of the funnel's (the change contradicts the history applied)")}: {Message}";
}
