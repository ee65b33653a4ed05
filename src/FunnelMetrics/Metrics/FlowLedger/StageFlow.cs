namespace FunnelMetrics.Metrics;

/// <summary>
/// One stage's movements in one day (for one owner, or for all). Arrivals and departures obey
/// <c>CountAtEnd - count at the end of the previous day = Entered - AdvancedOut - RegressedOut - Lost - ReopenedOut + ReassignedIn - ReassignedOut</c>.
/// </summary>
/// <param name="Stage">The stage.</param>
/// <param name="Entered">Arrivals into the stage, of any kind: entries, forward moves and skips, regressions, wins (in the won stage's row), reopens.</param>
/// <param name="New">Of <paramref name="Entered"/>, first entries into the pipeline: new clients ("ten new clients at stage 1 today = ten cold calls that reached someone").</param>
/// <param name="Reopened">Of <paramref name="Entered"/>, won or lost clients reopened into the stage.</param>
/// <param name="AdvancedOut">Forward moves out of the stage: to the next stage, over stages, or into the won stage.</param>
/// <param name="RegressedOut">Moves out of the stage back to an earlier stage.</param>
/// <param name="Lost">Clients lost while in the stage.</param>
/// <param name="ReopenedOut">Won clients reopened out of the won stage (only in the won stage's row).</param>
/// <param name="ReassignedIn">Clients in the stage handed to this owner (zero in all-owner rows, where hand-overs cancel out).</param>
/// <param name="ReassignedOut">Clients in the stage handed from this owner to another (zero in all-owner rows).</param>
/// <param name="Activities">Actions recorded with clients in the stage that did not move them.</param>
/// <param name="CountAtEnd">Clients in the stage at the end of the day (after every event before the next midnight).</param>
public sealed record StageFlow(StageId Stage, int Entered, int New, int Reopened, int AdvancedOut, int RegressedOut, int Lost, int ReopenedOut, int ReassignedIn, int ReassignedOut, int Activities, int CountAtEnd);
