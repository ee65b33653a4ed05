using System.Text.Json.Serialization;

namespace FunnelMetrics.Metrics;

/// <summary>One day's totals (for one owner, or for all).</summary>
public sealed class FlowTotals : IEquatable<FlowTotals>
{
    [JsonConstructor]
    internal FlowTotals(
        int @new,
        int forwardMoves,
        int regressions,
        int wins,
        int losses,
        int reopens,
        int activities,
        int inWorkAtEnd,
        int wonAtEnd,
        int lostAtEnd)
    {
        New = @new;
        ForwardMoves = forwardMoves;
        Regressions = regressions;
        Wins = wins;
        Losses = losses;
        Reopens = reopens;
        Activities = activities;
        InWorkAtEnd = inWorkAtEnd;
        WonAtEnd = wonAtEnd;
        LostAtEnd = lostAtEnd;
    }

    /// <summary>First entries into the pipeline.</summary>
    public int New { get; }

    /// <summary>Forward moves: advances, skips and wins.</summary>
    public int ForwardMoves { get; }

    /// <summary>Moves back to an earlier stage.</summary>
    public int Regressions { get; }

    /// <summary>Moves into the won stage.</summary>
    public int Wins { get; }

    /// <summary>Clients lost.</summary>
    public int Losses { get; }

    /// <summary>Won or lost clients reopened.</summary>
    public int Reopens { get; }

    /// <summary>All activities, including those with clients not yet entered or lost.</summary>
    public int Activities { get; }

    /// <summary>Clients in open stages at the end of the day.</summary>
    public int InWorkAtEnd { get; }

    /// <summary>Clients in the won stage at the end of the day.</summary>
    public int WonAtEnd { get; }

    /// <summary>Clients lost at the end of the day.</summary>
    public int LostAtEnd { get; }

    /// <summary>Whether <paramref name="other"/> holds the same figures (lists element by element).</summary>
    /// <param name="other">The other result.</param>
    /// <returns><see langword="true"/> when every property is equal.</returns>
    public bool Equals(FlowTotals? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && New.Equals(other.New)
            && ForwardMoves.Equals(other.ForwardMoves)
            && Regressions.Equals(other.Regressions)
            && Wins.Equals(other.Wins)
            && Losses.Equals(other.Losses)
            && Reopens.Equals(other.Reopens)
            && Activities.Equals(other.Activities)
            && InWorkAtEnd.Equals(other.InWorkAtEnd)
            && WonAtEnd.Equals(other.WonAtEnd)
            && LostAtEnd.Equals(other.LostAtEnd));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as FlowTotals);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(New);
        hash.Add(ForwardMoves);
        hash.Add(Regressions);
        hash.Add(Wins);
        hash.Add(Losses);
        hash.Add(Reopens);
        hash.Add(Activities);
        hash.Add(InWorkAtEnd);
        hash.Add(WonAtEnd);
        hash.Add(LostAtEnd);
        return hash.ToHashCode();
    }
}
