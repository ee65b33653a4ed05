namespace FunnelMetrics.Forecasting;

/// <summary>
/// What the team's work is likely to produce: per stage, where clients go and the chance of winning them; expected wins
/// and won value from the clients in work; optionally wins by a horizon with a P10–P90 range and the intake a target needs.
/// </summary>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="AsOf">The instant, inclusive: the clients in work are those open at it, the history ends at it.</param>
/// <param name="HistoryFrom">The history window's start, inclusive.</param>
/// <param name="HasBasis">Whether any stage has a basis; when not, the expected figures, horizon, target and owner forecasts are absent and <paramref name="Reason"/> says why.</param>
/// <param name="Reason">Why there is no basis, or what limits the forecast (sparse stages, clients without basis or with a partly unknown fate, no timing for a horizon); <see langword="null"/> when nothing does.</param>
/// <param name="Stages">Per open stage, in pipeline order.</param>
/// <param name="OpenClients">The clients in work forecast.</param>
/// <param name="ClientsWithoutBasis">Of them, those in a stage with no basis: they count in no expected figure.</param>
/// <param name="ExpectedWins">Sum over the clients in work of the probability of being won; between 0 and <paramref name="OpenClients"/>; <see langword="null"/> when every client in work is without basis.</param>
/// <param name="ExpectedValue">Sum over the clients in work with a value of value x probability of being won.</param>
/// <param name="Horizon">Wins by the horizon, when one was asked for.</param>
/// <param name="Target">The intake needed for a target, when one was asked for.</param>
/// <param name="ByOwner">The same per owner of clients in work, ordered by owner id.</param>
public sealed record Forecast(
    PipelineId PipelineId,
    DateTimeOffset AsOf,
    DateTimeOffset HistoryFrom,
    bool HasBasis,
    string? Reason,
    IReadOnlyList<StageForecast> Stages,
    int OpenClients,
    int ClientsWithoutBasis,
    double? ExpectedWins,
    decimal? ExpectedValue,
    HorizonForecast? Horizon,
    IntakeForTarget? Target,
    IReadOnlyList<OwnerForecast> ByOwner);
