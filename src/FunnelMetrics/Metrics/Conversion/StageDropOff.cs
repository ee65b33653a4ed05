using System.Globalization;
using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// Drop-off between one open stage and the next: of the clients who first reached <see cref="Stage"/> in the cohort
/// window, the share lost before passing it, by count and by value. The stage's <see cref="StageConversion"/> regrouped:
/// <c>Dropped = StageConversion.Lost</c>, <c>Share = StageConversion.LostShare</c>,
/// <c>Passed = Advanced + AdvancedLate</c>, <c>StillOpen = Remaining</c>, so <c>Passed + Dropped + StillOpen = Cohort</c>.
/// </summary>
/// <remarks>
/// Passing means reaching any later stage or the won stage after first reaching this one, so a client that jumps past
/// <see cref="NextStage"/> has passed (and is in the next stage's cohort only when
/// <see cref="Conversion.SkippedStagesCountAsPassed"/> says so). A client that went back to an earlier stage and was lost
/// there without ever passing this one has dropped here; a reopened client counts by its state as of the instant: open
/// again is still open, lost again is dropped. No conversion window applies: passing late is passing.
/// </remarks>
public sealed class StageDropOff : IEquatable<StageDropOff>
{
    [JsonConstructor]
    internal StageDropOff(
        StageId stage,
        StageId nextStage,
        int cohort,
        int passed,
        int dropped,
        int stillOpen,
        double? share,
        decimal cohortValue,
        int cohortWithoutValue,
        decimal passedValue,
        decimal droppedValue,
        decimal stillOpenValue,
        double? valueShare)
    {
        Stage = stage;
        NextStage = nextStage;
        Cohort = cohort;
        Passed = passed;
        Dropped = dropped;
        StillOpen = stillOpen;
        Share = share;
        CohortValue = cohortValue;
        CohortWithoutValue = cohortWithoutValue;
        PassedValue = passedValue;
        DroppedValue = droppedValue;
        StillOpenValue = stillOpenValue;
        ValueShare = valueShare;
    }

    /// <summary>The stage whose cohort drops off.</summary>
    public StageId Stage { get; }

    /// <summary>The next stage in pipeline order: the next open stage, or the won stage after the last open one.</summary>
    public StageId NextStage { get; }

    /// <summary>Clients who first reached <see cref="Stage"/> in the cohort window.</summary>
    public int Cohort { get; }

    /// <summary>Of them, those who passed it (reached a later stage or the won stage) before the instant, in or after the conversion window.</summary>
    public int Passed { get; }

    /// <summary>Those lost as of the instant without having passed it: <see cref="StageConversion.Lost"/>.</summary>
    public int Dropped { get; }

    /// <summary>Those open as of the instant without having passed it: <see cref="StageConversion.Remaining"/>.</summary>
    public int StillOpen { get; }

    /// <summary><c>Dropped / Cohort</c> (= <see cref="StageConversion.LostShare"/>), or <see langword="null"/> for an empty cohort.</summary>
    public double? Share { get; }

    /// <summary>The cohort's known value (<see cref="StageConversion.CohortValue"/>).</summary>
    public decimal CohortValue { get; }

    /// <summary>Cohort members without a value: in no value figure.</summary>
    public int CohortWithoutValue { get; }

    /// <summary>The value of the <see cref="Passed"/> members.</summary>
    public decimal PassedValue { get; }

    /// <summary>The value of the <see cref="Dropped"/> members (<see cref="StageConversion.LostValue"/>).</summary>
    public decimal DroppedValue { get; }

    /// <summary>The value of the <see cref="StillOpen"/> members.</summary>
    public decimal StillOpenValue { get; }

    /// <summary><c>DroppedValue / CohortValue</c>, or <see langword="null"/> when the cohort's known value is 0.</summary>
    public double? ValueShare { get; }

    /// <summary>The drop-off on one line.</summary>
    /// <returns>For logs and test messages.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Stage} -> {NextStage}: cohort {Cohort}, passed {Passed}, dropped {Dropped}, still open {StillOpen}; value {CohortValue}, dropped {DroppedValue}");

    /// <summary>The drop-offs of a conversion's stage rows: one per open stage, in pipeline order.</summary>
    internal static StageDropOff[] Of(PipelineDefinition pipeline, IReadOnlyList<StageConversion> stages)
    {
        var won = pipeline.WonStageIndex;
        var result = new StageDropOff[stages.Count - 1];
        var i = 0;
        for (var s = 0; s < stages.Count; s++)
        {
            if (s == won)
            {
                continue;
            }

            var next = s + 1 == won ? s + 2 : s + 1;
            var row = stages[s];
            result[i++] = new StageDropOff(
                row.Stage,
                pipeline.Stages[next < stages.Count ? next : won].Key,
                row.Cohort,
                row.Advanced + row.AdvancedLate,
                row.Lost,
                row.Remaining,
                row.LostShare,
                row.CohortValue,
                row.CohortWithoutValue,
                row.AdvancedValue + row.AdvancedLateValue,
                row.LostValue,
                row.RemainingValue,
                row.LostValueShare);
        }

        return result;
    }

    /// <summary>Whether <paramref name="other"/> holds the same figures.</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(StageDropOff? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Stage.Equals(other.Stage)
            && NextStage.Equals(other.NextStage)
            && Cohort == other.Cohort
            && Passed == other.Passed
            && Dropped == other.Dropped
            && StillOpen == other.StillOpen
            && Nullable.Equals(Share, other.Share)
            && CohortValue == other.CohortValue
            && CohortWithoutValue == other.CohortWithoutValue
            && PassedValue == other.PassedValue
            && DroppedValue == other.DroppedValue
            && StillOpenValue == other.StillOpenValue
            && Nullable.Equals(ValueShare, other.ValueShare));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StageDropOff);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Stage, NextStage, Cohort, Passed, Dropped, StillOpen, CohortValue, DroppedValue);
}
