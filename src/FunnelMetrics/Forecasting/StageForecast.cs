using FunnelMetrics.Metrics;

namespace FunnelMetrics.Forecasting;

/// <summary>
/// One open stage in the forecast: where visits of it went in the history window, how long they lasted, and, treating the
/// funnel as an absorbing Markov chain, the chance that a client there is eventually won.
/// </summary>
/// <param name="Stage">The stage.</param>
/// <param name="Basis">What the rates rest on.</param>
/// <param name="Departures">Visits of the stage that ended in the history window (for the clients forecast; the team's when <paramref name="Basis"/> says so).</param>
/// <param name="NextShare">Of the departures, the share to the next stage.</param>
/// <param name="LaterShare">The share to a stage two or more positions later (not the won stage).</param>
/// <param name="EarlierShare">The share back to an earlier stage.</param>
/// <param name="WonShare">The share straight to the won stage.</param>
/// <param name="LostShare">The share lost from the stage.</param>
/// <param name="TimeInStage">The durations of those visits.</param>
/// <param name="WinProbability">The probability that a client now in the stage is eventually won, or <see langword="null"/> when the stage has no basis.</param>
/// <param name="LossProbability">The probability that it is eventually lost.</param>
/// <param name="UnknownProbability">The probability that its fate is unknown: it reaches a stage with no basis, or a loop of stages that no observed departure leaves. The three sum to 1.</param>
/// <param name="ExpectedDaysToClose">The expected days until won, lost or unknown, from the stage's mean visit lengths; <see langword="null"/> when not computable.</param>
/// <param name="ClientsInWork">Clients forecast that are in the stage now.</param>
/// <param name="ExpectedWins"><c>ClientsInWork x WinProbability</c>.</param>
public sealed record StageForecast(
    StageId Stage,
    StageBasis Basis,
    int Departures,
    double? NextShare,
    double? LaterShare,
    double? EarlierShare,
    double? WonShare,
    double? LostShare,
    DurationStats TimeInStage,
    double? WinProbability,
    double? LossProbability,
    double? UnknownProbability,
    double? ExpectedDaysToClose,
    int ClientsInWork,
    double? ExpectedWins);
