namespace FunnelMetrics.Forecasting;

/// <summary>What a stage's forecast rates rest on, from the best to the weakest.</summary>
public enum StageBasis
{
    /// <summary>The departures from the stage in the history window of the clients forecast (at least the minimum).</summary>
    History = 0,

    /// <summary>Too few departures for the owners forecast: the whole team's departures from the stage (at least the minimum).</summary>
    TeamHistory = 1,

    /// <summary>Too few departures anywhere: the stage's configured <see cref="StageDefinition.WinProbability"/> as the chance of a win, a loss otherwise.</summary>
    ConfiguredWinProbability = 2,

    /// <summary>Some departures, but fewer than the minimum and no configured probability: the few there are; the forecast's reason names the stage.</summary>
    SparseHistory = 3,

    /// <summary>No departure and no configured probability: nothing to forecast from. Clients reaching the stage count as unknown.</summary>
    None = 4,
}
