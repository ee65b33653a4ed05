using System.Globalization;
using System.Text.Json.Serialization;

namespace FunnelMetrics.Forecasting;

/// <summary>The reverse question: how many new clients per day must enter the first open stage to reach a target number of wins by the horizon.</summary>
public sealed class IntakeForTarget : IEquatable<IntakeForTarget>
{
    [JsonConstructor]
    internal IntakeForTarget(
        int targetWins,
        double expectedWinsFromPipeline,
        double? firstStageWinProbability,
        double? steadyStateDailyIntake,
        double? withinHorizonDailyIntake)
    {
        TargetWins = targetWins;
        ExpectedWinsFromPipeline = expectedWinsFromPipeline;
        FirstStageWinProbability = firstStageWinProbability;
        SteadyStateDailyIntake = steadyStateDailyIntake;
        WithinHorizonDailyIntake = withinHorizonDailyIntake;
    }

    /// <summary>The target.</summary>
    public int TargetWins { get; }

    /// <summary>Wins expected by the horizon from the clients in work alone (<see cref="HorizonForecast.ExpectedWins"/> without intake).</summary>
    public double ExpectedWinsFromPipeline { get; }

    /// <summary>The probability that a client entering the first open stage is eventually won.</summary>
    public double? FirstStageWinProbability { get; }

    /// <summary>
    /// <c>max(0, Target - ExpectedWinsFromPipeline) / (days to the horizon x FirstStageWinProbability)</c>: the rate that wins the
    /// shortfall at current conversion, ignoring how long new clients take to close; <see langword="null"/> when new clients never win.
    /// </summary>
    public double? SteadyStateDailyIntake { get; }

    /// <summary>
    /// The rate that wins the shortfall by the horizon, counting only new clients who close in time: <c>shortfall / (days x q)</c>
    /// with q the chance that a client entering the first open stage at an instant uniform over the span is won by the
    /// horizon, computed on the horizon's grid; <see langword="null"/> when none would be.
    /// </summary>
    public double? WithinHorizonDailyIntake { get; }

    /// <summary>The target and the intake it needs on one line, in the invariant culture.</summary>
    /// <returns>For logs and test messages.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"target {TargetWins}: {ExpectedWinsFromPipeline:0.###} expected from the pipeline, first-stage win probability {FirstStageWinProbability?.ToString("0.####", CultureInfo.InvariantCulture) ?? "unknown"}, daily intake {SteadyStateDailyIntake?.ToString("0.###", CultureInfo.InvariantCulture) ?? "none"} at steady state, {WithinHorizonDailyIntake?.ToString("0.###", CultureInfo.InvariantCulture) ?? "none"} within the horizon");

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(IntakeForTarget? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && TargetWins.Equals(other.TargetWins)
            && ExpectedWinsFromPipeline.Equals(other.ExpectedWinsFromPipeline)
            && Nullable.Equals(FirstStageWinProbability, other.FirstStageWinProbability)
            && Nullable.Equals(SteadyStateDailyIntake, other.SteadyStateDailyIntake)
            && Nullable.Equals(WithinHorizonDailyIntake, other.WithinHorizonDailyIntake));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as IntakeForTarget);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(TargetWins, ExpectedWinsFromPipeline, FirstStageWinProbability, SteadyStateDailyIntake, WithinHorizonDailyIntake);
}
