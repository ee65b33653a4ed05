namespace FunnelMetrics;

/// <summary>
/// The base of every exception FunnelMetrics throws for a broken rule, a missing entity or a conflict.
/// Argument validation of the model's constructors throws the standard <see cref="ArgumentException"/> family instead,
/// and so does a broken history passed in to be read (<see cref="FunnelHistoryException"/>, which names the rule).
/// </summary>
public abstract class FunnelMetricsException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong and what to do next.</param>
    /// <param name="innerException">The cause, if any.</param>
    protected FunnelMetricsException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
