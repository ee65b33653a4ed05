namespace FunnelMetrics.Forecasting;

/// <summary>One forecast made at a past instant, against what then happened.</summary>
/// <param name="MadeAt">The instant the forecast was made at: only history up to it was used.</param>
/// <param name="HorizonEnd">The forecast's horizon.</param>
/// <param name="Predicted">The expected wins by the horizon.</param>
/// <param name="P10">The forecast's 10th percentile.</param>
/// <param name="P90">The forecast's 90th percentile.</param>
/// <param name="Actual">The clients won in (MadeAt, HorizonEnd], each counted once: those in work at MadeAt (with an owner the filter keeps), plus, when intake is included, clients whose first entry into the first open stage came in that span.</param>
/// <param name="Error"><c>Predicted - Actual</c>.</param>
public sealed record BacktestPoint(DateTimeOffset MadeAt, DateTimeOffset HorizonEnd, double Predicted, int P10, int P90, int Actual, double Error);
