namespace FunnelMetrics.Forecasting;

/// <summary>The reverse question: how many new clients per day must enter the first open stage to reach a target number of wins by the horizon.</summary>
/// <param name="TargetWins">The target.</param>
/// <param name="ExpectedWinsFromPipeline">Wins expected by the horizon from the clients in work alone (<see cref="HorizonForecast.ExpectedWins"/> without intake).</param>
/// <param name="FirstStageWinProbability">The probability that a client entering the first open stage is eventually won.</param>
/// <param name="SteadyStateDailyIntake">
/// <c>max(0, Target - ExpectedWinsFromPipeline) / (days to the horizon x FirstStageWinProbability)</c>: the rate that wins the
/// shortfall at current conversion, ignoring how long new clients take to close; <see langword="null"/> when new clients never win.
/// </param>
/// <param name="WithinHorizonDailyIntake">
/// The rate that wins the shortfall by the horizon, counting only new clients who close in time: <c>shortfall / (days x q)</c>
/// with q the chance that a client entering the first open stage at an instant uniform over the span is won by the
/// horizon, computed on the horizon's grid; <see langword="null"/> when none would be.
/// </param>
public sealed record IntakeForTarget(int TargetWins, double ExpectedWinsFromPipeline, double? FirstStageWinProbability, double? SteadyStateDailyIntake, double? WithinHorizonDailyIntake);
