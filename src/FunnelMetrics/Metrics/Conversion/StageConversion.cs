using System.Globalization;
using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// What became of the clients who first reached one stage in the cohort window, as of the instant. The outcomes
/// partition the cohort: <c>Advanced + AdvancedLate + Lost + Remaining = Cohort</c>. The won stage's row has an empty
/// cohort (won is terminal) and only the cumulative figures.
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
        double? cumulativeFromFirstStage)
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
            && Nullable.Equals(CumulativeFromFirstStage, other.CumulativeFromFirstStage));

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
        return hash.ToHashCode();
    }
}
