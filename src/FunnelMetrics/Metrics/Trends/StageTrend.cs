using System.Globalization;
using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// One stage in one period of <see cref="FunnelTrends"/>: the time in stage of the visits that began in the period, and
/// what became of the clients who first reached the stage in it (its cohort), both read from the events before
/// <see cref="FunnelTrends.AsOf"/>. The figures are <see cref="StageTime"/>'s and <see cref="StageConversion"/>'s, with
/// the period as the window. A period lists a stage only when it has a visit begun in the period or a cohort member
/// (<see cref="TrendPeriod.Stages"/>, <see cref="TrendPeriod.Stage(StageId)"/>); the won stage (terminal) never.
/// </summary>
public sealed class StageTrend : IEquatable<StageTrend>
{
    [JsonConstructor]
    internal StageTrend(
        StageId stage,
        DurationStats completed,
        int openVisits,
        DurationEstimate median,
        DurationEstimate p90,
        int cohort,
        int advanced,
        int lost,
        int remaining,
        double? advancedShare,
        double? dropOff)
    {
        Stage = stage;
        Completed = completed;
        OpenVisits = openVisits;
        Median = median;
        P90 = p90;
        Cohort = cohort;
        Advanced = advanced;
        Lost = lost;
        Remaining = remaining;
        AdvancedShare = advancedShare;
        DropOff = dropOff;
    }

    /// <summary>The stage.</summary>
    public StageId Stage { get; }

    /// <summary>Durations of the visits begun in the period that ended before the instant (as <see cref="StageTime.Completed"/>).</summary>
    public DurationStats Completed { get; }

    /// <summary>Visits begun in the period still running at the instant.</summary>
    public int OpenVisits { get; }

    /// <summary>The Kaplan–Meier median of the period's visits, the running ones censored at the instant (as <see cref="StageTime.Median"/>).</summary>
    public DurationEstimate Median { get; }

    /// <summary>The Kaplan–Meier 90th percentile, estimated the same way.</summary>
    public DurationEstimate P90 { get; }

    /// <summary>Clients who first reached the stage in the period (as <see cref="StageConversion.Cohort"/>).</summary>
    public int Cohort { get; }

    /// <summary>Of them, those who passed the stage before the instant.</summary>
    public int Advanced { get; }

    /// <summary>Those who never passed it and are lost as of the instant.</summary>
    public int Lost { get; }

    /// <summary>Those who never passed it and are open as of the instant.</summary>
    public int Remaining { get; }

    /// <summary>Conversion: <c>Advanced / Cohort</c>, or <see langword="null"/> for an empty cohort.</summary>
    public double? AdvancedShare { get; }

    /// <summary>Drop-off: the cohort's share lost before passing the stage, <c>Lost / Cohort</c> (<see cref="StageConversion.LostShare"/>), or <see langword="null"/> for an empty cohort.</summary>
    public double? DropOff { get; }

    /// <summary>The stage's figures on one line.</summary>
    /// <returns>For logs and test messages.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Stage}: {Completed.Count} completed, {OpenVisits} open, median {Median.Value?.ToString() ?? (Median.MoreThan is { } m ? $"> {m}" : "-")}; cohort {Cohort}, advanced {Advanced}, lost {Lost}, remaining {Remaining}");

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(StageTrend? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Stage.Equals(other.Stage)
            && Equals(Completed, other.Completed)
            && OpenVisits.Equals(other.OpenVisits)
            && Equals(Median, other.Median)
            && Equals(P90, other.P90)
            && Cohort.Equals(other.Cohort)
            && Advanced.Equals(other.Advanced)
            && Lost.Equals(other.Lost)
            && Remaining.Equals(other.Remaining)
            && Nullable.Equals(AdvancedShare, other.AdvancedShare)
            && Nullable.Equals(DropOff, other.DropOff));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StageTrend);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Stage);
        hash.Add(Completed);
        hash.Add(OpenVisits);
        hash.Add(Median);
        hash.Add(P90);
        hash.Add(Cohort);
        hash.Add(Advanced);
        hash.Add(Lost);
        hash.Add(Remaining);
        hash.Add(AdvancedShare);
        hash.Add(DropOff);
        return hash.ToHashCode();
    }
}
