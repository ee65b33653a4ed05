using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>
/// One stage's movements in one day (for one owner, or for all). Arrivals and departures obey
/// <c>CountAtEnd - count at the end of the previous day = Entered - AdvancedOut - RegressedOut - Lost - ReopenedOut + ReassignedIn - ReassignedOut</c>.
/// </summary>
public sealed class StageFlow : IEquatable<StageFlow>
{
    [JsonConstructor]
    internal StageFlow(
        StageId stage,
        int entered,
        int @new,
        int reopened,
        int advancedOut,
        int regressedOut,
        int lost,
        int reopenedOut,
        int reassignedIn,
        int reassignedOut,
        int activities,
        int countAtEnd)
    {
        Stage = stage;
        Entered = entered;
        New = @new;
        Reopened = reopened;
        AdvancedOut = advancedOut;
        RegressedOut = regressedOut;
        Lost = lost;
        ReopenedOut = reopenedOut;
        ReassignedIn = reassignedIn;
        ReassignedOut = reassignedOut;
        Activities = activities;
        CountAtEnd = countAtEnd;
    }

    /// <summary>The stage.</summary>
    public StageId Stage { get; }

    /// <summary>Arrivals into the stage, of any kind: entries, forward moves and skips, regressions, wins (in the won stage's row), reopens.</summary>
    public int Entered { get; }

    /// <summary>Of <see cref="Entered"/>, first entries into the pipeline: new clients ("ten new clients at stage 1 today = ten cold calls that reached someone").</summary>
    public int New { get; }

    /// <summary>Of <see cref="Entered"/>, won or lost clients reopened into the stage.</summary>
    public int Reopened { get; }

    /// <summary>Forward moves out of the stage: to the next stage, over stages, or into the won stage.</summary>
    public int AdvancedOut { get; }

    /// <summary>Moves out of the stage back to an earlier stage.</summary>
    public int RegressedOut { get; }

    /// <summary>Clients lost while in the stage.</summary>
    public int Lost { get; }

    /// <summary>Won clients reopened out of the won stage (only in the won stage's row).</summary>
    public int ReopenedOut { get; }

    /// <summary>Clients in the stage handed to this owner (zero in all-owner rows, where hand-overs cancel out).</summary>
    public int ReassignedIn { get; }

    /// <summary>Clients in the stage handed from this owner to another (zero in all-owner rows).</summary>
    public int ReassignedOut { get; }

    /// <summary>Actions recorded with clients in the stage that did not move them.</summary>
    public int Activities { get; }

    /// <summary>Clients in the stage at the end of the day (after every event before the next midnight).</summary>
    public int CountAtEnd { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(StageFlow? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Stage.Equals(other.Stage)
            && Entered.Equals(other.Entered)
            && New.Equals(other.New)
            && Reopened.Equals(other.Reopened)
            && AdvancedOut.Equals(other.AdvancedOut)
            && RegressedOut.Equals(other.RegressedOut)
            && Lost.Equals(other.Lost)
            && ReopenedOut.Equals(other.ReopenedOut)
            && ReassignedIn.Equals(other.ReassignedIn)
            && ReassignedOut.Equals(other.ReassignedOut)
            && Activities.Equals(other.Activities)
            && CountAtEnd.Equals(other.CountAtEnd));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StageFlow);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Stage);
        hash.Add(Entered);
        hash.Add(New);
        hash.Add(Reopened);
        hash.Add(AdvancedOut);
        hash.Add(RegressedOut);
        hash.Add(Lost);
        hash.Add(ReopenedOut);
        hash.Add(ReassignedIn);
        hash.Add(ReassignedOut);
        hash.Add(Activities);
        hash.Add(CountAtEnd);
        return hash.ToHashCode();
    }
}
