using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>How long clients stay in one stage. See <see cref="TimeInStage"/> for which visits count.</summary>
public sealed class StageTime : IEquatable<StageTime>
{
    [JsonConstructor]
    internal StageTime(
        StageId stage,
        DurationStats completed,
        int openVisits,
        DurationEstimate median,
        DurationEstimate p90,
        DurationStats perClient)
    {
        Stage = stage;
        Completed = completed;
        OpenVisits = openVisits;
        Median = median;
        P90 = p90;
        PerClient = perClient;
    }

    /// <summary>The stage.</summary>
    public StageId Stage { get; }

    /// <summary>Durations of the visits that ended by the instant (the client moved, won, or was lost).</summary>
    public DurationStats Completed { get; }

    /// <summary>Visits still running at the instant.</summary>
    public int OpenVisits { get; }

    /// <summary>The median with running visits counted as censored observations (Kaplan–Meier): a stage where slow clients are still waiting does not look fast.</summary>
    public DurationEstimate Median { get; }

    /// <summary>The 90th percentile, estimated the same way.</summary>
    public DurationEstimate P90 { get; }

    /// <summary>Each client's cumulative time in the stage over all its visits (running ones up to the instant), summarised over the clients with at least one visit.</summary>
    public DurationStats PerClient { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(StageTime? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Stage.Equals(other.Stage)
            && Equals(Completed, other.Completed)
            && OpenVisits.Equals(other.OpenVisits)
            && Equals(Median, other.Median)
            && Equals(P90, other.P90)
            && Equals(PerClient, other.PerClient));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StageTime);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Stage, Completed, OpenVisits, Median, P90, PerClient);
}
