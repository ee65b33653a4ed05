namespace FunnelMetrics.Forecasting;

/// <summary>Forecasts made at several past instants compared with the wins that followed: how far to trust the forecast on this data.</summary>
/// <param name="Points">One per instant, in order; instants whose forecast had no basis or no timing are left out.</param>
/// <param name="Skipped">How many instants were left out for that reason.</param>
/// <param name="MeanAbsoluteError">The mean of |Predicted - Actual|, or <see langword="null"/> without points.</param>
/// <param name="MeanError">The mean of Predicted - Actual: positive when the forecast is optimistic.</param>
/// <param name="Coverage">The share of points whose actual wins fell within [P10, P90]; about 0.8 for a well-calibrated forecast.</param>
public sealed record Backtest(IReadOnlyList<BacktestPoint> Points, int Skipped, double? MeanAbsoluteError, double? MeanError, double? Coverage);
