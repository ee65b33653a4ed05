namespace FunnelMetrics.Metrics;

/// <summary>
/// What became of the clients who first reached one stage in the cohort window, as of the instant. The three outcomes
/// partition the cohort: <c>Advanced + Lost + Remaining = Cohort</c>.
/// </summary>
/// <param name="Stage">The stage.</param>
/// <param name="Cohort">Clients who first reached the stage in the window.</param>
/// <param name="Advanced">Of them, those who later reached a later stage or the won stage (within the conversion window, when one is set).</param>
/// <param name="Lost">Of the rest, those lost as of the instant: lost without having gone further than this stage after reaching it.</param>
/// <param name="Remaining">The others: still open with this stage as their furthest since reaching it (and, with a conversion window, those who advanced only after it).</param>
/// <param name="AdvancedShare"><c>Advanced / Cohort</c>, or <see langword="null"/> for an empty cohort.</param>
/// <param name="LostShare"><c>Lost / Cohort</c>, or <see langword="null"/>.</param>
/// <param name="RemainingShare"><c>Remaining / Cohort</c>, or <see langword="null"/>.</param>
/// <param name="ReachedFromFirstStage">Of the clients who first reached the first stage in the window, how many reached this stage afterwards (for the first stage: the whole first-stage cohort).</param>
/// <param name="CumulativeFromFirstStage"><c>ReachedFromFirstStage</c> over the first stage's cohort, or <see langword="null"/> when that cohort is empty.</param>
public sealed record StageConversion(StageId Stage, int Cohort, int Advanced, int Lost, int Remaining, double? AdvancedShare, double? LostShare, double? RemainingShare, int ReachedFromFirstStage, double? CumulativeFromFirstStage);
