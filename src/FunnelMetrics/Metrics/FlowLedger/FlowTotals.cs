namespace FunnelMetrics.Metrics;

/// <summary>One day's totals (for one owner, or for all).</summary>
/// <param name="New">First entries into the pipeline.</param>
/// <param name="ForwardMoves">Forward moves: advances, skips and wins.</param>
/// <param name="Regressions">Moves back to an earlier stage.</param>
/// <param name="Wins">Moves into the won stage.</param>
/// <param name="Losses">Clients lost.</param>
/// <param name="Reopens">Won or lost clients reopened.</param>
/// <param name="Activities">All activities, including those with clients not yet entered or lost.</param>
/// <param name="InWorkAtEnd">Clients in open stages at the end of the day.</param>
/// <param name="WonAtEnd">Clients in the won stage at the end of the day.</param>
/// <param name="LostAtEnd">Clients lost at the end of the day.</param>
public sealed record FlowTotals(int New, int ForwardMoves, int Regressions, int Wins, int Losses, int Reopens, int Activities, int InWorkAtEnd, int WonAtEnd, int LostAtEnd);
