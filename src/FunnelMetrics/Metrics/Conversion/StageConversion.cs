namespace FunnelMetrics.Metrics;

/// <summary>
/// What became of the clients who first reached one stage in the cohort window, as of the instant. The outcomes
/// partition the cohort: <c>Advanced + AdvancedLate + Lost + Remaining = Cohort</c>. The won stage's row has an empty
/// cohort (won is terminal) and only the cumulative figures.
/// </summary>
/// <param name="Stage">The stage.</param>
/// <param name="Cohort">Clients who first reached the stage in the window.</param>
/// <param name="Advanced">Of them, those who afterwards reached a later stage or the won stage (within the conversion window, when one is set).</param>
/// <param name="AdvancedLate">Those who reached a later stage only after the conversion window; always 0 without one.</param>
/// <param name="Lost">Those who never went further than this stage after reaching it and are lost as of the instant.</param>
/// <param name="Remaining">Those who never went further and are open as of the instant: still in this stage or back at an earlier one.</param>
/// <param name="AdvancedShare"><c>Advanced / Cohort</c>, or <see langword="null"/> for an empty cohort.</param>
/// <param name="AdvancedLateShare"><c>AdvancedLate / Cohort</c>, or <see langword="null"/>.</param>
/// <param name="LostShare"><c>Lost / Cohort</c>, or <see langword="null"/>.</param>
/// <param name="RemainingShare"><c>Remaining / Cohort</c>, or <see langword="null"/>.</param>
/// <param name="ReachedFromFirstStage">Of the clients who first reached the first open stage in the window, how many reached this stage at or after that instant, as of the instant.</param>
/// <param name="CumulativeFromFirstStage"><c>ReachedFromFirstStage</c> over the first stage's cohort, or <see langword="null"/> when that cohort is empty.</param>
public sealed record StageConversion(
    StageId Stage,
    int Cohort,
    int Advanced,
    int AdvancedLate,
    int Lost,
    int Remaining,
    double? AdvancedShare,
    double? AdvancedLateShare,
    double? LostShare,
    double? RemainingShare,
    int ReachedFromFirstStage,
    double? CumulativeFromFirstStage);
