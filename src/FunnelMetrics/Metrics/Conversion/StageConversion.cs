using System.Globalization;
using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// What became of the clients who first reached one stage in the cohort window, as of the instant. The outcomes
/// partition the cohort: <c>Advanced + AdvancedLate + Lost + Remaining = Cohort</c>. The won stage's row has an empty
/// cohort (won is terminal) and only the cumulative figures. The same by value: each member's deal value as of the last
/// instant whose outcomes are read (the tick before <see cref="Conversion.AsOf"/>), members without a value counted in
/// <see cref="CohortWithoutValue"/> and in no sum: <c>AdvancedValue + AdvancedLateValue + LostValue + RemainingValue = CohortValue</c>.
/// </summary>
public sealed class StageConversion : IEquatable<StageConversion>
{
    [JsonConstructor]
    internal StageConversion(
        StageId stage,
        int cohort,
        int advanced,
        int advancedLate,
        int lost,
        int remaining,
        double? advancedShare,
        double? advancedLateShare,
        double? lostShare,
        double? remainingShare,
        int reachedFromFirstStage,
        double? cumulativeFromFirstStage,
        decimal cohortValue,
        int cohortWithoutValue,
        decimal advancedValue,
        decimal advancedLateValue,
        decimal lostValue,
        decimal remainingValue,
        double? advancedValueShare,
        double? advancedLateValueShare,
        double? lostValueShare,
        double? remainingValueShare)
    {
        Stage = stage;
        Cohort = cohort;
        Advanced = advanced;
        AdvancedLate = advancedLate;
        Lost = lost;
        Remaining = remaining;
        AdvancedShare = advancedShare;
        AdvancedLateShare = advancedLateShare;
        LostShare = lostShare;
        RemainingShare = remainingShare;
        ReachedFromFirstStage = reachedFromFirstStage;
        CumulativeFromFirstStage = cumulativeFromFirstStage;
        CohortValue = cohortValue;
        CohortWithoutValue = cohortWithoutValue;
        AdvancedValue = advancedValue;
        AdvancedLateValue = advancedLateValue;
        LostValue = lostValue;
        RemainingValue = remainingValue;
        AdvancedValueShare = advancedValueShare;
        AdvancedLateValueShare = advancedLateValueShare;
        LostValueShare = lostValueShare;
        RemainingValueShare = remainingValueShare;
    }

    /// <summary>The stage.</summary>
    public StageId Stage { get; }

    /// <summary>Clients who first reached the stage in the window.</summary>
    public int Cohort { get; }

    /// <summary>Of them, those who afterwards reached a later stage or the won stage (within the conversion window, when one is set).</summary>
    public int Advanced { get; }

    /// <summary>Those who reached a later stage only after the conversion window; always 0 without one.</summary>
    public int AdvancedLate { get; }

    /// <summary>Those who never went further than this stage after reaching it and are lost as of the instant.</summary>
    public int Lost { get; }

    /// <summary>Those who never went further and are open as of the instant: still in this stage or back at an earlier one.</summary>
    public int Remaining { get; }

    /// <summary><c>Advanced / Cohort</c>, or <see langword="null"/> for an empty cohort.</summary>
    public double? AdvancedShare { get; }

    /// <summary><c>AdvancedLate / Cohort</c>, or <see langword="null"/>.</summary>
    public double? AdvancedLateShare { get; }

    /// <summary><c>Lost / Cohort</c>, or <see langword="null"/>.</summary>
    public double? LostShare { get; }

    /// <summary><c>Remaining / Cohort</c>, or <see langword="null"/>.</summary>
    public double? RemainingShare { get; }

    /// <summary>Of the clients who first reached the first open stage in the window, how many reached this stage at or after that instant, as of the instant.</summary>
    public int ReachedFromFirstStage { get; }

    /// <summary><c>ReachedFromFirstStage</c> over the first stage's cohort, or <see langword="null"/> when that cohort is empty.</summary>
    public double? CumulativeFromFirstStage { get; }

    /// <summary>The sum of the cohort members' known values, each as of the tick before <see cref="Conversion.AsOf"/> (its latest when the outcomes are read); 0 when none is known.</summary>
    public decimal CohortValue { get; }

    /// <summary>Cohort members without a value then: counted in the cohort, in no value sum and no value share.</summary>
    public int CohortWithoutValue { get; }

    /// <summary>The value of the <see cref="Advanced"/> members.</summary>
    public decimal AdvancedValue { get; }

    /// <summary>The value of the <see cref="AdvancedLate"/> members.</summary>
    public decimal AdvancedLateValue { get; }

    /// <summary>The value of the <see cref="Lost"/> members.</summary>
    public decimal LostValue { get; }

    /// <summary>The value of the <see cref="Remaining"/> members.</summary>
    public decimal RemainingValue { get; }

    /// <summary><c>AdvancedValue / CohortValue</c>: the share of the known value that advanced; <see langword="null"/> when the cohort's known value is 0.</summary>
    public double? AdvancedValueShare { get; }

    /// <summary><c>AdvancedLateValue / CohortValue</c>, or <see langword="null"/>.</summary>
    public double? AdvancedLateValueShare { get; }

    /// <summary><c>LostValue / CohortValue</c>, or <see langword="null"/>.</summary>
    public double? LostValueShare { get; }

    /// <summary><c>RemainingValue / CohortValue</c>, or <see langword="null"/>.</summary>
    public double? RemainingValueShare { get; }

    /// <summary>The stage's cohort and outcomes on one line.</summary>
    /// <returns>For logs and test messages.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Stage}: cohort {Cohort}, advanced {Advanced}, advanced late {AdvancedLate}, lost {Lost}, remaining {Remaining}; {ReachedFromFirstStage} reached from the first stage");

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(StageConversion? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Stage.Equals(other.Stage)
            && Cohort.Equals(other.Cohort)
            && Advanced.Equals(other.Advanced)
            && AdvancedLate.Equals(other.AdvancedLate)
            && Lost.Equals(other.Lost)
            && Remaining.Equals(other.Remaining)
            && Nullable.Equals(AdvancedShare, other.AdvancedShare)
            && Nullable.Equals(AdvancedLateShare, other.AdvancedLateShare)
            && Nullable.Equals(LostShare, other.LostShare)
            && Nullable.Equals(RemainingShare, other.RemainingShare)
            && ReachedFromFirstStage.Equals(other.ReachedFromFirstStage)
            && Nullable.Equals(CumulativeFromFirstStage, other.CumulativeFromFirstStage)
            && CohortValue == other.CohortValue
            && CohortWithoutValue == other.CohortWithoutValue
            && AdvancedValue == other.AdvancedValue
            && AdvancedLateValue == other.AdvancedLateValue
            && LostValue == other.LostValue
            && RemainingValue == other.RemainingValue
            && Nullable.Equals(AdvancedValueShare, other.AdvancedValueShare)
            && Nullable.Equals(AdvancedLateValueShare, other.AdvancedLateValueShare)
            && Nullable.Equals(LostValueShare, other.LostValueShare)
            && Nullable.Equals(RemainingValueShare, other.RemainingValueShare));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StageConversion);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Stage);
        hash.Add(Cohort);
        hash.Add(Advanced);
        hash.Add(AdvancedLate);
        hash.Add(Lost);
        hash.Add(Remaining);
        hash.Add(AdvancedShare);
        hash.Add(AdvancedLateShare);
        hash.Add(LostShare);
        hash.Add(RemainingShare);
        hash.Add(ReachedFromFirstStage);
        hash.Add(CumulativeFromFirstStage);
        hash.Add(CohortValue);
        hash.Add(CohortWithoutValue);
        hash.Add(LostValue);
        return hash.ToHashCode();
    }
}
