namespace FunnelMetrics.Metrics;

/// <summary>
/// Stage-to-stage conversion: for each stage, the cohort of clients who first reached it in
/// [<see cref="From"/>, <see cref="To"/>), and what became of them before <see cref="AsOf"/>; plus cumulative conversion
/// from the first stage and the win rate of clients closed in the window.
/// </summary>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="From">The cohort window's start, inclusive.</param>
/// <param name="To">The cohort window's end, exclusive.</param>
/// <param name="AsOf">The outcomes are read from the events before this instant, exclusive; not before <see cref="To"/>.</param>
/// <param name="ConversionWindow">When set, a client counts as advanced only if it reached a later stage within this time of first reaching the stage.</param>
/// <param name="SkippedStagesCountAsPassed">Whether a forward jump over stages counts as having reached the stages jumped over (and left them at once).</param>
/// <param name="Stages">One entry per stage, in pipeline order; the won stage's entry holds only the cumulative figures.</param>
/// <param name="FirstStageCohort">Clients who first reached the first open stage in the window: the base of the cumulative figures.</param>
/// <param name="WonFromFirstStage">Of them, those who reached the won stage afterwards, as of the instant.</param>
/// <param name="WonFromFirstStageShare"><c>WonFromFirstStage / FirstStageCohort</c>, or <see langword="null"/> when that cohort is empty.</param>
/// <param name="WinRate">The win rate of clients closed in the window.</param>
public sealed record Conversion(PipelineId PipelineId, DateTimeOffset From, DateTimeOffset To, DateTimeOffset AsOf, TimeSpan? ConversionWindow, bool SkippedStagesCountAsPassed, IReadOnlyList<StageConversion> Stages, int FirstStageCohort, int WonFromFirstStage, double? WonFromFirstStageShare, WinRate WinRate);
