namespace FunnelMetrics.Forecasting;

/// <summary>What limits a forecast: the kind of a <see cref="ForecastLimitation"/>, in the order <see cref="Forecast.Reason"/> names them.</summary>
public enum ForecastLimitationKind
{
    /// <summary>
    /// No stage has a basis (no visit ended in the history window and no stage has a configured win probability): there is
    /// nothing to forecast from, and <see cref="Forecast.HasBasis"/> is <see langword="false"/>.
    /// </summary>
    NoBasis = 0,

    /// <summary>Clients in work are in stages with no basis (<see cref="StageBasis.None"/>): they count in no expected figure.</summary>
    ClientsWithoutBasis = 1,

    /// <summary>
    /// Stages had fewer departures in the window than the minimum and no configured win probability
    /// (<see cref="StageBasis.SparseHistory"/>): their rates rest on the few there were.
    /// </summary>
    SparseHistory = 2,

    /// <summary>Stages form loops too large to eliminate that iteration did not settle within its budget: their chances are approximate, and low.</summary>
    ApproximatedLoops = 3,

    /// <summary>
    /// Clients in work may reach a stage with no basis, or a loop no departure leaves: that share of their fate is unknown
    /// and counts as not won.
    /// </summary>
    UnknownFate = 4,

    /// <summary>
    /// The chain is large, so wins by the horizon are counted on fewer bins of the span than wanted: each visit counts as
    /// lasting a whole number of the coarser bins.
    /// </summary>
    CoarseHorizonGrid = 5,

    /// <summary>Stages with rates have no visit durations, so wins by the horizon cannot be timed: the horizon is absent.</summary>
    HorizonNotTimed = 6,
}
