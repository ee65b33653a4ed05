namespace FunnelMetrics.Forecasting;

/// <summary>One owner's forecast: the owner's clients in work, with the owner's own rates where they have enough history and the team's where not.</summary>
/// <param name="Owner">The owner.</param>
/// <param name="Stages">Per open stage, with the basis used for this owner.</param>
/// <param name="OpenClients">The owner's clients in work.</param>
/// <param name="ClientsWithoutBasis">Of them, those in a stage with no basis.</param>
/// <param name="ExpectedWins">Sum over them of the probability of being won; <see langword="null"/> when every one is without basis.</param>
/// <param name="ExpectedValue">Sum over those with a value of value x probability of being won; <see langword="null"/> likewise.</param>
/// <param name="Horizon">Wins by the horizon, when one was asked for and timing is known.</param>
public sealed record OwnerForecast(OwnerId Owner, IReadOnlyList<StageForecast> Stages, int OpenClients, int ClientsWithoutBasis, double? ExpectedWins, decimal? ExpectedValue, HorizonForecast? Horizon);
