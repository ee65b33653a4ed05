namespace FunnelMetrics;

/// <summary>
/// A recording was refused because it breaks one of the funnel's rules; nothing was written. The
/// <see cref="Rule"/> says which; subclasses exist for the rules callers most often handle.
/// </summary>
public class FunnelRuleException : FunnelMetricsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="rule">The rule broken.</param>
    /// <param name="clientId">The client the refused event was for.</param>
    /// <param name="occurredAt">The instant of the refused event.</param>
    /// <param name="message">What was wrong and what to do next.</param>
    public FunnelRuleException(FunnelRule rule, ClientId clientId, DateTimeOffset occurredAt, string message)
        : base(message)
    {
        Rule = rule;
        ClientId = clientId;
        OccurredAt = occurredAt;
    }

    /// <summary>The rule broken.</summary>
    public FunnelRule Rule { get; }

    /// <summary>The client the refused event was for.</summary>
    public ClientId ClientId { get; }

    /// <summary>The instant of the refused event, in UTC.</summary>
    public DateTimeOffset OccurredAt { get; }
}
